// entity-types: how many entities of each type the database holds.
MATCH (n:Entity)
RETURN n.type AS type, count(n) AS entities
ORDER BY entities DESC, type
