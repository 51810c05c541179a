// people-of: the people tied to a company or organisation: chairs, CEOs, founders, supporters.
// @param name string  company or organisation name or alias, e.g. 科大讯飞
MATCH (o:Entity)
WHERE o.name = $name OR $name IN o.aliases OR o.english = $name
MATCH (p:Person)-[r]->(o)
RETURN p.name AS person, type(r) AS role, r.confidence AS confidence, r.evidence AS evidence
ORDER BY role, person
