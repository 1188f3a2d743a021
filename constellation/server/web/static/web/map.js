// The constellation map: the page's map data drawn by Cytoscape.js, laid out by dagre.
// The page works without this script (the same map is in the tables below the picture).
// Deterministic: elements are added in the data's order and dagre has no randomness, so the
// same data gives the same picture on every visit.
(function () {
  "use strict";
  var canvas = document.getElementById("map-canvas");
  var source = document.getElementById("map-data");
  if (!canvas || !source || typeof window.cytoscape !== "function") return;

  var data = JSON.parse(source.textContent);
  var COLLAPSE_ABOVE = parseInt(canvas.dataset.collapseAbove || "300", 10);
  // Above this many objectives on screen, labels and arrows give way to speed.
  var BUSY = 600;
  var STATUS = {
    on_track: { ink: "#1e7a3c", tint: "#e4f4e9", word: "On track" },
    at_risk: { ink: "#8a5a00", tint: "#fdf1d8", word: "At risk" },
    off_track: { ink: "#b3261e", tint: "#fbe5e3", word: "Off track" },
    not_started: { ink: "#6b7480", tint: "#ffffff", word: "Not started" },
    draft: { ink: "#6b7480", tint: "#ffffff", word: "Draft" },
    closed: { ink: "#5b6470", tint: "#eef0f3", word: "Closed" },
  };
  var SHAPES = { customer: "ellipse", business: "diamond", both: "star", "": "round-rectangle" };
  var FOCUS_WORDS = { customer: "Customer", business: "Business", both: "Customer and business", "": "Focus not set" };

  var byId = {};
  var outsideById = {};
  var ups = {}; // slug -> what it aligns to
  var downs = {}; // slug -> what aligns to it
  var leverTitle = {};
  var teamName = {};
  data.levers.forEach(function (l) { leverTitle[l.id] = l.title; });
  data.teams.forEach(function (t) { teamName[t.id] = t.name; });
  data.nodes.forEach(function (n) { byId[n.id] = n; });
  data.outside.forEach(function (o) { outsideById[o.id] = o; });
  data.edges.forEach(function (e) {
    (ups[e.from] = ups[e.from] || []).push(e.to);
    (downs[e.to] = downs[e.to] || []).push(e.from);
  });

  var state = {
    filters: { team: "", lever: "", status: "", focus: "", owner: "", q: "" },
    groupBy: "lever",
    collapsed: data.nodes.length > COLLAPSE_ABOVE,
    open: {},
    focus: null,
    cursor: null,
    losing: null,
  };

  function statusOf(n) { return n.state === "closed" ? "closed" : n.status || "not_started"; }
  function percent(p) { return Math.round((p || 0) * 100) + "%"; }
  function nodeId(slug) { return "o:" + slug; }

  function groupOf(n) {
    if (state.groupBy === "team") return "g:team:" + n.team;
    for (var i = 0; i < n.levers.length; i++) {
      if (leverTitle[n.levers[i]] !== undefined) return "g:lever:" + n.levers[i];
    }
    return "g:none";
  }

  function groups() {
    // Every group in a fixed order, with its title and kind.
    if (state.groupBy === "team") {
      return data.teams.map(function (t) { return { id: "g:team:" + t.id, title: t.name, kind: "team" }; });
    }
    var list = data.levers.map(function (l) {
      return { id: "g:lever:" + l.id, title: l.title, kind: "lever", empty: !l.objectives };
    });
    list.push({ id: "g:none", title: "Models no lever", kind: "none" });
    return list;
  }

  function matches(n) {
    var f = state.filters;
    if (f.team && n.team !== f.team) return false;
    if (f.lever === "-" && n.levers.some(function (l) { return leverTitle[l] !== undefined; })) return false;
    if (f.lever && f.lever !== "-" && n.levers.indexOf(f.lever) < 0) return false;
    if (f.status && statusOf(n) !== f.status) return false;
    if (f.focus === "-" && n.focus) return false;
    if (f.focus && f.focus !== "-" && n.focus !== f.focus) return false;
    if (f.owner && (n.owner || "") !== f.owner) return false;
    if (f.q && n.title.toLowerCase().indexOf(f.q) < 0) return false;
    return true;
  }

  function filtering() {
    var f = state.filters;
    return !!(f.team || f.lever || f.status || f.focus || f.owner || f.q);
  }

  function starData(n, parent) {
    var s = STATUS[statusOf(n)] || STATUS.not_started;
    return {
      group: "nodes",
      data: {
        id: nodeId(n.id), slug: n.id, home: parent, label: n.title, ink: s.ink, tint: s.tint,
        shape: SHAPES[n.focus || ""] || "round-rectangle", progress: Math.round((n.progress || 0) * 100),
        kind: "objective",
      },
      classes: "objective status-" + statusOf(n) + (statusOf(n) === "draft" ? " draft" : ""),
    };
  }

  // The elements for the current filters, grouping and opened groups.
  function elements() {
    var els = [];
    var where = {}; // slug -> the element id that stands for it
    var shown = data.nodes.filter(matches);
    var members = {};
    shown.forEach(function (n) { (members[groupOf(n)] = members[groupOf(n)] || []).push(n); });
    groups().forEach(function (g) {
      var list = members[g.id] || [];
      if (g.kind === "lever" && g.empty && !filtering()) {
        els.push({ data: { id: g.id, label: g.title + "\nnobody models it", kind: "empty" }, classes: "lever-empty" });
        return;
      }
      if (!list.length) {
        // A lever modelled only by objectives whose box is another lever's: its own box stays,
        // tied to them by dotted lines.
        if (g.kind === "lever" && state.groupBy === "lever" && shown.some(function (n) { return n.levers.indexOf(g.id.slice(8)) >= 0; })) {
          els.push({ data: { id: g.id, label: g.title + "\nmodelled by objectives in other boxes", kind: "shared" }, classes: "lever-shared" });
        }
        return;
      }
      var closed = state.collapsed && !state.open[g.id];
      if (closed) {
        var avg = list.reduce(function (sum, n) { return sum + (n.progress || 0); }, 0) / list.length;
        els.push({
          data: {
            id: g.id, label: g.title + "\n" + list.length + " objective" + (list.length === 1 ? "" : "s") + " · " + percent(avg),
            kind: "cluster", count: list.length, size: Math.min(300, Math.max(170, g.title.length * 8 + 40)),
          },
          classes: "cluster " + g.kind,
        });
        list.forEach(function (n) { where[n.id] = g.id; });
      } else {
        els.push({ data: { id: g.id, label: g.title, kind: "group" }, classes: "group " + g.kind });
        list.forEach(function (n) { els.push(starData(n, g.id)); where[n.id] = nodeId(n.id); });
      }
    });
    var outside = data.outside.filter(function (o) {
      return (ups[o.id] || []).concat(downs[o.id] || []).some(function (s) { return where[s]; });
    });
    if (outside.length) {
      els.push({ data: { id: "g:outside", label: "Other periods", kind: "group" }, classes: "group outside" });
      outside.forEach(function (o) {
        where[o.id] = nodeId(o.id);
        els.push({
          data: { id: nodeId(o.id), slug: o.id, home: "g:outside", label: o.title + " (" + o.period + ")", kind: "outside", shape: "round-rectangle" },
          classes: "outside-objective",
        });
      });
    }
    var seen = {};
    data.edges.forEach(function (e) {
      var a = where[e.from], b = where[e.to];
      if (!a || !b || a === b) return;
      var key = a + "\u0000" + b;
      if (seen[key]) { seen[key].data.count += 1; seen[key].data.label = String(seen[key].data.count); return; }
      seen[key] = {
        group: "edges",
        data: { id: "e:" + els.length, source: a, target: b, count: 1, label: "", from: e.from, to: e.to },
        classes: e.cross_period ? "cross" : "",
      };
      els.push(seen[key]);
    });
    // An objective modelling several levers sits in its first lever's box; a dotted line
    // without an arrow ties it to each other lever's box (or group) it also models.
    if (state.groupBy === "lever") {
      var present = {};
      els.forEach(function (el) { if (el.group !== "edges") present[el.data.id] = true; });
      shown.forEach(function (n) {
        var from = where[n.id], home = groupOf(n);
        n.levers.forEach(function (l) {
          var box = "g:lever:" + l;
          if (box === home || !present[box] || !from || from === box) return;
          var key = from + "\u0000" + box;
          if (seen[key]) return;
          seen[key] = { group: "edges", data: { id: "e:" + els.length, source: from, target: box, kind: "also", label: "" }, classes: "also" };
          els.push(seen[key]);
        });
      });
    }
    return els;
  }

  var cy = window.cytoscape({
    container: canvas,
    elements: [],
    minZoom: 0.05,
    maxZoom: 3,
    boxSelectionEnabled: false,
    autoungrabify: true,
    textureOnViewport: data.nodes.length > BUSY,
    hideEdgesOnViewport: data.nodes.length > BUSY,
    style: [
      { selector: "node", style: { label: "data(label)", "font-family": "system-ui, sans-serif", "font-size": 11, color: "#1b1f24", "text-wrap": "wrap", "text-max-width": 130, "min-zoomed-font-size": 7 } },
      {
        selector: "node.objective",
        style: {
          shape: "data(shape)", width: 30, height: 30, "background-color": "data(tint)", "border-width": 2.5, "border-color": "data(ink)",
          "pie-size": "72%", "pie-1-background-color": "data(ink)", "pie-1-background-size": "data(progress)",
          "text-valign": "bottom", "text-halign": "center", "text-margin-y": 5,
          "text-background-color": "#ffffff", "text-background-opacity": 0.75, "text-background-padding": 1,
        },
      },
      { selector: "node.objective[shape = 'star']", style: { width: 36, height: 36, "pie-size": "46%" } },
      { selector: "node.objective[shape = 'diamond']", style: { width: 34, height: 34, "pie-size": "56%" } },
      { selector: "node.draft", style: { "border-style": "dashed" } },
      {
        selector: "node.group",
        style: {
          shape: "round-rectangle", "background-color": "#e8eefb", "background-opacity": 0.55, "border-width": 1.5, "border-color": "#2355c8",
          "text-valign": "top", "text-halign": "center", "font-size": 14, "font-weight": 700, color: "#1a4299", "text-margin-y": -4, padding: 18,
          "text-max-width": 400, "corner-radius": 10,
        },
      },
      { selector: "node.group.team", style: { "background-color": "#f1f3f6", "border-color": "#5b6470", color: "#1b1f24" } },
      { selector: "node.group.none", style: { "background-color": "#fdf1d8", "border-color": "#8a5a00", "border-style": "dashed", color: "#6b4600" } },
      { selector: "node.group.outside", style: { "background-color": "#ffffff", "border-color": "#8a94a1", "border-style": "dotted", color: "#5b6470" } },
      {
        selector: "node.lever-empty",
        style: {
          shape: "round-rectangle", width: 170, height: 54, "background-color": "#ffffff", "border-width": 2, "border-style": "dashed", "border-color": "#b3261e",
          "text-valign": "center", "text-halign": "center", color: "#b3261e", "font-weight": 700, "font-size": 12, "text-max-width": 160,
        },
      },
      {
        selector: "node.cluster",
        style: {
          shape: "round-rectangle", width: "data(size)", height: 70, "background-color": "#e8eefb", "border-width": 2, "border-color": "#2355c8",
          "text-valign": "center", "text-halign": "center", "font-size": 13, "font-weight": 700, color: "#1a4299", "text-max-width": 220, padding: 12,
        },
      },
      { selector: "node.cluster.none", style: { "background-color": "#fdf1d8", "border-color": "#8a5a00", "border-style": "dashed", color: "#6b4600" } },
      { selector: "node.cluster.team", style: { "background-color": "#f1f3f6", "border-color": "#5b6470", color: "#1b1f24" } },
      { selector: "node.outside-objective", style: { shape: "round-rectangle", width: 26, height: 18, "background-color": "#ffffff", "border-width": 1.5, "border-style": "dotted", "border-color": "#5b6470", "text-valign": "bottom", "text-margin-y": 4, color: "#5b6470", "font-size": 10 } },
      {
        selector: "edge",
        style: {
          width: 1.6, "line-color": "#8a94a1", "target-arrow-color": "#8a94a1", "target-arrow-shape": "triangle", "arrow-scale": 1.1,
          "curve-style": "bezier", label: "data(label)", "font-size": 11, "text-background-color": "#ffffff", "text-background-opacity": 1,
        },
      },
      { selector: "edge.cross", style: { "line-style": "dashed", "line-color": "#5b6470", "target-arrow-color": "#5b6470" } },
      { selector: "node.lever-shared", style: { shape: "round-rectangle", width: 170, height: 46, "background-color": "#f1eefc", "border-width": 1.5, "border-style": "dotted", "border-color": "#6d5bd0", "text-valign": "center", "text-halign": "center", "text-max-width": 150 } },
      { selector: "edge.also", style: { "line-style": "dotted", width: 1.4, "line-color": "#6d5bd0", "target-arrow-shape": "none", "curve-style": "straight", opacity: 0.7 } },
      { selector: ".faded", style: { opacity: 0.14 } },
      { selector: "edge.related", style: { width: 3, "line-color": "#2355c8", "target-arrow-color": "#2355c8", "z-index": 10 } },
      { selector: "node.focused", style: { "border-width": 5, "border-color": "#2355c8", "underlay-color": "#ffbf47", "underlay-opacity": 0.8, "underlay-padding": 6, "z-index": 20 } },
      { selector: "node.cursor", style: { "outline-width": 4, "outline-color": "#ffbf47", "outline-offset": 4, "outline-opacity": 1 } },
      { selector: "node.loses", style: { "underlay-color": "#b3261e", "underlay-opacity": 0.35, "underlay-padding": 9, "underlay-shape": "ellipse" } },
      { selector: "node.dropped", style: { "border-style": "dashed", opacity: 0.45 } },
    ],
  });

  var statusLine = document.getElementById("map-status-line");
  function say(words) { if (statusLine) statusLine.textContent = words; }

  // Each group is laid out on its own: dagre for the objectives linked inside it (what they
  // align to above them), the unlinked ones in rows beneath; then the groups are shelved in
  // their fixed order into rows as wide as the screen's shape asks. No randomness anywhere.
  var GAP = 70;
  var CELL = { w: 150, h: 86 };
  function layoutGroup(kids) {
    var inner = kids.edgesWith(kids);
    var linked = kids.filter(function (n) { return n.edgesWith(kids).length > 0; });
    // Past a few hundred stars a group is searched, not read: rows draw it at once.
    if (linked.length > BUSY) linked = cy.collection();
    var alone = kids.difference(linked);
    var top = 0, width = 0;
    if (linked.length) {
      linked.union(inner).layout({
        name: "dagre", rankDir: "BT", nodeSep: 18, rankSep: 46, edgeSep: 8,
        nodeDimensionsIncludeLabels: true, fit: false, animate: false,
      }).run();
      var bb = linked.boundingBox({ includeLabels: true });
      linked.shift({ x: -bb.x1, y: -bb.y1 });
      top = bb.h + 24;
      width = bb.w;
    }
    if (alone.length) {
      var columns = Math.max(1, Math.floor(width / CELL.w), Math.ceil(Math.sqrt(alone.length * 1.5)));
      columns = Math.min(columns, alone.length);
      alone.forEach(function (n, i) {
        n.position({ x: (i % columns) * CELL.w + CELL.w / 2, y: top + Math.floor(i / columns) * CELL.h + 20 });
      });
    }
  }

  // Shelves the boxes in order, trying each row width between the widest box and one row,
  // and keeps the one the screen shows largest.
  function shelve(boxes) {
    var W = cy.width() || 800, H = cy.height() || 600;
    var widest = 0, total = 0;
    boxes.forEach(function (b) { widest = Math.max(widest, b.bb.w); total += b.bb.w + GAP; });
    var best = null;
    for (var step = 0; step <= 24; step++) {
      var limit = widest + ((total - widest) * step) / 24;
      var spots = [], x = 0, y = 0, rowHeight = 0, width = 0;
      boxes.forEach(function (b) {
        if (x > 0 && x + b.bb.w > limit) { x = 0; y += rowHeight + GAP; rowHeight = 0; }
        spots.push({ x: x, y: y });
        width = Math.max(width, x + b.bb.w);
        x += b.bb.w + GAP;
        rowHeight = Math.max(rowHeight, b.bb.h);
      });
      var scale = Math.min(W / width, H / (y + rowHeight));
      if (!best || scale > best.scale + 1e-9) best = { scale: scale, spots: spots };
    }
    return best.spots;
  }

  function layout() {
    // Groups are plain nodes while their members are laid out (dagre would otherwise take the
    // half-built compounds as its own), then become the members' parents.
    var items = [];
    var homes = {};
    cy.nodes("[home]").forEach(function (n) { (homes[n.data("home")] = homes[n.data("home")] || cy.collection()).merge(n); });
    cy.nodes().not("[home]").forEach(function (item) {
      var kids = homes[item.id()];
      if (kids) layoutGroup(kids);
      else item.position({ x: 0, y: 0 });
      items.push({ item: item, kids: kids });
    });
    var boxes = items.map(function (entry) {
      var part = entry.kids || entry.item;
      return { item: entry.item, part: part, bb: part.boundingBox({ includeLabels: true }) };
    });
    var spots = shelve(boxes);
    cy.batch(function () {
      boxes.forEach(function (b, i) { b.part.shift({ x: spots[i].x - b.bb.x1, y: spots[i].y - b.bb.y1 }); });
    });
    boxes.forEach(function (b) { if (b.part !== b.item) b.part.move({ parent: b.item.id() }); });
    cy.fit(cy.elements(), 24);
    if (cy.zoom() > 1.1) { cy.zoom(1.1); cy.center(); }
  }

  function draw() {
    cy.batch(function () {
      cy.elements().remove();
      cy.add(elements());
    });
    layout();
    applyMarks();
    renderList();
    var stars = cy.nodes(".objective").length;
    var clusters = cy.nodes(".cluster").length;
    var matched = data.nodes.filter(matches).length;
    say(
      matched + " of " + data.nodes.length + " objectives" + (filtering() ? " match" : "") +
      (clusters ? ", " + stars + " drawn one by one, the rest in " + clusters + " groups: select a group to open it" : "") + "."
    );
  }

  // Highlight: the focused objective, what it contributes to and what contributes to it.
  function reach(slug, links) {
    var found = {}, queue = [slug];
    while (queue.length) {
      var next = links[queue.shift()] || [];
      for (var i = 0; i < next.length; i++) {
        if (!found[next[i]] && next[i] !== slug) { found[next[i]] = true; queue.push(next[i]); }
      }
    }
    return Object.keys(found);
  }

  function applyMarks() {
    cy.elements().removeClass("faded related focused loses dropped cursor");
    if (state.losing) {
      state.losing.lose.forEach(function (s) { cy.getElementById(nodeId(s)).addClass("loses"); });
      state.losing.dropped.forEach(function (s) { cy.getElementById(nodeId(s)).addClass("dropped"); });
    }
    if (state.cursor && state.cursor !== state.focus) cy.getElementById(nodeId(state.cursor)).addClass("cursor");
    if (!state.focus) return;
    var f = state.focus;
    var up = reach(f, ups), down = reach(f, downs);
    var upSet = {}, downSet = {};
    up.forEach(function (s) { upSet[s] = true; });
    down.forEach(function (s) { downSet[s] = true; });
    // Groups stay as they are: a compound's opacity would fade its members too.
    cy.elements().not(".group").addClass("faded");
    var keep = [f].concat(up, down);
    keep.forEach(function (s) { cy.getElementById(nodeId(s)).removeClass("faded").addClass("related"); });
    cy.getElementById(nodeId(f)).removeClass("related").addClass("focused");
    cy.edges().forEach(function (e) {
      var a = e.data("from"), b = e.data("to");
      var upward = (a === f || upSet[a]) && upSet[b];
      var downward = downSet[a] && (b === f || downSet[b]);
      if ((upward || downward) && e.data("count") === 1) e.removeClass("faded").addClass("related");
    });
  }

  function objectiveLink(n) {
    var a = document.createElement("a");
    a.href = n.url;
    a.textContent = n.title;
    return a;
  }

  function listOf(slugs, title) {
    var wrap = document.createElement("div");
    var h = document.createElement("h4");
    h.textContent = title + " (" + slugs.length + ")";
    wrap.appendChild(h);
    if (!slugs.length) {
      var none = document.createElement("p");
      none.className = "muted";
      none.textContent = "None.";
      wrap.appendChild(none);
      return wrap;
    }
    var ul = document.createElement("ul");
    ul.className = "map-related";
    slugs.forEach(function (s) {
      var n = byId[s] || outsideById[s];
      if (!n) return;
      var li = document.createElement("li");
      li.appendChild(objectiveLink(n));
      var meta = document.createElement("span");
      meta.className = "muted";
      meta.textContent = byId[s] ? " · " + (n.team_name || "") + " · " + percent(n.progress) + " · " + (STATUS[statusOf(n)] || STATUS.not_started).word : " · " + n.period;
      li.appendChild(meta);
      if (byId[s]) li.appendChild(meter(n.progress, n));
      ul.appendChild(li);
    });
    wrap.appendChild(ul);
    return wrap;
  }

  function meter(progress, n) {
    var bar = document.createElement("span");
    bar.className = "map-meter map-meter-" + statusOf(n);
    bar.setAttribute("aria-hidden", "true");
    var fill = document.createElement("span");
    fill.style.width = percent(progress);
    bar.appendChild(fill);
    return bar;
  }

  var panel = document.getElementById("map-focus-panel");
  function renderPanel() {
    if (!panel) return;
    panel.textContent = "";
    if (!state.focus) { panel.hidden = true; return; }
    var n = byId[state.focus];
    var h = document.createElement("h3");
    h.textContent = n.title;
    panel.appendChild(h);
    var facts = document.createElement("p");
    facts.className = "map-facts";
    var levers = n.levers.map(function (l) { return leverTitle[l]; }).filter(Boolean);
    facts.textContent = [
      n.team_name, (STATUS[statusOf(n)] || STATUS.not_started).word + " · " + percent(n.progress),
      FOCUS_WORDS[n.focus || ""], n.owner ? "Owner: " + n.owner : "No owner",
      levers.length ? "Levers: " + levers.join("; ") : "Models no lever",
    ].join(" · ");
    panel.appendChild(facts);
    panel.appendChild(meter(n.progress, n));
    var actions = document.createElement("p");
    actions.className = "map-panel-actions";
    var open = document.createElement("a");
    open.className = "action";
    open.href = n.url;
    open.id = "map-open";
    open.textContent = "Open the objective";
    var clear = document.createElement("button");
    clear.type = "button";
    clear.className = "secondary";
    clear.textContent = "Clear focus";
    clear.addEventListener("click", function () { clearFocus(); canvas.focus(); });
    actions.appendChild(open);
    actions.appendChild(clear);
    panel.appendChild(actions);
    panel.appendChild(listOf(reach(n.id, ups), "Contributes to"));
    panel.appendChild(listOf(reach(n.id, downs), "Contributed to by"));
    panel.hidden = false;
  }

  function focusOn(slug) {
    var n = byId[slug];
    if (!n) return false;
    state.focus = slug;
    state.cursor = slug;
    var related = [slug].concat(reach(slug, ups), reach(slug, downs));
    if (state.collapsed) {
      var opened = false;
      related.forEach(function (s) {
        if (byId[s] && !state.open[groupOf(byId[s])]) { state.open[groupOf(byId[s])] = true; opened = true; }
      });
      if (opened) draw();
    }
    if (!cy.getElementById(nodeId(slug)).length) {
      // Hidden by a filter: show everything again rather than focus nothing.
      resetFilters();
      draw();
    }
    applyMarks();
    renderPanel();
    var node = cy.getElementById(nodeId(slug));
    var keep = cy.collection();
    related.forEach(function (s) { keep = keep.union(cy.getElementById(nodeId(s))); });
    if (node.length) showAll(keep);
    say(n.title + ": contributes to " + reach(slug, ups).length + ", contributed to by " + reach(slug, downs).length + ".");
    markList();
    return true;
  }

  // Fits these elements on screen, never closer than life size.
  function showAll(eles) {
    var box = eles.boundingBox(), view = cy.extent();
    // Already in sight: the picture stays still (a second click lands where the first did).
    if (box.x1 >= view.x1 && box.x2 <= view.x2 && box.y1 >= view.y1 && box.y2 <= view.y2) return;
    cy.fit(eles, 60);
    if (cy.zoom() > 1.1) {
      cy.zoom(1.1);
      cy.center(eles);
    }
  }

  function clearFocus() {
    state.focus = null;
    applyMarks();
    renderPanel();
    markList();
    say("Focus cleared.");
  }

  function openObjective(slug) {
    var n = byId[slug] || outsideById[slug];
    if (n) window.location.assign(n.url);
  }

  // The list of objectives beside the picture: the keyboard's way through the map.
  var list = document.getElementById("map-list");
  var LIST_LIMIT = 400;
  function visibleSlugs() {
    return data.nodes.filter(matches).map(function (n) { return n.id; });
  }

  function renderList() {
    if (!list) return;
    list.textContent = "";
    var slugs = visibleSlugs();
    var clusters = cy.nodes(".cluster");
    clusters.forEach(function (c) {
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "map-list-item map-list-group";
      b.dataset.group = c.id();
      b.textContent = "Open " + c.data("label").replace("\n", ": ");
      li.appendChild(b);
      list.appendChild(li);
    });
    slugs.slice(0, LIST_LIMIT).forEach(function (s) {
      var n = byId[s];
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "map-list-item";
      b.dataset.slug = s;
      var dot = document.createElement("span");
      dot.className = "map-dot map-dot-" + statusOf(n);
      dot.setAttribute("aria-hidden", "true");
      b.appendChild(dot);
      b.appendChild(document.createTextNode(n.title));
      var meta = document.createElement("span");
      meta.className = "visually-hidden";
      meta.textContent = ", " + n.team_name + ", " + (STATUS[statusOf(n)] || STATUS.not_started).word + ", " + percent(n.progress);
      b.appendChild(meta);
      var pct = document.createElement("span");
      pct.className = "map-list-pct";
      pct.setAttribute("aria-hidden", "true");
      pct.textContent = percent(n.progress);
      b.appendChild(pct);
      li.appendChild(b);
      list.appendChild(li);
    });
    var count = document.getElementById("map-list-count");
    if (count) count.textContent = "(" + slugs.length + (slugs.length > LIST_LIMIT ? ", the first " + LIST_LIMIT + " listed: search to find others" : "") + ")";
    markList();
  }

  function markList() {
    if (!list) return;
    list.querySelectorAll("[data-slug]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.dataset.slug === state.focus ? "true" : "false");
    });
  }

  if (list) {
    list.addEventListener("click", function (event) {
      var b = event.target.closest("button");
      if (!b) return;
      if (b.dataset.group) { state.open[b.dataset.group] = true; draw(); return; }
      if (state.focus === b.dataset.slug) { openObjective(b.dataset.slug); return; }
      focusOn(b.dataset.slug);
    });
    list.addEventListener("keydown", function (event) {
      if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
      var buttons = Array.prototype.slice.call(list.querySelectorAll("button"));
      var at = buttons.indexOf(document.activeElement);
      var next = buttons[at + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) { next.focus(); event.preventDefault(); }
    });
  }

  // Pointer: a tap focuses, a second tap or a double tap opens; a tap on a group opens it.
  cy.on("tap", "node.objective", function (event) {
    var slug = event.target.data("slug");
    if (state.focus === slug) openObjective(slug); else focusOn(slug);
  });
  cy.on("dbltap", "node.objective, node.outside-objective", function (event) { openObjective(event.target.data("slug")); });
  cy.on("tap", "node.outside-objective", function (event) { say(event.target.data("label") + ": double-click to open it."); });
  cy.on("tap", "node.cluster", function (event) { state.open[event.target.id()] = true; draw(); });
  cy.on("tap", "node.group", function (event) {
    if (state.collapsed && state.open[event.target.id()]) { delete state.open[event.target.id()]; draw(); }
  });
  cy.on("tap", function (event) { if (event.target === cy && state.focus) clearFocus(); });
  cy.on("mouseover", "node.objective, node.cluster, node.outside-objective", function () { canvas.style.cursor = "pointer"; });
  cy.on("mouseout", "node", function () { canvas.style.cursor = ""; });

  function drawnSlugs() {
    return visibleSlugs().filter(function (s) { return cy.getElementById(nodeId(s)).length; });
  }

  // Keyboard on the picture: arrows move, Enter focuses then opens, Escape clears, +/- zoom.
  canvas.addEventListener("keydown", function (event) {
    var slugs = drawnSlugs();
    var key = event.key;
    if (key === "ArrowRight" || key === "ArrowDown" || key === "ArrowLeft" || key === "ArrowUp") {
      if (!slugs.length) return;
      var at = slugs.indexOf(state.cursor);
      var step = key === "ArrowRight" || key === "ArrowDown" ? 1 : -1;
      state.cursor = slugs[(at + step + slugs.length) % slugs.length];
      applyMarks();
      var node = cy.getElementById(nodeId(state.cursor));
      cy.animate({ center: { eles: node }, duration: 120 });
      var n = byId[state.cursor];
      say(n.title + ", " + n.team_name + ", " + (STATUS[statusOf(n)] || STATUS.not_started).word + ", " + percent(n.progress) + ". Enter to focus.");
      event.preventDefault();
    } else if (key === "Enter") {
      if (!state.cursor) return;
      if (state.focus === state.cursor) openObjective(state.focus); else focusOn(state.cursor);
      event.preventDefault();
    } else if (key === "Escape") {
      clearFocus();
      event.preventDefault();
    } else if (key === "+" || key === "=") {
      cy.zoom({ level: cy.zoom() * 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    } else if (key === "-") {
      cy.zoom({ level: cy.zoom() / 1.2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && state.focus && panel && panel.contains(document.activeElement)) { clearFocus(); canvas.focus(); }
  });

  // Filters, search and grouping.
  var form = document.getElementById("map-filters");
  function resetFilters() {
    Object.keys(state.filters).forEach(function (k) { state.filters[k] = ""; });
    if (form) form.reset();
  }
  if (form) {
    var owners = {};
    data.nodes.forEach(function (n) { if (n.owner) owners[n.owner] = true; });
    var ownerSelect = document.getElementById("map-owner");
    Object.keys(owners).sort().forEach(function (name) {
      var o = document.createElement("option");
      o.value = name;
      o.textContent = name;
      ownerSelect.appendChild(o);
    });
    form.addEventListener("change", function (event) {
      var t = event.target;
      if (t.id === "map-group") { state.groupBy = t.value; state.open = {}; draw(); return; }
      if (t.dataset.filter) { state.filters[t.dataset.filter] = t.value; draw(); }
    });
    var timer = null;
    document.getElementById("map-search").addEventListener("input", function (event) {
      clearTimeout(timer);
      var q = event.target.value.trim().toLowerCase();
      timer = setTimeout(function () {
        state.filters.q = q;
        if (q && state.collapsed) {
          // Open the groups holding what was found, so it is drawn star by star.
          data.nodes.filter(matches).slice(0, COLLAPSE_ABOVE).forEach(function (n) { state.open[groupOf(n)] = true; });
        }
        draw();
      }, 200);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () {
      setTimeout(function () { resetFilters(); state.groupBy = "lever"; state.open = {}; draw(); }, 0);
    });
  }

  // "What if": the API answers (the session is accepted); the form works without scripts too.
  var whatIf = document.getElementById("what-if-form");
  var result = document.getElementById("what-if-result");
  function showImpact(answer) {
    state.losing = { lose: answer.lose_target.concat(answer.lose_indirect), dropped: answer.dropped.objectives || [] };
    applyMarks();
    result.textContent = "";
    var box = document.createElement("div");
    box.className = "map-what-if-answer";
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = "Dropping " + (answer.dropped.kind === "lever" ? "the lever" : "the objective") + " “" + answer.dropped.title + "”";
    p.appendChild(strong);
    var n = answer.lose_target.length, m = answer.lose_indirect.length;
    p.appendChild(document.createTextNode(
      (answer.dropped.kind === "lever" ? ": " + answer.unmodelled.length + " objective" + (answer.unmodelled.length === 1 ? "" : "s") + " would model no lever" : "") +
      "; " + n + " objective" + (n === 1 ? "" : "s") + " would lose " + (n === 1 ? "its" : "their") + " alignment target" + (m ? ", " + m + " more an indirect link" : "") + "."
    ));
    box.appendChild(p);
    function section(title, slugs, name, empty) {
      if (!slugs.length && !empty) return;
      var h = document.createElement("h3");
      h.textContent = title;
      box.appendChild(h);
      if (!slugs.length) {
        var none = document.createElement("p");
        none.className = "muted";
        none.textContent = empty;
        box.appendChild(none);
        return;
      }
      var ul = document.createElement("ul");
      ul.className = "map-what-if-list";
      ul.dataset.list = name;
      slugs.forEach(function (s) {
        var o = byId[s] || outsideById[s];
        if (!o) return;
        var li = document.createElement("li");
        li.appendChild(objectiveLink(o));
        var meta = document.createElement("span");
        meta.className = "muted";
        meta.textContent = byId[s] ? " · " + o.team_name + " · " + percent(o.progress) : " · " + o.period;
        li.appendChild(meta);
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    section("Left modelling no lever", answer.unmodelled, "unmodelled");
    section("Lose their alignment target", answer.lose_target, "lose_target", "None: nothing aligns to what would be dropped.");
    section("Lose an indirect link", answer.lose_indirect, "lose_indirect");
    result.appendChild(box);
  }
  function askWhatIf() {
    var choice = whatIf.elements.drop.value;
    if (!choice) { state.losing = null; applyMarks(); result.textContent = ""; return; }
    var at = choice.indexOf(":");
    var params = new URLSearchParams({ period: data.period || "" });
    params.set(choice.slice(0, at), choice.slice(at + 1));
    result.setAttribute("aria-busy", "true");
    fetch(whatIf.dataset.api + "?" + params.toString(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(response.status); return response.json(); })
      .then(showImpact)
      .catch(function () { whatIf.submit(); })
      .then(function () { result.removeAttribute("aria-busy"); });
  }
  if (whatIf && result) {
    whatIf.addEventListener("submit", function (event) { event.preventDefault(); askWhatIf(); });
  }

  // Export what is drawn: PNG by Cytoscape, SVG written from the drawn positions.
  function download(blob, name) {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }
  function fileName(ext) { return "constellation-" + data.organization + "-" + (data.period || "map") + "." + ext; }

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  }
  function wrapWords(text, width) {
    var lines = [], line = "";
    String(text).split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > width) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) lines.push(line);
    return lines;
  }
  function textBlock(x, y, text, width, attrs) {
    var lines = String(text).split("\n").reduce(function (all, part) { return all.concat(wrapWords(part, width)); }, []);
    return '<text x="' + x + '" y="' + y + '" text-anchor="middle" ' + attrs + ">" +
      lines.map(function (l, i) { return '<tspan x="' + x + '" dy="' + (i ? "1.2em" : "0") + '">' + esc(l) + "</tspan>"; }).join("") + "</text>";
  }
  function shapePath(shape, x, y, w, h) {
    var rx = w / 2, ry = h / 2;
    if (shape === "ellipse") return '<ellipse cx="' + x + '" cy="' + y + '" rx="' + rx + '" ry="' + ry + '"';
    if (shape === "diamond") return '<polygon points="' + [x, y - ry, x + rx, y, x, y + ry, x - rx, y].join(" ") + '"';
    if (shape === "star") {
      var pts = [];
      for (var i = 0; i < 10; i++) {
        var r = i % 2 ? 0.45 : 1, a = -Math.PI / 2 + (i * Math.PI) / 5;
        pts.push((x + rx * r * Math.cos(a)).toFixed(1), (y + ry * r * Math.sin(a)).toFixed(1));
      }
      return '<polygon points="' + pts.join(" ") + '"';
    }
    return '<rect x="' + (x - rx) + '" y="' + (y - ry) + '" width="' + w + '" height="' + h + '" rx="5"';
  }
  function toSvg() {
    var shown = cy.elements();
    var bb = shown.boundingBox({ includeLabels: true });
    var pad = 20;
    var out = [];
    out.push('<svg xmlns="http://www.w3.org/2000/svg" viewBox="' + [bb.x1 - pad, bb.y1 - pad, bb.w + 2 * pad, bb.h + 2 * pad].join(" ") +
      '" width="' + Math.round(bb.w + 2 * pad) + '" height="' + Math.round(bb.h + 2 * pad) + '" font-family="system-ui, sans-serif">');
    out.push("<title>" + esc("Constellation map " + (data.period || "")) + "</title>");
    out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#8a94a1"/></marker></defs>');
    out.push('<rect x="' + (bb.x1 - pad) + '" y="' + (bb.y1 - pad) + '" width="' + (bb.w + 2 * pad) + '" height="' + (bb.h + 2 * pad) + '" fill="#ffffff"/>');
    cy.nodes(":parent").forEach(function (g) {
      var b = g.boundingBox({ includeLabels: false });
      var dash = g.style("border-style") === "dashed" ? ' stroke-dasharray="6 4"' : g.style("border-style") === "dotted" ? ' stroke-dasharray="2 3"' : "";
      out.push('<rect x="' + b.x1 + '" y="' + b.y1 + '" width="' + b.w + '" height="' + b.h + '" rx="10" fill="' + g.style("background-color") +
        '" fill-opacity="' + g.style("background-opacity") + '" stroke="' + g.style("border-color") + '"' + dash + "/>");
      out.push('<text x="' + (b.x1 + b.w / 2) + '" y="' + (b.y1 - 6) + '" text-anchor="middle" font-size="14" font-weight="700" fill="' + g.style("color") + '">' + esc(g.data("label")) + "</text>");
    });
    cy.edges().forEach(function (e) {
      var s = e.sourceEndpoint(), t = e.targetEndpoint();
      if (e.hasClass("also")) {
        out.push('<path class="also-models" d="M' + s.x + " " + s.y + "L" + t.x + " " + t.y + '" stroke="#6d5bd0" stroke-width="1.4" stroke-dasharray="2 3" fill="none"' + (e.hasClass("faded") ? ' opacity="0.14"' : ' opacity="0.7"') + "/>");
        return;
      }
      out.push('<line x1="' + s.x + '" y1="' + s.y + '" x2="' + t.x + '" y2="' + t.y + '" stroke="#8a94a1" stroke-width="1.6" marker-end="url(#arrow)"' +
        (e.hasClass("cross") ? ' stroke-dasharray="5 4"' : "") + (e.hasClass("faded") ? ' opacity="0.14"' : "") + "/>");
    });
    cy.nodes().not(":parent").forEach(function (n) {
      var p = n.position(), w = n.width(), h = n.height();
      var faded = n.hasClass("faded") ? ' opacity="0.14"' : "";
      if (n.hasClass("objective")) {
        var ink = n.data("ink"), shape = n.data("shape");
        out.push("<g" + faded + ">" + shapePath(shape, p.x, p.y, w, h) + ' fill="' + n.data("tint") + '" stroke="' + ink + '" stroke-width="2.5"' + (n.hasClass("draft") ? ' stroke-dasharray="4 3"' : "") + "/>");
        var share = n.data("progress") / 100, r = (w * parseFloat(n.style("pie-size"))) / 200;
        if (share >= 0.999) out.push('<circle cx="' + p.x + '" cy="' + p.y + '" r="' + r + '" fill="' + ink + '"/>');
        else if (share > 0) {
          var a = 2 * Math.PI * share - Math.PI / 2;
          out.push('<path d="M' + p.x + " " + p.y + " L" + p.x + " " + (p.y - r) + " A" + r + " " + r + " 0 " + (share > 0.5 ? 1 : 0) + " 1 " +
            (p.x + r * Math.cos(a)).toFixed(2) + " " + (p.y + r * Math.sin(a)).toFixed(2) + ' Z" fill="' + ink + '"/>');
        }
        out.push(textBlock(p.x, p.y + h / 2 + 14, n.data("label"), 22, 'font-size="11" fill="#1b1f24"') + "</g>");
      } else {
        out.push("<g" + faded + ">" + shapePath(n.style("shape") === "ellipse" ? "ellipse" : "rect", p.x, p.y, w, h) + ' fill="' + n.style("background-color") +
          '" stroke="' + n.style("border-color") + '" stroke-width="2"' + (n.style("border-style") === "dashed" ? ' stroke-dasharray="6 4"' : "") + "/>");
        var inside = n.hasClass("outside-objective") ? p.y + h / 2 + 13 : p.y - 4;
        out.push(textBlock(p.x, inside, n.data("label"), 28, 'font-size="12" font-weight="700" fill="' + n.style("color") + '"') + "</g>");
      }
    });
    out.push("</svg>");
    return out.join("\n");
  }

  function on(id, handler) { var el = document.getElementById(id); if (el) el.addEventListener("click", handler); }
  on("map-fit", function () { cy.animate({ fit: { eles: cy.elements(), padding: 24 }, duration: 200 }); });
  on("map-png", function () {
    var blob = cy.png({ output: "blob", full: true, scale: 2, bg: "#ffffff", maxWidth: 8000, maxHeight: 8000 });
    download(blob, fileName("png"));
  });
  on("map-svg", function () { download(new Blob([toSvg()], { type: "image/svg+xml" }), fileName("svg")); });

  // First picture.
  var tools = document.getElementById("map-tools");
  if (tools) tools.hidden = false;
  // A new window size fits the picture again, unless someone is looking at one objective.
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      cy.resize();
      if (!state.focus) { cy.fit(cy.elements(), 24); if (cy.zoom() > 1.1) { cy.zoom(1.1); cy.center(); } }
    }, 50);
  });
  var listWrap = document.getElementById("map-list-wrap");
  if (listWrap) listWrap.hidden = false;
  draw();
  var asked = canvas.dataset.focus;
  if (asked && byId[asked]) focusOn(asked);
  if (whatIf && whatIf.elements.drop.value) askWhatIf();

  window.constellationMap = {
    cy: cy,
    data: data,
    firstPicture: performance.now(),
    focus: focusOn,
    clear: clearFocus,
    open: openObjective,
    toSvg: toSvg,
    // The objectives drawn one by one, by slug.
    drawn: drawnSlugs,
    // Alignments drawn between two stars, as [from, to] slugs.
    links: function () {
      return cy.edges().filter(function (e) { return e.data("count") === 1 && e.source().data("slug") && e.target().data("slug"); })
        .map(function (e) { return [e.data("from"), e.data("to")]; });
    },
    highlighted: function () { return cy.nodes(".related, .focused").map(function (n) { return n.data("slug"); }); },
  };
  canvas.dispatchEvent(new CustomEvent("map:ready", { bubbles: true }));
})();
