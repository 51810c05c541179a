// benchmarked-against: models measured against a model family, e.g. everything compared with GPT-4.
// A family is matched by name prefix, so "GPT-4" also finds GPT-4 Turbo and GPT-4o.
// @param model string  model name, alias or name prefix, e.g. GPT-4
MATCH (m:AIModel)-[r:BENCHMARKED_AGAINST]->(g:AIModel)
WHERE g.name STARTS WITH $model OR $model IN g.aliases
RETURN m.name AS model, g.name AS compared_with, size(r.docs) AS documents, r.evidence AS evidence
ORDER BY model, compared_with
