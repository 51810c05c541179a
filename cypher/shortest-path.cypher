// shortest-path: the shortest chain of relations between two entities, in either direction.
// Written as "all paths up to 4 hops, shortest first" rather than shortestPath(), because
// FalkorDB only supports a directed shortestPath; this form runs on Neo4j 5 and FalkorDB alike.
// Arrows in the chain show each relation's stored direction.
// @param a string  first entity (name or alias), e.g. 刘庆峰
// @param b string  second entity (name or alias), e.g. 任正非
MATCH (a:Entity) WHERE a.name = $a OR $a IN a.aliases
MATCH (b:Entity) WHERE b.name = $b OR $b IN b.aliases
MATCH p = (a)-[*1..4]-(b)
WITH p, nodes(p) AS ns, relationships(p) AS rs
RETURN length(p) AS hops,
       reduce(s = ns[0].name, i IN range(0, size(rs) - 1) |
              s + CASE WHEN startNode(rs[i]) = ns[i] THEN ' -' + type(rs[i]) + '-> '
                       ELSE ' <-' + type(rs[i]) + '- ' END + ns[i + 1].name) AS chain
ORDER BY hops, chain
LIMIT 1
