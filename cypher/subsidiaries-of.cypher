// subsidiaries-of: a company's subsidiaries and the exchanges they are listed on.
// @param name string  parent company name or alias, e.g. 科大讯飞
MATCH (parent:Company)
WHERE parent.name = $name OR $name IN parent.aliases OR parent.english = $name
MATCH (s:Company)-[:SUBSIDIARY_OF]->(parent)
OPTIONAL MATCH (s)-[:LISTED_ON]->(x:Organization)
RETURN s.name AS subsidiary, parent.name AS parent, collect(x.name) AS listed_on
ORDER BY subsidiary
