// chip-users: who makes a chip, and who (company, model or product) uses it.
// @param chip string  chip name or alias, e.g. 昇腾, Ascend, 昇腾910B
MATCH (c:Chip)
WHERE c.name = $chip OR $chip IN c.aliases OR c.english = $chip
MATCH (x:Entity)-[r:DEVELOPS|USES]->(c)
RETURN c.name AS chip, type(r) AS relation, x.name AS who, x.type AS type, r.evidence AS evidence
ORDER BY relation, who
