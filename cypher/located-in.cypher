// located-in: companies, organisations and events located in a place (e.g. 合肥, 安徽, 美国).
// @param place string  place name or alias, e.g. 合肥
MATCH (e:Entity)-[r:LOCATED_IN]->(p:Place)
WHERE p.name = $place OR $place IN p.aliases OR p.english = $place
RETURN e.name AS entity, e.type AS type, p.name AS place, r.evidence AS evidence
ORDER BY type, entity
