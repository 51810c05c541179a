// models-on-chips: which AI models run on which chips, and through whom.
// News rarely says "model M is trained on chip C" outright; it says the developer (or a compute
// platform it builds, such as 飞星一号) uses the chip. So a model is linked to a chip when
//   the model itself USES the chip, or
//   its developer USES the chip, or
//   its developer DEVELOPS a platform that USES the chip.
// Relations below min_confidence are ignored (weak DEVELOPS guesses otherwise add noise).
// @param min_confidence float = 0.6  ignore relations less certain than this
MATCH (m:AIModel)-[u:USES]->(c:Chip)
WHERE u.confidence >= $min_confidence
RETURN m.name AS model, c.name AS chip, m.name AS via, 'model uses chip' AS how
UNION
MATCH (o:Entity)-[d:DEVELOPS]->(m:AIModel), (o)-[u:USES]->(c:Chip)
WHERE d.confidence >= $min_confidence AND u.confidence >= $min_confidence
RETURN m.name AS model, c.name AS chip, o.name AS via, 'developer uses chip' AS how
UNION
MATCH (o:Entity)-[d:DEVELOPS]->(m:AIModel), (o)-[d2:DEVELOPS]->(p:Product)-[u:USES]->(c:Chip)
WHERE d.confidence >= $min_confidence AND d2.confidence >= $min_confidence
  AND u.confidence >= $min_confidence
RETURN m.name AS model, c.name AS chip, p.name AS via, 'developer builds a platform on chip' AS how
