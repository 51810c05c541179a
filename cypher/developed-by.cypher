// developed-by: the models, products and chips a company or organisation develops.
// @param name string  developer name or alias, e.g. 科大讯飞
MATCH (o:Entity)
WHERE o.name = $name OR $name IN o.aliases OR o.english = $name
MATCH (o)-[r:DEVELOPS]->(x:Entity)
RETURN x.name AS developed, x.type AS type, r.confidence AS confidence, size(r.docs) AS documents
ORDER BY type, confidence DESC, developed
