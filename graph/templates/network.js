/* labourgraph network view. Every string from documents is data: only textContent, never
   innerHTML; links only for http(s) URLs. Exposes window.labourgraph for tests. */
(function () {
  "use strict";
  var BIDI = /[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;
  function clean(s) { return (s === null || s === undefined ? "" : String(s)).replace(BIDI, ""); }

  /* Unpack the JSON that view.py packs (layout documented in view._payload) into node, edge
     and detail objects; view.vis_data() computes the same vis-network items in Python. */
  function unpack(P) {
    var kinds = [], incidentTypes = [], rowOf = [];
    P.types.forEach(function (t) {
      var row = { key: t[0], name: t[1], shape: t[2], colour: t[3], family: t[4] };
      rowOf.push(row);
      if (t[4]) incidentTypes.push([t[0], t[4], t[3]]); else kinds.push([t[0], t[1], t[2], t[3]]);
    });
    var docs = {}, docIds = P.docs.map(function (d) {
      docs[d[0]] = { title: d[1], publisher: d[2], published: d[3], url: d[4] };
      return d[0];
    });
    var details = {}, ids = [];
    var nodes = P.nodes.map(function (a, i) {
      var row = rowOf[a[4]], incident = !!row.family || row.key === "Incident", id = P.base + a[0];
      var D = P.details[i];
      ids.push(id);
      details[id] = {
        label: a[1], aliases: a[7], weight: a[5], date_text: D[0], precision: D[1], place: D[2],
        conventions: D[3], reports: D[4].map(function (k) { return docIds[k]; }),
        evidence: D[5].map(function (e) { return [P.quotes[e[3]], docIds[e[0]], e[1], e[2], e[4] || "", e[5] || ""]; })
      };
      return {
        id: id, label: shortLabel(a[1], P.labelMax), x: a[2], y: a[3], shape: row.shape, color: row.colour,
        size: Math.round(Math.min(42, 9 + 5 * Math.sqrt(Math.max(a[5], 0))) * 10) / 10,
        kind: incident ? "Incident" : row.key, itype: row.family ? row.key : "",
        country: a[6] < 0 ? "" : P.countries[a[6]], d0: a[9], d1: a[10],
        names: [a[1]].concat(a[7]), keys: a[8], fields: null  // search forms, made on first search
      };
    });
    var edges = P.edges.map(function (e, i) {
      var kind = P.edgeKinds[e[2]], c = kind[1];
      return { id: "e" + i, from: ids[e[0]], to: ids[e[1]], kind: kind[0], label: e.length > 3 ? e[3] : kind[0],
               color: { color: c, highlight: c, hover: c, opacity: 0.85 } };
    });
    return {
      raw: { nodes: nodes, edges: edges, options: P.options },
      extra: { title: P.title, details: details, docs: docs, countries: P.countries, kinds: kinds,
               incidentTypes: incidentTypes, edgeKinds: P.edgeKinds }
    };
  }
  function fold(s) {
    return clean(s).normalize("NFD").replace(/\p{Mn}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
  }
  function shortLabel(s, max) {
    s = clean(s).split(/\s+/).filter(Boolean).join(" ");
    var chars = Array.from(s);
    return chars.length <= max ? s : chars.slice(0, max - 1).join("").trimEnd() + "\u2026";
  }
  /* The data is deflated and base64-encoded (view.py): a third of the size, and inert inside
     the HTML whatever the documents contain. */
  function load() {
    var text = atob(document.getElementById("lg-data").textContent.trim());
    var bytes = new Uint8Array(text.length);
    for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }
  function fail(err) {
    var panel = document.getElementById("lg-panel");
    panel.textContent = "This view needs a browser from 2023 or later (" + clean(err && err.message) + ").";
    console.error(err);
  }
  function start(P) {
    var U = unpack(P);
    var RAW = U.raw, X = U.extra;
    var SVGNS = "http://www.w3.org/2000/svg";
    var DIM = { background: "#e4e7e9", border: "#d3d7da" };
    var FONT = RAW.options.nodes.font.color;
    var DIM_MAX = 1000;  // nodes + edges: dimming non-neighbours costs ~150 ms per click at 1k nodes

    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) e.className = cls;
      if (text !== undefined && text !== null) { e.textContent = clean(text); e.dir = "auto"; }
      return e;
    }
    function safeUrl(u) {
      u = clean(u).trim();
      if (!/^https?:\/\//i.test(u)) return null;
      try {
        var p = new URL(u);
        return p.protocol === "http:" || p.protocol === "https:" ? p.href : null;
      } catch (e) { return null; }
    }
    function docLink(url, text) {
      var href = safeUrl(url);
      if (!href) return el("span", url ? "lg-inert" : "", url ? text + " (" + clean(url) + ")" : text);
      var a = el("a", "", text);
      a.href = href; a.target = "_blank"; a.rel = "noopener noreferrer";
      return a;
    }
    function swatch(shape, colour, size) {
      size = size || 14;
      var s = document.createElementNS(SVGNS, "svg"), h = size / 2, r = h - 1.5, shp;
      s.setAttribute("width", size); s.setAttribute("height", size);
      s.setAttribute("class", "lg-swatch"); s.setAttribute("aria-hidden", "true");
      function poly(pts) {
        shp = document.createElementNS(SVGNS, "polygon");
        shp.setAttribute("points", pts.map(function (p) { return (h + p[0] * r).toFixed(2) + "," + (h + p[1] * r).toFixed(2); }).join(" "));
      }
      if (shape === "square") { shp = document.createElementNS(SVGNS, "rect");
        shp.setAttribute("x", h - r * .8); shp.setAttribute("y", h - r * .8);
        shp.setAttribute("width", r * 1.6); shp.setAttribute("height", r * 1.6); }
      else if (shape === "triangle") poly([[0, -1], [0.95, 0.75], [-0.95, 0.75]]);
      else if (shape === "triangleDown") poly([[0, 1], [0.95, -0.75], [-0.95, -0.75]]);
      else if (shape === "diamond") poly([[0, -1], [1, 0], [0, 1], [-1, 0]]);
      else if (shape === "hexagon") poly([0, 1, 2, 3, 4, 5].map(function (i) { var a = Math.PI / 3 * i; return [Math.cos(a), Math.sin(a)]; }));
      else if (shape === "star") poly([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(function (i) { var a = Math.PI / 5 * i - Math.PI / 2, k = i % 2 ? 0.45 : 1; return [k * Math.cos(a), k * Math.sin(a)]; }));
      else if (shape === "line") { shp = document.createElementNS(SVGNS, "line");
        shp.setAttribute("x1", 1); shp.setAttribute("x2", size - 1); shp.setAttribute("y1", h); shp.setAttribute("y2", h);
        shp.setAttribute("stroke", colour); shp.setAttribute("stroke-width", 2.5); }
      else { shp = document.createElementNS(SVGNS, "circle");
        shp.setAttribute("cx", h); shp.setAttribute("cy", h); shp.setAttribute("r", r * .9); }
      if (shape !== "line") { shp.setAttribute("fill", colour); shp.setAttribute("stroke", "rgba(0,0,0,.35)"); }
      s.appendChild(shp);
      return s;
    }

    /* ---------- data model ---------- */
    var KIND = {}, ITYPE = {};
    X.kinds.forEach(function (k) { KIND[k[0]] = { name: k[1], shape: k[2], colour: k[3] }; });
    X.incidentTypes.forEach(function (t) { ITYPE[t[0]] = { family: t[1], colour: t[2] }; });
    var byId = new Map(), adj = new Map();
    RAW.nodes.forEach(function (n) { byId.set(n.id, n); adj.set(n.id, []); });
    RAW.edges.forEach(function (e) {
      adj.get(e.from).push({ edge: e, other: e.to, out: true });
      adj.get(e.to).push({ edge: e, other: e.from, out: false });
    });
    function typeKey(n) { return n.kind === "Incident" ? n.itype || "Incident" : n.kind; }
    function kindName(n) {
      if (n.kind === "Incident") return "Incident" + (n.itype ? " · " + n.itype : "");
      return KIND[n.kind] ? KIND[n.kind].name : n.kind;
    }

    var nodes = new vis.DataSet(RAW.nodes.map(function (n) {
      return { id: n.id, label: n.label, x: n.x, y: n.y, shape: n.shape, color: n.color, size: n.size };
    }));
    var edges = new vis.DataSet(RAW.edges.map(function (e) {
      return { id: e.id, from: e.from, to: e.to, label: e.label, color: e.color };
    }));
    var container = document.getElementById("lg-network");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, RAW.options);
    network.once("afterDrawing", function () { document.body.dataset.ready = "1"; });
    if (RAW.options.physics.enabled) {
      network.once("stabilizationIterationsDone", function () { network.setOptions({ physics: false }); });
    }

    /* ---------- filters ---------- */
    var state = { types: {}, from: "", to: "", country: "", selected: null, dimmed: new Set(), hidden: new Set() };
    function passes(n) {
      if (state.types[typeKey(n)] === false) return false;
      if (n.kind === "Incident" && state.types.Incident === false) return false;
      if (n.kind === "Incident" && (state.from || state.to)) {
        if (!n.d0) return false;
        if (state.from && n.d1 < state.from) return false;
        if (state.to && n.d0 > state.to) return false;
      }
      return true;
    }
    function applyFilters() {
      var show = new Set();
      RAW.nodes.forEach(function (n) {
        if (passes(n) && (!state.country || n.country === state.country)) show.add(n.id);
      });
      if (state.country) {  // country-less nodes stay when linked to a shown node
        RAW.nodes.forEach(function (n) {
          if (!n.country && passes(n) && adj.get(n.id).some(function (a) { return show.has(a.other) && byId.get(a.other).country; })) show.add(n.id);
        });
      }
      var nodeUp = [], edgeUp = [], hidden = new Set();
      RAW.nodes.forEach(function (n) {
        var h = !show.has(n.id);
        if (h) hidden.add(n.id);
        if (h !== state.hidden.has(n.id)) nodeUp.push({ id: n.id, hidden: h });
      });
      RAW.edges.forEach(function (e) {
        var h = hidden.has(e.from) || hidden.has(e.to);
        if (h !== (state.hidden.has(e.from) || state.hidden.has(e.to))) edgeUp.push({ id: e.id, hidden: h });
      });
      state.hidden = hidden;
      if (nodeUp.length) nodes.update(nodeUp);
      if (edgeUp.length) edges.update(edgeUp);
      document.getElementById("lg-counts").textContent =
        (RAW.nodes.length - hidden.size) + " of " + RAW.nodes.length + " nodes shown";
      timeline.refresh();
    }
    function setTypeFilter(kind, visible) {
      state.types[kind] = !!visible;
      document.querySelectorAll("#lg-legend input[type=checkbox]").forEach(function (box) {
        if (box.value === kind) box.checked = !!visible;
      });
      applyFilters();
    }
    function setTimeRange(from, to) {
      from = from ? String(from).slice(0, 10) : ""; to = to ? String(to).slice(0, 10) : "";
      if (from && to && from > to) { var t = from; from = to; to = t; }
      state.from = from; state.to = to;
      document.getElementById("lg-from").value = from;
      document.getElementById("lg-to").value = to;
      applyFilters();
    }
    function setCountry(c) {
      state.country = c || ""; document.getElementById("lg-country").value = state.country; applyFilters();
    }
    function visibleNodeIds() {
      return RAW.nodes.filter(function (n) { return !state.hidden.has(n.id); }).map(function (n) { return n.id; });
    }

    /* ---------- selection, neighbours, panel ---------- */
    function dim(ids) {
      var up = [], eUp = [];
      RAW.nodes.forEach(function (n) {
        var d = ids !== null && !ids.has(n.id);
        if (d !== state.dimmed.has(n.id)) up.push(d ? { id: n.id, color: DIM, font: { color: "#b0b6ba" } } : { id: n.id, color: n.color, font: { color: FONT } });
        if (d) state.dimmed.add(n.id); else state.dimmed.delete(n.id);
      });
      RAW.edges.forEach(function (e) {
        var d = ids !== null && !(e.from === state.selected || e.to === state.selected);
        if (d !== !!e.dim) { eUp.push({ id: e.id, color: d ? { color: "#e0e3e5", opacity: 0.6 } : e.color }); e.dim = d; }
      });
      if (up.length) nodes.update(up);
      if (eUp.length) edges.update(eUp);
    }
    function select(id, opts) {
      opts = opts || {};
      var n = byId.get(id);
      if (!n) return false;
      state.selected = id;
      var near = new Set([id]);
      adj.get(id).forEach(function (a) { near.add(a.other); });
      if (RAW.nodes.length + RAW.edges.length <= DIM_MAX) dim(near);
      network.setSelection({ nodes: Array.from(near), edges: adj.get(id).map(function (a) { return a.edge.id; }) },
        { unselectAll: true, highlightEdges: false });
      if (opts.focus !== false && !state.hidden.has(id)) {
        network.focus(id, { scale: Math.max(network.getScale(), 0.9), animation: { duration: 300, easingFunction: "easeInOutQuad" } });
      }
      panel.show(n);
      timeline.refresh();
      return true;
    }
    function unselect() {
      state.selected = null; dim(null); network.unselectAll(); panel.empty(); timeline.refresh();
    }
    function nodeButton(id, prefix) {
      var n = byId.get(id), b = el("button", "lg-link"), box = el("span");
      b.type = "button";
      if (prefix) box.appendChild(el("span", "lg-role", prefix + " "));
      box.appendChild(el("span", "", X.details[id].label));
      b.appendChild(swatch(n.shape, n.color, 11)); b.appendChild(document.createTextNode(" ")); b.appendChild(box);
      b.addEventListener("click", function () { select(id); });
      return b;
    }
    var panel = (function () {
      var root = document.getElementById("lg-panel");
      function clear() { while (root.firstChild) root.removeChild(root.firstChild); }
      function row(dl, term, value) {
        if (value === "" || value === null || value === undefined) return;
        dl.appendChild(el("dt", "", term));
        var dd = el("dd");
        if (value instanceof Node) dd.appendChild(value); else { dd.textContent = clean(value); dd.dir = "auto"; }
        dl.appendChild(dd);
      }
      function docTitle(docId) {
        var d = X.docs[docId];
        return d && d.title ? d.title : docId;
      }
      function empty() {
        clear();
        root.appendChild(el("h2", "", "Details"));
        root.appendChild(el("p", "lg-note", "Click a node, a timeline mark or a search result to see who and what it is, and the quotes that support it."));
        var dl = el("dl");
        row(dl, "Nodes", String(RAW.nodes.length));
        row(dl, "Links", String(RAW.edges.length));
        row(dl, "Documents", String(Object.keys(X.docs).length));
        root.appendChild(dl);
      }
      function show(n) {
        var d = X.details[n.id];
        clear();
        root.appendChild(el("h2", "", d.label));
        var kl = el("div", "lg-kindline");
        kl.appendChild(swatch(n.shape, n.color, 14)); kl.appendChild(el("span", "", kindName(n)));
        root.appendChild(kl);
        var dl = el("dl");
        if (d.aliases.length) row(dl, "Also", d.aliases.join(" · "));
        row(dl, "Country", n.country);
        if (n.kind === "Incident") {
          row(dl, "Date", d.date_text || (n.d0 ? "" : "unknown"));
          if (n.d0) row(dl, "Between", (n.d0 === n.d1 ? n.d0 : n.d0 + " – " + n.d1) + (d.precision ? " (" + d.precision + ")" : ""));
          row(dl, "Place", d.place);
          if (d.conventions.length) row(dl, "Conventions", d.conventions.join(", "));
        } else {
          row(dl, "Incidents", String(d.weight));
        }
        root.appendChild(dl);
        if (n.kind === "Incident" || d.reports.length) {
          var publishers = new Set(d.reports.map(function (r) { return (X.docs[r] || {}).publisher || r; }));
          root.appendChild(el("h3", "", "Reported by " + d.reports.length + " document" + (d.reports.length === 1 ? "" : "s") +
            (d.reports.length > 1 ? " from " + publishers.size + " publisher" + (publishers.size === 1 ? "" : "s") : "")));
          var ul = el("ul");
          d.reports.forEach(function (r) {
            var li = el("li"), doc = X.docs[r] || {};
            li.appendChild(docLink(doc.url, docTitle(r)));
            if (doc.publisher || doc.published) li.appendChild(el("span", "lg-role", " — " + [doc.publisher, doc.published].filter(Boolean).join(", ")));
            ul.appendChild(li);
          });
          root.appendChild(ul);
        }
        var links = adj.get(n.id);
        if (links.length) {
          root.appendChild(el("h3", "", "Connections (" + links.length + ")"));
          var cl = el("ul");
          links.slice().sort(function (a, b) { return a.edge.label < b.edge.label ? -1 : a.edge.label > b.edge.label ? 1 : 0; }).forEach(function (a) {
            var li = el("li");
            li.appendChild(nodeButton(a.other, (a.out ? "→ " : "← ") + a.edge.label));
            cl.appendChild(li);
          });
          root.appendChild(cl);
        }
        root.appendChild(el("h3", "", "Evidence (" + d.evidence.length + ")"));
        if (!d.evidence.length) root.appendChild(el("p", "lg-note", "No quotes recorded."));
        d.evidence.forEach(function (ev) {
          var doc = X.docs[ev[1]] || {};
          var bq = el("blockquote", "lg-quote");  // context before and after, the quote marked
          if (ev[4]) bq.appendChild(el("span", "lg-ctx", "…" + ev[4].replace(/\s+/g, " ")));
          bq.appendChild(el("mark", "", ev[0]));
          if (ev[5]) bq.appendChild(el("span", "lg-ctx", ev[5].replace(/\s+/g, " ") + "…"));
          root.appendChild(bq);
          var cite = el("div", "lg-cite");
          cite.appendChild(docLink(doc.url, docTitle(ev[1])));
          var meta = [doc.publisher, doc.published].filter(Boolean).join(", ");
          if (meta) cite.appendChild(el("span", "", " — " + meta));
          cite.appendChild(el("span", "lg-role", " [chars " + ev[2] + "–" + ev[3] + "]"));
          root.appendChild(cite);
        });
        root.appendChild(el("div", "lg-iri", n.id));
        root.scrollTop = 0;
      }
      return { show: show, empty: empty };
    })();

    /* ---------- search ---------- */
    function matches(text) {
      var q = fold(text);
      if (!q) return [];
      var hits = [];
      RAW.nodes.forEach(function (n) {
        var best = 9;
        if (!n.fields) {
          n.fields = [];
          n.names.map(fold).concat(n.keys).forEach(function (f) { if (f && n.fields.indexOf(f) < 0) n.fields.push(f); });
        }
        n.fields.forEach(function (f) {
          var i = f.indexOf(q), word = i >= 0 && !/[\p{L}\p{N}]/u.test(f.charAt(i + q.length));
          var s = f === q ? 0 : i < 0 ? 9 : (i === 0 ? 1 : /[\p{L}\p{N}]/u.test(f.charAt(i - 1)) ? 5 : 3) + (word ? 0 : 1);
          if (s < best) best = s;
        });
        if (best < 9) hits.push([best, -X.details[n.id].weight, n.label, n.id]);
      });
      hits.sort(function (a, b) { for (var i = 0; i < 4; i++) { if (a[i] < b[i]) return -1; if (a[i] > b[i]) return 1; } return 0; });
      return hits.map(function (h) { return h[3]; });
    }
    var results = document.getElementById("lg-results"), searchBox = document.getElementById("lg-search");
    function showResults(ids) {
      while (results.firstChild) results.removeChild(results.firstChild);
      ids.slice(0, 40).forEach(function (id) {
        var n = byId.get(id), li = el("li"), b = el("button");
        b.type = "button"; b.setAttribute("role", "option");
        b.appendChild(swatch(n.shape, n.color, 12));
        b.appendChild(el("span", "", X.details[id].label));
        b.appendChild(el("span", "lg-sub", kindName(n)));
        b.addEventListener("click", function () { results.hidden = true; select(id); });
        b.addEventListener("keydown", function (ev) {
          var sib = ev.key === "ArrowDown" ? li.nextSibling : ev.key === "ArrowUp" ? li.previousSibling : null;
          if (sib) { ev.preventDefault(); sib.firstChild.focus(); }
          else if (ev.key === "ArrowUp") { ev.preventDefault(); searchBox.focus(); }
          else if (ev.key === "Escape") { results.hidden = true; searchBox.focus(); }
        });
        li.appendChild(b); results.appendChild(li);
      });
      if (!ids.length && searchBox.value.trim()) results.appendChild(el("li", "lg-note", "No match"));
      results.hidden = !searchBox.value.trim();
    }
    function search(text) {
      searchBox.value = clean(text);
      var ids = matches(text);
      showResults(ids);
      if (ids.length) select(ids[0]);
      return ids;
    }
    searchBox.addEventListener("input", function () { showResults(matches(searchBox.value)); });
    searchBox.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") { var ids = matches(searchBox.value); if (ids.length) { results.hidden = true; select(ids[0]); } }
      else if (ev.key === "ArrowDown" && results.firstChild && results.firstChild.firstChild) { ev.preventDefault(); results.firstChild.firstChild.focus(); }
      else if (ev.key === "Escape") results.hidden = true;
    });
    document.addEventListener("click", function (ev) {
      if (!document.getElementById("lg-searchbox").contains(ev.target)) results.hidden = true;
    });

    /* ---------- legend + controls ---------- */
    function legendRow(parent, key, name, shape, colour, count, checkable) {
      var row = el("label", "lg-row" + (count === 0 ? " lg-empty" : ""));
      if (checkable) {
        var box = el("input"); box.type = "checkbox"; box.checked = true; box.value = key;
        box.addEventListener("change", function () { setTypeFilter(key, box.checked); });
        row.appendChild(box);
      }
      row.appendChild(swatch(shape, colour, 14));
      row.appendChild(el("span", "", name));
      if (count !== null) row.appendChild(el("span", "lg-count", String(count)));
      parent.appendChild(row);
    }
    var counts = {};
    RAW.nodes.forEach(function (n) { var k = typeKey(n); counts[k] = (counts[k] || 0) + 1; });
    X.kinds.forEach(function (k) {
      if (k[0] !== "Incident") legendRow(document.getElementById("lg-kinds"), k[0], k[1], k[2], k[3], counts[k[0]] || 0, true);
    });
    var itypes = document.getElementById("lg-itypes"), family = null;
    X.incidentTypes.forEach(function (t) {
      if (t[1] !== family) { family = t[1]; itypes.appendChild(el("h3", "", family)); }
      legendRow(itypes, t[0], t[0].replace(/([a-z])([A-Z])/g, "$1 $2"), "diamond", t[2], counts[t[0]] || 0, true);
    });
    X.edgeKinds.forEach(function (e) {
      legendRow(document.getElementById("lg-edgekinds"), e[0], e[0].replace(/_/g, " "), "line", e[1], null, false);
    });
    var countrySel = document.getElementById("lg-country");
    X.countries.forEach(function (c) { var o = el("option", "", c); o.value = c; countrySel.appendChild(o); });
    countrySel.addEventListener("change", function () { setCountry(countrySel.value); });
    ["lg-from", "lg-to"].forEach(function (id) {
      document.getElementById(id).addEventListener("change", function () {
        setTimeRange(document.getElementById("lg-from").value, document.getElementById("lg-to").value);
      });
    });
    document.getElementById("lg-clear-period").addEventListener("click", function () { setTimeRange("", ""); });
    function setLabels(on) { network.setOptions({ nodes: { font: { size: on ? RAW.options.nodes.font.size : 0 } } }); }
    function setEdgeLabels(on) { network.setOptions({ edges: { font: { size: on ? 9 : 0 } } }); }
    var labelsBox = document.getElementById("lg-labels"), edgeBox = document.getElementById("lg-edge-labels");
    edgeBox.checked = RAW.options.edges.font.size > 0;
    labelsBox.addEventListener("change", function () { setLabels(labelsBox.checked); });
    edgeBox.addEventListener("change", function () { setEdgeLabels(edgeBox.checked); });
    document.getElementById("lg-fit").addEventListener("click", function () { network.fit({ animation: { duration: 300 } }); });

    /* ---------- network events, tooltip ---------- */
    var tip = document.getElementById("lg-tooltip");
    network.on("click", function (p) {
      if (p.nodes.length) select(p.nodes[0], { focus: false }); else if (!p.edges.length) unselect();
    });
    network.on("hoverNode", function (p) {
      var n = byId.get(p.node), d = X.details[p.node];
      while (tip.firstChild) tip.removeChild(tip.firstChild);
      tip.appendChild(el("strong", "", d.label));
      tip.appendChild(el("span", "lg-sub", kindName(n) + (d.date_text ? " · " + d.date_text : n.d0 ? " · " + n.d0 : "") +
        (n.kind === "Incident" ? " · reported by " + d.reports.length + " document" + (d.reports.length === 1 ? "" : "s") : "")));
      tip.style.left = (p.pointer.DOM.x + 14) + "px"; tip.style.top = (p.pointer.DOM.y + 10) + "px";
      tip.hidden = false;
    });
    network.on("blurNode", function () { tip.hidden = true; });
    network.on("dragStart", function () { tip.hidden = true; });
    document.addEventListener("keydown", function (ev) { if (ev.key === "Escape" && !results.contains(ev.target)) unselect(); });

    /* ---------- timeline ---------- */
    var timeline = (function () {
      var svg = document.getElementById("lg-timeline"), DAY = 864e5;
      var inc = RAW.nodes.filter(function (n) { return n.kind === "Incident" && n.d0; })
        .map(function (n) { return { n: n, a: Date.parse(n.d0) / DAY, b: Date.parse(n.d1) / DAY + 1 }; })
        .sort(function (p, q) { return p.a - q.a || p.b - q.b || (p.n.id < q.n.id ? -1 : 1); });
      var lo = inc.length ? Math.min.apply(null, inc.map(function (m) { return m.a; })) : 0;
      var hi = inc.length ? Math.max.apply(null, inc.map(function (m) { return m.b; })) : 1;
      var pad = Math.max(15, (hi - lo) * 0.02); lo -= pad; hi += pad;
      var W = 0, H = 0, L = 8, R = 8, AXIS = 16, marks = [], rangeRect = null, brush = null;
      function x(day) { return L + (day - lo) / (hi - lo) * (W - L - R); }
      function day(px) { return lo + (px - L) / (W - L - R) * (hi - lo); }
      function iso(d) { return new Date(Math.round(d) * DAY).toISOString().slice(0, 10); }
      function node(tag, attrs, parent) {
        var e = document.createElementNS(SVGNS, tag);
        Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
        (parent || svg).appendChild(e); return e;
      }
      function draw() {
        var box = svg.getBoundingClientRect();
        W = Math.max(100, box.width); H = Math.max(40, box.height);
        while (svg.firstChild) svg.removeChild(svg.firstChild);
        svg.setAttribute("viewBox", "0 0 " + W + " " + H);
        node("line", { x1: L, x2: W - R, y1: H - AXIS, y2: H - AXIS, "class": "lg-axis" });
        var y0 = new Date(lo * DAY).getUTCFullYear(), y1 = new Date(hi * DAY).getUTCFullYear();
        var monthly = y1 - y0 < 3, step = Math.max(1, Math.ceil((y1 - y0 + 1) / Math.max(2, (W - L - R) / 60)));
        for (var y = y0; y <= y1 + 1; y++) {
          for (var m = 0; m < (monthly ? 12 : 1); m += monthly ? 3 : 1) {
            if (!monthly && (y - y0) % step) continue;
            var t = Date.UTC(y, m, 1) / DAY;
            if (t < lo || t > hi) continue;
            node("line", { x1: x(t), x2: x(t), y1: H - AXIS, y2: H - AXIS + 4, "class": "lg-axis" });
            var label = node("text", { x: x(t) + 2, y: H - 3 });
            label.textContent = monthly ? y + "-" + String(m + 1).padStart(2, "0") : String(y);
          }
        }
        var maxLanes = Math.max(1, Math.floor((H - AXIS - 6) / 7)), ends = [], placed = [];
        inc.forEach(function (m, i) {
          var xa = x(m.a), xb = Math.max(xa + 3, x(m.b)), lane = -1;
          for (var k = 0; k < ends.length; k++) if (ends[k] + 1 < xa) { lane = k; break; }
          if (lane < 0) lane = ends.length < maxLanes ? ends.length : i % maxLanes;
          ends[lane] = Math.max(ends[lane] || 0, xb);
          placed.push([m, xa, xb, lane]);
        });
        var laneH = Math.max(7, Math.min(16, (H - AXIS - 6) / Math.max(1, ends.length)));
        var top = Math.max(4, (H - AXIS - laneH * ends.length) / 2);
        marks = placed.map(function (p) {
          var m = p[0];
          var r = node("rect", { x: p[1].toFixed(1), y: (top + p[3] * laneH).toFixed(1), width: (p[2] - p[1]).toFixed(1),
            height: Math.max(5, laneH - 2).toFixed(1), rx: 1.5, fill: m.n.color, "class": "lg-mark" });
          var t = document.createElementNS(SVGNS, "title");
          t.textContent = clean(X.details[m.n.id].label) + " · " + (X.details[m.n.id].date_text || m.n.d0);
          r.appendChild(t);
          r.lgId = m.n.id;
          return r;
        });
        var hint = node("text", { x: W - R, y: 11, "text-anchor": "end", "class": "lg-hint" });
        hint.textContent = inc.length ? "Drag to choose a period · click a mark to select" : "No dated incidents";
        rangeRect = node("rect", { "class": "lg-range", x: 0, y: 1, width: 0, height: H - AXIS - 1, visibility: "hidden" });
        refresh();
      }
      function refresh() {
        marks.forEach(function (r) {
          r.setAttribute("class", "lg-mark" + (state.hidden.has(r.lgId) ? " lg-off" : "") + (state.selected === r.lgId ? " lg-sel" : ""));
        });
        if (!rangeRect) return;
        if (state.from || state.to) {
          var a = state.from ? x(Date.parse(state.from) / DAY) : L, b = state.to ? x(Date.parse(state.to) / DAY + 1) : W - R;
          a = Math.max(L, a); b = Math.min(W - R, b);
          rangeRect.setAttribute("x", a); rangeRect.setAttribute("width", Math.max(1, b - a));
          rangeRect.setAttribute("visibility", "visible");
        } else rangeRect.setAttribute("visibility", "hidden");
      }
      function px(ev) { var b = svg.getBoundingClientRect(); return Math.min(W - R, Math.max(L, ev.clientX - b.left)); }
      svg.addEventListener("pointerdown", function (ev) {
        if (ev.button !== 0) return;
        brush = { x0: px(ev), x1: px(ev), target: ev.target, rect: null };
        svg.setPointerCapture(ev.pointerId);
      });
      svg.addEventListener("pointermove", function (ev) {
        if (!brush) return;
        brush.x1 = px(ev);
        if (Math.abs(brush.x1 - brush.x0) < 4) return;
        if (!brush.rect) brush.rect = node("rect", { "class": "lg-brush", y: 1, height: H - AXIS - 1 });
        brush.rect.setAttribute("x", Math.min(brush.x0, brush.x1));
        brush.rect.setAttribute("width", Math.abs(brush.x1 - brush.x0));
      });
      svg.addEventListener("pointerup", function (ev) {
        if (!brush) return;
        var b = brush; brush = null;
        if (b.rect) { svg.removeChild(b.rect);
          setTimeRange(iso(Math.floor(day(Math.min(b.x0, b.x1)))), iso(Math.floor(day(Math.max(b.x0, b.x1)))));
        } else if (b.target && b.target.lgId) select(b.target.lgId);
      });
      if (window.ResizeObserver) new ResizeObserver(function () {  // its first call comes right after draw()
        var b = svg.getBoundingClientRect();
        if (Math.max(100, b.width) !== W || Math.max(40, b.height) !== H) draw();
      }).observe(svg);
      draw();
      return { refresh: refresh, draw: draw };
    })();

    panel.empty();
    applyFilters();
    window.labourgraph = {
      network: network, nodes: nodes, edges: edges, select: select, unselect: unselect, search: search,
      setTypeFilter: setTypeFilter, setTimeRange: setTimeRange, setCountry: setCountry,
      visibleNodeIds: visibleNodeIds,
      setLabels: function (on) { labelsBox.checked = !!on; setLabels(!!on); }
    };
  }
  if (window.DecompressionStream) load().then(start, fail); else fail(new Error("no DecompressionStream"));
})();
