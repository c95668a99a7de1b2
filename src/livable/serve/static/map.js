// The interactive convenience-service map of livable (P7). Reads the JSON of
// <script id="livable-data">; draws with Leaflet (inline, no network needed).
(function () {
  "use strict";
  var D = JSON.parse(document.getElementById("livable-data").textContent);
  var esc = function (s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };
  var map = L.map("livable-map", { zoomControl: true, preferCanvas: false });
  var overlays = {};
  if (D.tiles) {
    L.tileLayer(D.tiles, { maxZoom: 19, attribution: "base map: " + esc(D.tiles.split("/")[2]) }).addTo(map);
  }
  // facilities by category
  var byId = {};
  var catLayers = {};
  D.facilities.forEach(function (f) {
    // [id, name, type, category, lon, lat]
    var cat = f[3] || "other";
    var style = D.categories[cat] || ["#666666", cat, cat];
    if (!catLayers[cat]) { catLayers[cat] = L.layerGroup(); }
    var m = L.circleMarker([f[5], f[4]], {
      radius: 4, color: "#333", weight: 1, fillColor: style[0], fillOpacity: 0.9,
      className: "livable-facility"
    });
    m.livable = f;
    m.on("click", function (e) {
      L.DomEvent.stopPropagation(e);
      m.bindPopup(facilityPopup(f)).openPopup();
    });
    m.addTo(catLayers[cat]);
    byId[f[0]] = m;
  });
  // communities by grade
  var selected = null;
  var circleLayer = L.layerGroup().addTo(map);
  var gradeLayers = {};
  var communityLayers = {};
  Object.keys(D.grades).forEach(function (g) { gradeLayers[g] = L.layerGroup().addTo(map); });
  var all = L.geoJSON(D.communities, {
    // a community given as a point (no outline) is drawn as a dot, not an image marker
    pointToLayer: function (feature, latlng) { return L.circleMarker(latlng, { radius: 7 }); },
    style: function (feature) {
      var g = D.grades[feature.properties.grade];
      return { color: "#333", weight: 1, fillColor: g ? g[0] : "#999", fillOpacity: 0.45,
               className: "livable-community livable-grade-" + feature.properties.grade };
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      communityLayers[p.id] = layer;
      layer.on("click", function (e) {
        L.DomEvent.stopPropagation(e); // the map's own click (ask /api/near) is not for this
        select(p);
        layer.bindPopup(communityPopup(p)).openPopup(e.latlng);
      });
      layer.addTo(gradeLayers[p.grade] || map);
    }
  });
  function gradeLabel(g) { var x = D.grades[g]; return x ? x[1] + " · " + x[2] : g; }
  function communityPopup(p) {
    var gaps = p.gaps.length
      ? "<ul>" + p.gaps.map(function (g) { return "<li>" + esc(g[0]) + "<br><small>" + esc(g[1]) + "</small></li>"; }).join("") + "</ul>"
      : "<div>无差距 · no gaps</div>";
    return '<div class="livable-popup" data-community="' + esc(p.id) + '"><h3>' + esc(p.name || p.id) +
      "</h3><div>" + esc(p.id) + (p.district ? " · " + esc(p.district) : "") + (p.subdistrict ? " · " + esc(p.subdistrict) : "") +
      '</div><div class="grade" data-grade="' + esc(p.grade) + '">' + esc(gradeLabel(p.grade)) + "</div>" +
      (p.score == null ? "" : "<div>框架得分 score " + esc(p.score) + "/100</div>") +
      "<div>差距 gaps: " + p.gaps.length + "</div>" + gaps + "</div>";
  }
  function haversine(a, b) {
    var r = 6371008.8, t = Math.PI / 180;
    var dl = (b[1] - a[1]) * t, dn = (b[0] - a[0]) * t;
    var h = Math.sin(dl / 2) * Math.sin(dl / 2) + Math.cos(a[1] * t) * Math.cos(b[1] * t) * Math.sin(dn / 2) * Math.sin(dn / 2);
    return 2 * r * Math.asin(Math.sqrt(h));
  }
  function facilityPopup(f) {
    var cat = D.categories[f[3]];
    var line = "";
    if (selected) {
      var d = null;
      selected.near.forEach(function (n) { if (n[0] === f[0]) { d = n[1]; } });
      var name = esc(selected.name || selected.id);
      line = d !== null
        ? "<div>距" + name + "中心 " + d.toFixed(1) + " m · from the centre</div>"
        : "<div>距" + name + "中心约 ≈" + haversine(selected.center, [f[4], f[5]]).toFixed(0) + " m</div>";
    }
    return '<div class="livable-popup" data-facility="' + esc(f[0]) + '"><h3>' + esc(f[1] || f[0]) + "</h3><div>" +
      esc(f[2]) + (cat ? " · " + esc(cat[1]) + " " + esc(cat[2]) : "") + "</div>" + line + "</div>";
  }
  function select(p) {
    selected = p;
    circleLayer.clearLayers();
    var c = [p.center[1], p.center[0]];
    D.tiers.forEach(function (r) {
      L.circle(c, { radius: r, color: "#555", weight: 1, dashArray: "4 4", fill: false,
                    className: "livable-tier" }).bindTooltip(Math.round(r / 80) + " min · " + r + " m").addTo(circleLayer);
    });
    L.circle(c, { radius: p.radius_m, color: "#000", weight: 2, fill: false, className: "livable-circle" }).addTo(circleLayer);
    L.circleMarker(c, { radius: 3, color: "#000", fillOpacity: 1 }).addTo(circleLayer);
    document.getElementById("livable-info").innerHTML = communityPopup(p);
  }
  // the layer control: every layer named in Chinese and English
  Object.keys(D.grades).forEach(function (g) {
    var x = D.grades[g];
    overlays['<span class="livable-legend"><span style="background:' + x[0] + '"></span></span>' + esc(x[1] + " " + x[2])] = gradeLayers[g];
  });
  overlays["服务圈与步行圈 circle and tiers"] = circleLayer;
  Object.keys(catLayers).sort().forEach(function (cat) {
    var x = D.categories[cat] || ["#666", cat, cat];
    overlays['<span class="livable-legend"><span style="background:' + x[0] + '"></span></span>' + esc(x[1] + " " + x[2])] = catLayers[cat];
  });
  if (D.streets.length) {
    var streets = L.geoJSON({ type: "FeatureCollection", features: D.streets.map(function (g) { return { type: "Feature", geometry: g, properties: {} }; }) },
      { style: { color: "#888", weight: 1, className: "livable-street" }, interactive: false }).addTo(map);
    overlays["街道 streets"] = streets;
    streets.bringToBack();
  }
  // the facilities are shown at once unless there are very many (then from the control)
  if (D.facilities.length <= 3000) {
    Object.keys(catLayers).forEach(function (cat) { catLayers[cat].addTo(map); });
  }
  L.control.layers(null, overlays, { collapsed: false }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  var bounds = all.getBounds();
  if (bounds.isValid()) { map.fitBounds(bounds, { padding: [10, 10] }); } else { map.setView([34.26, 108.94], 12); }
  if (D.api) {
    map.on("click", function (e) {
      var query = "lon=" + e.latlng.lng.toFixed(7) + "&lat=" + e.latlng.lat.toFixed(7) + "&datum=" + D.tiles_datum;
      var url = "api/near?" + query;
      fetch(url).then(function (r) { return r.json(); }).then(function (a) {
        if (a.error) { L.popup().setLatLng(e.latlng).setContent(esc(a.error.message_zh)).openOn(map); return; }
        var rows = Object.keys(a.access).map(function (t) {
          var x = a.access[t], label = D.types[t] || [t, t], first = x.nearest[0];
          var near = first ? esc(first.name || first.id) + " " + first.distance_m.toFixed(0) + " 米 m" : "范围内没有 none in range";
          var counts = Object.keys(x.count_within).map(function (r) { return x.count_within[r]; }).join("/");
          return '<li data-type="' + esc(t) + '">' + esc(label[0]) + " " + esc(label[1]) + "：" + near +
            ' <span class="livable-counts">(' + esc(D.tiers.join("/")) + " 米内 m: " + esc(counts) + ")</span></li>";
        }).join("");
        L.popup().setLatLng(e.latlng).setContent('<div class="livable-popup" data-near="' + esc(query) + '"><h3>此处 here' +
          (a.community ? " · " + esc(a.community) : "") + "</h3><ul>" + rows + "</ul></div>").openOn(map);
      });
    });
  }
  window.livableMap = { map: map, communities: communityLayers, facilities: byId, data: D };
  document.body.setAttribute("data-livable-ready", String(Object.keys(communityLayers).length));
})();
