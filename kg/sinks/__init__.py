"""Where a graph goes: the build folder (``building``, ``outfolder``), the HTML page, the exports
(GraphML, GEXF, CSV, JSON Lines) and the Bolt database (``store``)."""
