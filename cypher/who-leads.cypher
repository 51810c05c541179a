// who-leads: who chairs, runs or founded which company or organisation.
// @param min_confidence float = 0.0  ignore relations less certain than this
MATCH (p:Person)-[r:CHAIRMAN_OF|CEO_OF|FOUNDER_OF]->(o:Entity)
WHERE r.confidence >= $min_confidence
RETURN p.name AS person, type(r) AS role, o.name AS organisation, r.confidence AS confidence,
       size(r.docs) AS documents
ORDER BY organisation, role, person
