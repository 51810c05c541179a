"""The saved Cypher queries of ``kg query`` (shipped inside the package as ``kg.cypher``)."""
