"""``kg serve``: a local HTTP server that explores a build folder's graph of any size through its
lookup index: a JSON API (:mod:`kg.server.app`) and a page that grows from one entity, a
neighbourhood at a time (:mod:`kg.server.page`, the script and look of ``graph.html``)."""
