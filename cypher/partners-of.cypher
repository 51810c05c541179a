// partners-of: every partner of a company or organisation, with the sentences that say so.
// PARTNERS_WITH is symmetric and stored once, so the pattern ignores direction.
// The name may be the canonical name or any alias (e.g. 讯飞, iFlytek).
// @param name string  company or organisation, e.g. 科大讯飞
MATCH (c:Entity)
WHERE c.name = $name OR $name IN c.aliases OR c.english = $name
MATCH (c)-[r:PARTNERS_WITH]-(p:Entity)
RETURN p.name AS partner, p.type AS type, r.confidence AS confidence, r.evidence AS evidence
ORDER BY confidence DESC, partner
