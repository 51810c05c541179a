// evidence-for: every relation of one entity, in both directions, with its evidence sentences.
// @param name string  entity name or alias, e.g. 科大讯飞
MATCH (n:Entity)
WHERE n.name = $name OR $name IN n.aliases OR n.english = $name
MATCH (n)-[r]-(o:Entity)
RETURN CASE WHEN startNode(r) = n THEN n.name ELSE o.name END AS head,
       type(r) AS relation,
       CASE WHEN startNode(r) = n THEN o.name ELSE n.name END AS tail,
       r.confidence AS confidence, size(r.docs) AS documents, r.evidence AS evidence
ORDER BY relation, head, tail
