/* kg graph page: legend, search, filters and the detail panel on top of vis-network.
 *
 * All data arrives in JSON script blocks (type application/json) or, on the live page of `kg serve`
 * (data.api set), as JSON from its API, a neighbourhood at a time: the page starts from one entity and
 * grows as entities are expanded, so a graph of any size can be explored. Every string that came from
 * a document (names, aliases, evidence, document ids) is put into the page with textContent or as a
 * text node, never through innerHTML, so markup in a document is shown, not run.
 */
(function () {
  "use strict";

  function readJSON(id) {
    return JSON.parse(document.getElementById(id).textContent);
  }

  var data = readJSON("kg-data");
  var options = readJSON("kg-vis-options");
  var nodes = new vis.DataSet(readJSON("kg-vis-nodes"));
  var edges = new vis.DataSet(readJSON("kg-vis-edges"));
  // The live page (kg serve): entities and relations are fetched as they are asked for; node ids are
  // the index's numbers, so a name travels back to the server only as typed into a search box.
  var live = !!data.api;
  if (live) options.physics.enabled = false;  // laid out as they arrive (rings); "Re-run layout" runs physics

  // Maps, not plain objects: a node called "__proto__" or "constructor" must not hit a prototype.
  var info = new Map(data.nodes.map(function (n) { return [n.id, n]; }));
  var edgeInfo = new Map(data.edges.map(function (e) { return [e.id, e]; }));
  var typeStyle = new Map(data.entityTypes.map(function (t) { return [t.name, t]; }));
  var relStyle = new Map(data.relationTypes.map(function (r) { return [r.name, r]; }));
  var adjacency = new Map();
  data.edges.forEach(function (e) {
    link(e.from, e);
    if (e.to !== e.from) link(e.to, e);
  });
  function link(id, e) {
    if (!adjacency.has(id)) adjacency.set(id, []);
    adjacency.get(id).push(e);
  }

  var state = {
    typeOn: new Set(data.entityTypes.map(function (t) { return t.name; })),
    relOn: new Set(data.relationTypes.map(function (r) { return r.name; })),
    minConfidence: 0,
    nodeHidden: new Map(),
    edgeHidden: new Map(),
    sizeBy: data.sizeBy,
    stabilized: false,
    layoutMs: null,
    layoutRuns: 0,
    selected: null,
    pending: 0,     // live: requests under way
    loaded: new Map(),  // live: node id -> {offset, total} of its relations fetched so far
    error: null,
  };

  /** The name of a node: its id on the static page, its "name" on the live one. */
  function nameOf(id) {
    var n = info.get(id);
    return n && n.name !== undefined ? n.name : String(id);
  }

  var $ = function (id) { return document.getElementById(id); };
  var SVG = "http://www.w3.org/2000/svg";

  /** Element builder: children that are strings become text nodes (never parsed as HTML). */
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "style") Object.assign(node.style, attrs[k]);
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  // ---------------------------------------------------------------- legend swatches

  function polygon(points) {
    return svg("polygon", { points: points.map(function (p) { return p.join(","); }).join(" ") });
  }

  function shapeSwatch(style) {
    var box = svg("svg", { width: 18, height: 18, viewBox: "0 0 18 18", "aria-hidden": "true" });
    var shape;
    switch (style.shape) {
      case "square": shape = svg("rect", { x: 3, y: 3, width: 12, height: 12 }); break;
      case "triangle": shape = polygon([[9, 2], [16, 15], [2, 15]]); break;
      case "triangleDown": shape = polygon([[2, 3], [16, 3], [9, 16]]); break;
      case "diamond": shape = polygon([[9, 1.5], [16.5, 9], [9, 16.5], [1.5, 9]]); break;
      case "hexagon": shape = polygon([[9, 1.5], [15.5, 5.2], [15.5, 12.8], [9, 16.5], [2.5, 12.8], [2.5, 5.2]]); break;
      case "star": {
        var pts = [];
        for (var i = 0; i < 10; i++) {
          var r = i % 2 ? 3.6 : 8, a = Math.PI / 5 * i - Math.PI / 2;
          pts.push([9 + r * Math.cos(a), 9.6 + r * Math.sin(a)].map(function (v) { return v.toFixed(2); }));
        }
        shape = polygon(pts);
        break;
      }
      default: shape = svg("circle", { cx: 9, cy: 9, r: style.dashed ? 6.5 : 7 });
    }
    shape.setAttribute("fill", style.color);
    shape.setAttribute("stroke", style.dashed ? "#b4505f" : "rgba(0,0,0,0.35)");
    shape.setAttribute("stroke-width", style.dashed ? 2 : 1);
    if (style.dashed) shape.setAttribute("stroke-dasharray", "3 2");
    box.appendChild(shape);
    return box;
  }

  function lineSwatch(style) {
    var box = svg("svg", { width: 26, height: 12, viewBox: "0 0 26 12", "aria-hidden": "true" });
    box.appendChild(svg("line", { x1: 1, y1: 6, x2: style.symmetric ? 25 : 19, y2: 6, stroke: style.color, "stroke-width": 2.5 }));
    if (!style.symmetric) box.appendChild(svg("polygon", { points: "18,1.5 25,6 18,10.5", fill: style.color }));
    return box;
  }

  function legendRow(kind, style, swatch) {
    var box = el("input", { type: "checkbox", "data-kind": kind, value: style.name });
    box.checked = true;
    box.addEventListener("change", function () {
      var set = kind === "entity" ? state.typeOn : state.relOn;
      if (box.checked) set.add(style.name); else set.delete(style.name);
      applyFilters();
    });
    return el("li", { class: style.count ? "" : "empty" },
      el("label", { title: style.name + (style.zh ? " · " + style.zh : "") },
        box, swatch, el("span", { class: "name", text: style.name }),
        style.zh ? el("span", { class: "zh", text: style.zh }) : null,
        el("span", { class: "count", text: fmt(style.count) })));
  }

  function buildLegend() {
    var ent = $("entity-legend");
    data.entityTypes.forEach(function (t) { ent.appendChild(legendRow("entity", t, shapeSwatch(t))); });
    var rel = $("relation-legend");
    data.relationTypes.forEach(function (r) { rel.appendChild(legendRow("relation", r, lineSwatch(r))); });
    document.querySelectorAll("[data-all],[data-none]").forEach(function (button) {
      button.addEventListener("click", function () {
        var kind = button.getAttribute("data-all") || button.getAttribute("data-none");
        var on = button.hasAttribute("data-all");
        var set = kind === "entity" ? state.typeOn : state.relOn;
        document.querySelectorAll('input[data-kind="' + kind + '"]').forEach(function (box) {
          box.checked = on;
          if (on) set.add(box.value); else set.delete(box.value);
        });
        applyFilters();
      });
    });
  }

  // ---------------------------------------------------------------- filters

  function applyFilters() {
    var nodeUpdates = [];
    data.nodes.forEach(function (n) {
      var hide = !state.typeOn.has(n.type);
      if ((state.nodeHidden.get(n.id) || false) !== hide) {
        state.nodeHidden.set(n.id, hide);
        nodeUpdates.push({ id: n.id, hidden: hide });
      }
    });
    var edgeUpdates = [];
    data.edges.forEach(function (e) {
      var hide = !state.relOn.has(e.relation) || !!state.nodeHidden.get(e.from) || !!state.nodeHidden.get(e.to) ||
        Number(e.confidence || 0) < state.minConfidence;
      if ((state.edgeHidden.get(e.id) || false) !== hide) {
        state.edgeHidden.set(e.id, hide);
        edgeUpdates.push({ id: e.id, hidden: hide });
      }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
    if (state.selected && state.nodeHidden.get(state.selected)) clearSelection();
    updateStatus();
  }

  function visibleCounts() {
    return {
      nodes: nodes.get({ filter: function (n) { return !n.hidden; } }).length,
      edges: edges.get({ filter: function (e) { return !e.hidden; } }).length,
    };
  }

  function updateStatus() {
    var c = visibleCounts();
    var text = fmt(c.nodes) + " / " + fmt(data.nodes.length) + " entities · " +
      fmt(c.edges) + " / " + fmt(data.edges.length) + " relations";
    if (live) {
      text += " on the page · the graph: " + fmt(data.total.nodes) + " entities, " + fmt(data.total.edges) + " relations";
      if (state.pending) text += " · loading…";
      if (state.error) text += " · " + state.error;
      $("status").textContent = text;
      return;
    }
    if (state.layoutMs !== null) text += " · layout " + (state.layoutMs / 1000).toFixed(1) + " s";
    if (data.total && data.total.nodes > data.nodes.length) {
      text += " · the " + fmt(data.nodes.length) + " best-connected of " + fmt(data.total.nodes) +
        " entities (kg html --focus NAME for the rest)";
    }
    $("status").textContent = text;
  }

  function ensureVisible(id) {
    var n = info.get(id);
    if (n && !state.typeOn.has(n.type)) {
      state.typeOn.add(n.type);
      var box = document.querySelector('input[data-kind="entity"][value="' + CSS.escape(n.type) + '"]');
      if (box) box.checked = true;
      applyFilters();
    }
  }

  // ---------------------------------------------------------------- node size

  function applySize(by) {
    state.sizeBy = by;
    nodes.update(data.nodes.map(function (n) { return { id: n.id, value: Math.max(1, n[by] || 0) }; }));
    document.querySelectorAll('input[name="size-by"]').forEach(function (r) { r.checked = r.value === by; });
  }

  // ---------------------------------------------------------------- search

  function normalise(s) {
    // Same rule as kg.normalize.key minus script conversion (the index holds both scripts).
    return String(s).normalize("NFKC").toLowerCase().replace(/[\s\-_·・]/g, "");
  }

  function search(query, limit) {
    var q = normalise(query);
    if (!q || live) return [];  // live: the server searches (searchRemote)
    var hits = [];
    data.nodes.forEach(function (n) {
      var best = null;
      n.search.forEach(function (pair) {
        var k = pair[0];
        var score = k === q ? 0 : k.indexOf(q) === 0 ? 1 : k.indexOf(q) > 0 ? 2 : null;
        if (score !== null && (best === null || score < best.score)) best = { score: score, via: pair[1] };
      });
      if (best) hits.push({ id: n.id, type: n.type, score: best.score, via: best.via, degree: n.degree });
    });
    hits.sort(function (a, b) {
      return a.score - b.score || b.degree - a.degree || a.id.length - b.id.length || (a.id < b.id ? -1 : 1);
    });
    return hits.slice(0, limit || 10);
  }

  var searchState = { hits: [], active: 0 };

  function renderResults() {
    var list = $("search-results");
    list.replaceChildren();
    var query = $("search").value;
    $("search-empty").hidden = !(normalise(query) && !searchState.hits.length);
    list.hidden = !searchState.hits.length;
    searchState.hits.forEach(function (hit, i) {
      var style = typeStyle.get(hit.type) || { color: "#9aa5b1", shape: "dot" };
      var name = hit.name !== undefined ? hit.name : hit.id;
      list.appendChild(el("li", {
        role: "option", "aria-selected": String(i === searchState.active),
        onmousedown: function (ev) { ev.preventDefault(); choose(hit.id); },
      }, shapeSwatch(style), el("span", { class: "name", text: name }),
        hit.via !== name ? el("span", { class: "via", text: hit.via }) : null));
    });
  }

  var searchSeq = 0;

  /** Live: ask the server (any alias, either script); answers that arrive late are dropped. */
  function searchRemote(query, then) {
    var seq = ++searchSeq;
    if (!normalise(query)) { searchState.hits = []; renderResults(); return; }
    api("search", { q: query, limit: 10 }).then(function (answer) {
      if (seq !== searchSeq) return;
      searchState.hits = answer.hits;
      searchState.active = 0;
      renderResults();
      if (then) then(answer.hits);
    }, function () {});
  }

  function choose(id) {
    var hit = searchState.hits.filter(function (h) { return h.id === id; })[0];
    $("search").value = hit && hit.name !== undefined ? hit.name : nameOf(id);
    $("search-results").hidden = true;
    $("search-empty").hidden = true;
    focusNode(id, true);
  }

  function setupSearch() {
    var input = $("search");
    input.addEventListener("input", function () {
      if (live) { searchRemote(input.value); return; }
      searchState.hits = search(input.value);
      searchState.active = 0;
      renderResults();
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        if (!searchState.hits.length) return;
        ev.preventDefault();
        var n = searchState.hits.length;
        searchState.active = (searchState.active + (ev.key === "ArrowDown" ? 1 : n - 1)) % n;
        renderResults();
      } else if (ev.key === "Enter") {
        ev.preventDefault();
        if (live) {
          var active = searchState.active;
          searchRemote(input.value, function (found) { if (found.length) choose(found[Math.min(active, found.length - 1)].id); });
          return;
        }
        var hits = search(input.value);
        if (hits.length) choose(hits[Math.min(searchState.active, hits.length - 1)].id);
        else { searchState.hits = []; renderResults(); }
      } else if (ev.key === "Escape") {
        input.value = "";
        searchState.hits = [];
        renderResults();
        input.blur();
      }
    });
    input.addEventListener("blur", function () { $("search-results").hidden = true; });
    input.addEventListener("focus", function () { if (searchState.hits.length) renderResults(); });
  }

  // ---------------------------------------------------------------- selection and highlight

  var DIM_NODE = 0.15;
  var EDGE_OPACITY = data.large ? 0.5 : 0.85;  // same rule as html_export.build_network
  var LABEL = options.nodes.font.color;
  var DIM_LABEL = "rgba(31, 41, 51, 0.22)";
  var EDGE_LABEL = options.edges.font.color;
  var DIM_EDGE_LABEL = "rgba(82, 96, 109, 0.15)";

  function edgeColour(e, dim) {
    var c = (relStyle.get(e.relation) || { color: "#adb5bd" }).color;
    return { color: c, highlight: c, hover: c, opacity: dim ? 0.07 : EDGE_OPACITY };
  }

  var dimmedNodes = new Set();
  var dimmedEdges = new Set();

  /** Fade everything that is not the node or one of its direct neighbours (diffs only: fast on hubs). */
  function highlight(id) {
    var keep = new Set([id]);
    var keepEdges = new Set();
    (adjacency.get(id) || []).forEach(function (e) { keep.add(e.from); keep.add(e.to); keepEdges.add(e.id); });
    var nodeUpdates = [];
    data.nodes.forEach(function (n) {
      var dim = !keep.has(n.id);
      if (dim !== dimmedNodes.has(n.id)) {
        if (dim) dimmedNodes.add(n.id); else dimmedNodes.delete(n.id);
        nodeUpdates.push({ id: n.id, opacity: dim ? DIM_NODE : 1, font: { color: dim ? DIM_LABEL : LABEL } });
      }
    });
    var edgeUpdates = [];
    data.edges.forEach(function (e) {
      var dim = !keepEdges.has(e.id);
      if (dim !== dimmedEdges.has(e.id)) {
        if (dim) dimmedEdges.add(e.id); else dimmedEdges.delete(e.id);
        edgeUpdates.push({ id: e.id, color: edgeColour(e, dim), font: { color: dim ? DIM_EDGE_LABEL : EDGE_LABEL } });
      }
    });
    if (nodeUpdates.length) nodes.update(nodeUpdates);
    if (edgeUpdates.length) edges.update(edgeUpdates);
  }

  function unhighlight() {
    if (dimmedNodes.size) {
      nodes.update(Array.from(dimmedNodes, function (id) { return { id: id, opacity: 1, font: { color: LABEL } }; }));
    }
    if (dimmedEdges.size) {
      edges.update(Array.from(dimmedEdges, function (id) {
        return { id: id, color: edgeColour(edgeInfo.get(id), false), font: { color: EDGE_LABEL } };
      }));
    }
    dimmedNodes.clear();
    dimmedEdges.clear();
  }

  function focusNode(id, animate) {
    if (!info.has(id)) {
      if (live) expand(id).then(function () { if (info.has(id)) focusNode(id, animate); });
      return;
    }
    ensureVisible(id);
    network.selectNodes([id], true);
    network.focus(id, {
      scale: Math.max(network.getScale(), data.large ? 0.7 : 1.1),
      // Centre the node in the part of the canvas the detail panel leaves free.
      offset: { x: -Math.min($("details").offsetWidth || 380, container.clientWidth / 2) / 2, y: 0 },
      animation: animate ? { duration: 450, easingFunction: "easeInOutQuad" } : false,
    });
    state.selected = id;
    highlight(id);
    showNode(id);
  }

  function clearSelection() {
    state.selected = null;
    network.unselectAll();
    unhighlight();
    $("details").hidden = true;
  }

  // ---------------------------------------------------------------- detail panel

  function entityLink(id) {
    return el("a", { class: "entity", href: "#", text: nameOf(id), onclick: function (ev) { ev.preventDefault(); focusNode(id, true); } });
  }

  function relBadge(name) {
    var style = relStyle.get(name) || { color: "#adb5bd" };
    return el("span", { class: "rel-badge", style: { background: style.color }, text: name, title: style.zh || name });
  }

  /** The sentence with the relation's two ends in mark elements (each piece a text node). */
  function evidenceText(ev) {
    var frag = document.createDocumentFragment();
    var parts = ev.parts && ev.parts.length ? ev.parts : [[ev.text, null]];
    parts.forEach(function (part) {
      frag.appendChild(part[1] ? el("mark", { class: "end end-" + part[1], text: part[0] }) : document.createTextNode(part[0]));
    });
    return frag;
  }

  function evidenceQuote(ev) {
    var source = (ev.doc_id || "?") + (typeof ev.confidence === "number" ? " · confidence " + ev.confidence.toFixed(2) : "");
    return el("blockquote", {}, "“", evidenceText(ev), "”", el("span", { class: "source", text: source }));
  }

  function evidenceList(e) {
    var frag = document.createDocumentFragment();
    e.evidence.forEach(function (ev) { frag.appendChild(evidenceQuote(ev)); });
    if (e.more_evidence && live) {
      // live: the rest from the server, a page at a time
      var box = el("div");
      var more = el("button", { type: "button", class: "link-like", text: "Show " + fmt(e.more_evidence) + " more sentences" });
      more.addEventListener("click", function () {
        more.disabled = true;
        api("edge/" + e.id.slice(1), { offset: e.evidence.length, limit: 50 }).then(function (answer) {
          answer.evidence.forEach(function (ev) { e.evidence.push(ev); box.appendChild(evidenceQuote(ev)); });
          e.more_evidence = Math.max(0, answer.evidence_total - e.evidence.length);
          more.remove();
          if (e.more_evidence) box.appendChild(el("div", { class: "muted", text: "+" + fmt(e.more_evidence) + " more sentences" }));
        }, function () { more.disabled = false; });
      });
      frag.appendChild(box);
      frag.appendChild(more);
    } else if (e.more_evidence) frag.appendChild(el("div", { class: "muted", text: "+" + e.more_evidence + " more sentences" }));
    return frag;
  }

  /** One relation of the shown entity as a sentence: "刘庆峰 → CHAIRMAN_OF → 科大讯飞". */
  function relationItem(e, self) {
    var arrow = e.symmetric ? "↔" : "→";
    var end = function (id) { return id === self ? el("span", { class: "self", text: nameOf(id) }) : entityLink(id); };
    var row = el("div", { class: "rel-line" }, end(e.from), el("span", { class: "arrow", text: arrow }),
      relBadge(e.relation), el("span", { class: "arrow", text: arrow }), end(e.to));
    return el("li", {}, row, evidenceList(e));
  }

  var PAGE = 60;

  function showNode(id) {
    var n = info.get(id);
    var style = typeStyle.get(n.type) || { color: "#9aa5b1", zh: "" };
    var body = $("details-body");
    body.replaceChildren();
    body.appendChild(el("h2", { text: nameOf(id) }));
    body.appendChild(el("div", {},
      el("span", { class: "type-badge", style: { background: style.color }, text: n.type }),
      style.zh ? el("span", { class: "muted", text: "  " + style.zh }) : null));
    var rels = (adjacency.get(id) || []).slice().sort(function (a, b) {
      return a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : 0;
    });
    var docCount = n.docCount !== undefined ? n.docCount : n.docs.length;
    var relCount = live ? n.degree : rels.length;
    body.appendChild(el("p", { class: "meta", text: fmt(relCount) + " relations · " + fmt(n.mentions) + " mentions in " + fmt(docCount) + " documents" }));
    var names = n.aliases.slice();
    if (n.english && names.indexOf(n.english) < 0) names.push(n.english);
    if (names.length) {
      body.appendChild(el("h3", { text: "Aliases 别名" }));
      var chips = el("div", { class: "chips" });
      names.forEach(function (a) { chips.appendChild(el("span", { class: "chip", text: a })); });
      body.appendChild(chips);
    }
    if (n.docs.length) {
      body.appendChild(el("h3", { text: "Source documents 来源 (" + fmt(docCount) + ")" }));
      var docs = el("div", { class: "docs", text: n.docs.slice(0, 8).join(", ") });
      body.appendChild(docs);
      if (n.docs.length > 8) {
        var all = el("button", { type: "button", class: "link-like", text: "all " + fmt(n.docs.length) });
        all.addEventListener("click", function () {
          docs.textContent = n.docs.join(", ") + (docCount > n.docs.length ? " … (+" + fmt(docCount - n.docs.length) + ")" : "");
          all.remove();
        });
        body.appendChild(all);
      }
    }
    body.appendChild(el("h3", { text: "Relations 关系" }));
    if (!rels.length) body.appendChild(el("p", { class: "muted", text: "No relations." }));
    var list = el("ul", { class: "relations" });
    body.appendChild(list);
    function more(from) {
      rels.slice(from, from + PAGE).forEach(function (e) { list.appendChild(relationItem(e, id)); });
      if (rels.length > from + PAGE) {
        var button = el("button", { type: "button", class: "link-like", text: "Show " + Math.min(PAGE, rels.length - from - PAGE) + " more of " + fmt(rels.length - from - PAGE) });
        button.addEventListener("click", function () { button.remove(); more(from + PAGE); });
        body.appendChild(button);
      }
    }
    more(0);
    if (live) body.appendChild(loadMoreButton(id));
    $("details").hidden = false;
    $("details").scrollTop = 0;
  }

  /** Live: the button that fetches the entity's next page of relations onto the graph. */
  function loadMoreButton(id) {
    var got = state.loaded.get(id);
    var n = info.get(id);
    var total = got ? got.total : n.degree;  // its relations (that pass the filters, once fetched with them)
    var fetched = got ? got.offset : 0;  // fetched for it so far, in the server's order
    var onPage = (adjacency.get(id) || []).length;  // some may have come with another entity's
    var left = total - fetched;
    var box = el("div", { class: "load-more" });
    box.appendChild(el("p", { class: "muted", text: fmt(onPage) + " of " + fmt(total) + " relations" + (got && got.filtered ? " (by the filters)" : "") + " on the page" }));
    if (left > 0) {
      var button = el("button", { type: "button", class: "link-like", id: "expand",
        text: (fetched ? "Show the next " : "Show the first ") + fmt(Math.min(data.page, left)) + " on the graph" });
      button.addEventListener("click", function () {
        button.disabled = true;
        expand(id).then(function () { if (state.selected === id) showNode(id); });
      });
      box.appendChild(button);
    }
    return box;
  }

  function showEdge(edgeId) {
    var e = edgeInfo.get(edgeId);
    if (!e) return;
    var body = $("details-body");
    body.replaceChildren();
    var arrow = e.symmetric ? "↔" : "→";
    body.appendChild(el("h2", {}, entityLink(e.from), " " + arrow + " ", entityLink(e.to)));
    var style = relStyle.get(e.relation) || {};
    body.appendChild(el("div", {}, relBadge(e.relation), style.zh ? el("span", { class: "muted", text: "  " + style.zh }) : null));
    body.appendChild(el("p", { class: "meta", text: "confidence " + Number(e.confidence || 0).toFixed(2) }));
    body.appendChild(el("h3", { text: "Evidence 证据" }));
    body.appendChild(evidenceList(e));
    $("details").hidden = false;
    $("details").scrollTop = 0;
  }

  // ---------------------------------------------------------------- live: the server's API

  /** GET api/<path>?<params> as JSON; a failure shows in the status line and rejects. */
  function api(path, params) {
    var query = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      var v = params[k];
      (Array.isArray(v) ? v : [v]).forEach(function (x) { if (x !== null && x !== undefined) query.append(k, x); });
    });
    state.pending += 1;
    updateStatus();
    return fetch(data.api + path + "?" + query.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body && body.error ? body.error : "HTTP " + response.status);
          state.error = null;
          return body;
        });
      })
      .catch(function (err) { state.error = "error: " + err.message; throw err; })
      .finally(function () { state.pending -= 1; updateStatus(); });
  }

  /** The filters as the API takes them: what is hidden on the page is not fetched either. */
  function filterParams() {
    var types = data.entityTypes.map(function (t) { return t.name; });
    var rels = data.relationTypes.map(function (r) { return r.name; });
    return {
      type: state.typeOn.size < types.length ? Array.from(state.typeOn) : null,
      relation: state.relOn.size < rels.length ? Array.from(state.relOn) : null,
      min_confidence: state.minConfidence || null,
    };
  }

  var pairCount = new Map();

  /** Several relations between the same two entities fan out (as on the static page). */
  function withCurve(visEdge) {
    var pair = visEdge.from < visEdge.to ? visEdge.from + "|" + visEdge.to : visEdge.to + "|" + visEdge.from;
    var nth = pairCount.get(pair) || 0;
    pairCount.set(pair, nth + 1);
    if (nth) visEdge.smooth = { enabled: true, type: "curvedCW", roundness: 0.15 + 0.2 * (nth - 1) };
    return visEdge;
  }

  var rings = 0;

  /** Where a new cluster goes: right of everything on the page. */
  function freeSpot(radius) {
    var pos = network.getPositions();
    var ids = Object.keys(pos);
    if (!ids.length) return { x: 0, y: 0 };
    var right = Math.max.apply(null, ids.map(function (k) { return pos[k].x; }));
    var ys = ids.map(function (k) { return pos[k].y; });
    return { x: right + radius + 160, y: (Math.min.apply(null, ys) + Math.max.apply(null, ys)) / 2 };
  }

  /** Add fetched entities and relations: ``centre`` (an id) stays where it is, or starts a new cluster
   *  beside the others; the entities new to the page go on a ring around it. */
  function addItems(nodeRecs, edgeRecs, centre) {
    var fresh = nodeRecs.filter(function (n) { return !info.has(n.id); });
    var ring = fresh.filter(function (n) { return n.id !== centre; });
    var radius = 140 + 9 * ring.length;
    var origin = nodes.get(centre) ? network.getPositions([centre])[centre] : freeSpot(radius);
    var turn = (rings++ % 7) * 0.37;  // successive rings do not line up
    var visNodes = fresh.map(function (n) {
      info.set(n.id, n);
      data.nodes.push(n);
      var v = Object.assign({}, n.vis);
      var i = ring.indexOf(n);
      if (i < 0) { v.x = origin.x; v.y = origin.y; } else {
        var a = turn + 2 * Math.PI * i / ring.length;
        v.x = origin.x + radius * Math.cos(a);
        v.y = origin.y + radius * Math.sin(a);
      }
      return v;
    });
    var visEdges = [];
    edgeRecs.forEach(function (e) {
      if (edgeInfo.has(e.id)) return;
      edgeInfo.set(e.id, e);
      data.edges.push(e);
      link(e.from, e);
      if (e.to !== e.from) link(e.to, e);
      visEdges.push(withCurve(Object.assign({}, e.vis)));
    });
    if (visNodes.length) nodes.add(visNodes);
    if (visEdges.length) edges.add(visEdges);
    $("empty").hidden = data.nodes.length > 0;
    applyFilters();
  }

  /** Fetch the next page of an entity's relations (with the filters) onto the graph. */
  function expand(id) {
    var got = state.loaded.get(id) || { offset: 0, total: null };
    var params = Object.assign({ offset: got.offset, limit: data.page }, filterParams());
    return api("neighbourhood/" + id, params).then(function (answer) {
      var filtered = params.type || params.relation || params.min_confidence;
      state.loaded.set(id, { offset: got.offset + answer.edges.length, total: answer.total, filtered: !!filtered });
      addItems([answer.centre].concat(answer.nodes), answer.edges, answer.centre.id);
    });
  }

  /** The shortest path between two names (any alias), added to the graph and shown in the panel. */
  function findPath(a, b) {
    return api("path", { a: a, b: b }).then(function (answer) {
      addItems(answer.nodes, answer.edges, answer.nodes.length ? answer.nodes[0].id : null);
      var body = $("details-body");
      body.replaceChildren();
      body.appendChild(el("h2", { text: "Path 路径" }));
      if (!answer.edges.length) {
        body.appendChild(el("p", { class: "muted", text: answer.same ? "One entity." : "No path between them." }));
      }
      var list = el("ul", { class: "relations" });
      answer.edges.forEach(function (e) { list.appendChild(relationItem(e, null)); });
      body.appendChild(list);
      $("details").hidden = false;
      if (answer.nodes.length) {
        network.selectNodes(answer.nodes.map(function (n) { return n.id; }), false);
        network.fit({ nodes: answer.nodes.map(function (n) { return n.id; }), animation: { duration: 400 } });
      }
      return answer;
    });
  }

  // ---------------------------------------------------------------- network and layout

  var container = $("network");
  var network = new vis.Network(container, {}, options);
  var started = performance.now();

  function showLoading(show) { $("loading").hidden = !show; }

  network.on("stabilizationProgress", function (p) {
    var pct = Math.round(100 * p.iterations / Math.max(p.total, 1));
    $("loading-bar").style.width = pct + "%";
    $("loading-text").textContent = "Laying out " + fmt(data.nodes.length) + " entities… " + pct + "%";
  });

  /** Line up entities without relations in a grid, grouped by type, beside or below the laid-out
   *  graph: whichever keeps the whole picture closest to the canvas's shape (so "fit" zooms less). */
  function placeIsolated() {
    var lonely = data.nodes.filter(function (n) { return !n.degree; });
    if (!lonely.length) return;
    var order = data.entityTypes.map(function (t) { return t.name; });
    lonely.sort(function (a, b) {
      return order.indexOf(a.type) - order.indexOf(b.type) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    });
    var ids = data.nodes.filter(function (n) { return n.degree; }).map(function (n) { return n.id; });
    var box = { left: 0, right: 0, top: 0, bottom: 0 };
    if (ids.length) {
      var pos = network.getPositions(ids);
      var xs = ids.map(function (id) { return pos[id].x; });
      var ys = ids.map(function (id) { return pos[id].y; });
      box = { left: Math.min.apply(null, xs), right: Math.max.apply(null, xs),
              top: Math.min.apply(null, ys), bottom: Math.max.apply(null, ys) };
    }
    // Column width from the longer labels (CJK glyphs are about one font size wide).
    var lengths = lonely.map(function (n) { return n.id.length; }).sort(function (a, b) { return a - b; });
    var p90 = lengths[Math.floor(0.9 * (lengths.length - 1))];
    var dx = Math.max(110, Math.min(320, 14 * p90 + 30)), dy = 70, gap = 2 * dy;
    var n = lonely.length;
    var aspect = container.clientWidth / Math.max(container.clientHeight, 1);
    var w = box.right - box.left, h = box.bottom - box.top;
    function misfit(width, height) { var r = width / Math.max(height, 1); return Math.max(r / aspect, aspect / r); }
    var below = Math.max(Math.floor(w / dx) + 1, Math.ceil(Math.sqrt(n * dy / dx * aspect)), 1);
    var belowFit = misfit(Math.max(w, (below - 1) * dx), h + gap + Math.ceil(n / below) * dy);
    var rows = Math.max(Math.floor(h / dy) + 1, 1);
    var right = Math.ceil(n / rows);
    var rightFit = misfit(w + gap + right * dx, Math.max(h, (Math.min(rows, n) - 1) * dy));
    var place;
    if (!ids.length || belowFit <= rightFit) {
      var x0 = ids.length ? box.left : -(Math.min(below, n) - 1) * dx / 2;
      var y0 = ids.length ? box.bottom + gap : 0;
      place = function (i) { return { x: x0 + (i % below) * dx, y: y0 + Math.floor(i / below) * dy }; };
    } else {
      place = function (i) { return { x: box.right + gap + Math.floor(i / rows) * dx, y: box.top + (i % rows) * dy }; };
    }
    nodes.update(lonely.map(function (node, i) { var p = place(i); return { id: node.id, x: p.x, y: p.y }; }));
  }

  network.on("stabilizationIterationsDone", function () {
    // Freeze the layout: a large force-directed graph never fully settles, so stop it ourselves.
    network.setOptions({ physics: { enabled: false } });
    placeIsolated();
    network.fit();
    state.layoutRuns += 1;
    if (state.layoutMs === null) state.layoutMs = performance.now() - started;
    state.stabilized = true;
    showLoading(false);
    updateStatus();
    if (!live && state.layoutRuns === 1 && data.focus && info.has(data.focus)) focusNode(data.focus, false);
  });

  network.on("doubleClick", function (params) {
    if (live && params.nodes.length) expand(params.nodes[0]).then(function () { showNode(params.nodes[0]); });
  });

  network.on("click", function (params) {
    if (params.nodes.length) {
      state.selected = params.nodes[0];
      highlight(params.nodes[0]);
      showNode(params.nodes[0]);
    } else if (params.edges.length) {
      unhighlight();
      state.selected = null;
      showEdge(params.edges[0]);
    } else {
      clearSelection();
    }
  });
  network.on("hoverNode", function () { container.style.cursor = "pointer"; });
  network.on("blurNode", function () { container.style.cursor = "default"; });

  function relayout() {
    state.stabilized = false;
    showLoading(true);
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(options.physics.stabilization.iterations);
  }

  // ---------------------------------------------------------------- wiring

  buildLegend();
  setupSearch();
  document.querySelectorAll('input[name="size-by"]').forEach(function (r) {
    r.addEventListener("change", function () { if (r.checked) applySize(r.value); });
  });
  document.querySelectorAll('input[name="size-by"]').forEach(function (r) { r.checked = r.value === state.sizeBy; });
  $("fit").addEventListener("click", function () { network.fit({ animation: { duration: 400 } }); });
  $("relayout").addEventListener("click", relayout);
  $("details-close").addEventListener("click", clearSelection);
  var confidence = $("min-confidence");
  if (confidence) {
    confidence.addEventListener("input", function () {
      state.minConfidence = Number(confidence.value);
      $("min-confidence-value").textContent = state.minConfidence.toFixed(2);
      applyFilters();
    });
  }
  if (live && $("path-form")) {
    $("path-form").addEventListener("submit", function (ev) {
      ev.preventDefault();
      findPath($("path-from").value, $("path-to").value).catch(function () {});
    });
  }
  document.addEventListener("keydown", function (ev) {
    var typing = ev.target && (ev.target.tagName === "INPUT" || ev.target.tagName === "TEXTAREA");
    if (ev.key === "/" && !typing) { ev.preventDefault(); $("search").focus(); }
    else if (ev.key === "Escape" && !typing) clearSelection();
  });

  if (live) {
    network.setData({ nodes: nodes, edges: edges });
    state.stabilized = true;
    state.layoutMs = 0;
    $("empty").hidden = data.focus !== null;
    if (data.focus !== null) {
      expand(data.focus).then(function () { focusNode(data.focus, false); network.fit(); }, function () {});
    }
  } else if (!data.nodes.length) {
    $("empty").hidden = false;
    state.stabilized = true;
    state.layoutMs = 0;
  } else {
    if (data.showProgress) showLoading(true);
    network.setData({ nodes: nodes, edges: edges });
  }
  updateStatus();

  // A small handle for tests and the browser console.
  window.kg = {
    network: network, nodes: nodes, edges: edges, data: data, state: state, live: live,
    visibleCounts: visibleCounts, search: search, focusNode: focusNode, clearSelection: clearSelection,
    expand: expand, findPath: findPath, nameOf: nameOf,
  };
})();
