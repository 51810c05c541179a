// most-connected: the entities with the most relations (degree), the hubs of the graph.
// @param limit int = 10  how many entities to show
MATCH (n:Entity)
OPTIONAL MATCH (n)-[r]-()
WITH n, count(r) AS degree
RETURN n.name AS entity, n.type AS type, degree, size(n.docs) AS documents
ORDER BY degree DESC, entity
LIMIT $limit
