// relation-types: how many relations of each type the database holds, and how many documents back them.
MATCH (:Entity)-[r]->(:Entity)
RETURN type(r) AS relation, count(r) AS relations, sum(size(r.docs)) AS evidence_documents
ORDER BY relations DESC, relation
