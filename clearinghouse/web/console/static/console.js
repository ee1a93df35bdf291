/* The console's map and live order status. Plain script, no build step; every page works without
   it (the search area can be typed, the order page reloaded). */
(function () {
  "use strict";

  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function field(name) {
    return document.getElementById("f-" + name);
  }

  function hint(text) {
    var node = document.getElementById("map-hint");
    if (node) node.textContent = text;
  }

  /* Boxes are west,south,east,north; one whose west lies east of its east crosses ±180 and is
     drawn as its two halves. */
  function boxRects(w, s, e, n) {
    if (w <= e) return [[[s, w], [n, e]]];
    return [[[s, w], [n, 180]], [[s, -180], [n, e]]];
  }

  function setupMap(node) {
    var tiles = node.dataset.tiles;
    // The shipped base map is drawn in plain longitude/latitude, where the poles show; a tile
    // server's tiles are Web Mercator.
    var map = L.map(node, {
      crs: tiles ? L.CRS.EPSG3857 : L.CRS.EPSG4326,
      worldCopyJump: false,
      maxBounds: [[-90, -540], [90, 540]],
      minZoom: tiles ? 1 : 0,
      keyboard: true
    });
    map.setView([0, 0], tiles ? 1 : 0);
    if (tiles) {
      L.tileLayer(tiles, {maxZoom: 12, noWrap: false}).addTo(map);
    } else {
      fetch(node.dataset.basemap).then(function (r) { return r.json(); }).then(function (land) {
        L.geoJSON(land, {
          interactive: false,
          style: {color: "#6b7f6b", weight: 1, fillColor: "#dfe8d8", fillOpacity: 1}
        }).addTo(map).bringToBack();
      });
    }
    return map;
  }

  function drawFootprints(map) {
    var shapes = json("footprints") || [];
    var ids = json("footprint-ids") || [];
    var group = L.featureGroup().addTo(map);
    shapes.forEach(function (geometry, i) {
      if (!geometry) return;
      var layer = L.geoJSON(geometry, {
        style: {color: "#b3261e", weight: 2, fillOpacity: 0.15},
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, {radius: 5}); }
      });
      layer.eachLayer(function (part) {
        part.on("add", function () {
          var el = part.getElement && part.getElement();
          if (el) { el.setAttribute("data-id", ids[i]); el.classList.add("footprint"); }
        });
        part.bindTooltip(ids[i]);
        part.on("click", function () {
          var item = document.querySelector('.granule[data-id="' + ids[i] + '"]');
          if (item) { item.scrollIntoView({block: "nearest"}); item.classList.add("picked"); }
        });
      });
      layer.addTo(group);
    });
    return group;
  }

  function searchArea(map) {
    var area = L.featureGroup().addTo(map);
    var mode = null, points = [], preview = null;
    var box = field("bounding_box"), polygon = field("polygon");
    var finish = document.getElementById("finish-polygon");

    function showBox(text) {
      var v = text.split(",").map(Number);
      if (v.length !== 4 || v.some(isNaN)) return;
      boxRects(v[0], v[1], v[2], v[3]).forEach(function (r) {
        L.rectangle(r, {color: "#1a5fb4", weight: 2, fill: false, dashArray: "4"}).addTo(area);
      });
    }
    function showPolygon(text) {
      var v = text.split(",").map(Number), ring = [];
      for (var i = 0; i + 1 < v.length; i += 2) ring.push([v[i + 1], v[i]]);
      if (ring.length > 2) L.polygon(ring, {color: "#1a5fb4", weight: 2, fill: false}).addTo(area);
    }
    function redraw() {
      area.clearLayers();
      if (box && box.value) showBox(box.value);
      if (polygon && polygon.value) showPolygon(polygon.value);
    }
    redraw();

    function start(which) {
      mode = which; points = [];
      if (preview) { map.removeLayer(preview); preview = null; }
      node.classList.add("drawing");
      finish.hidden = which !== "polygon";
      hint(which === "box" ? "Click the west-south corner, then the east-north corner."
                           : "Click each corner, counterclockwise; then Finish polygon.");
    }
    var node = map.getContainer();
    document.getElementById("draw-box").addEventListener("click", function () { start("box"); });
    document.getElementById("draw-polygon").addEventListener("click", function () { start("polygon"); });
    document.getElementById("clear-area").addEventListener("click", function () {
      box.value = ""; polygon.value = ""; redraw(); hint("Search area cleared.");
    });
    map.on("click", function (event) {
      if (!mode) return;
      var p = event.latlng.wrap();
      points.push([round(p.lng), round(p.lat)]);
      if (mode === "box" && points.length === 2) {
        var w = points[0][0], e = points[1][0];
        var s = Math.min(points[0][1], points[1][1]), n = Math.max(points[0][1], points[1][1]);
        box.value = [w, s, e, n].join(",");
        polygon.value = "";
        end("Box " + box.value + " set: press Search.");
      } else if (mode === "polygon") {
        if (preview) map.removeLayer(preview);
        preview = L.polyline(points.map(function (q) { return [q[1], q[0]]; }), {color: "#1a5fb4"}).addTo(map);
      }
    });
    finish.addEventListener("click", function () {
      if (points.length < 3) { hint("A polygon needs three corners at least."); return; }
      if (signedArea(points) < 0) points.reverse();
      var ring = points.concat([points[0]]);
      polygon.value = ring.map(function (q) { return q.join(","); }).join(",");
      box.value = "";
      end("Polygon set: press Search.");
    });
    function end(text) {
      mode = null; node.classList.remove("drawing"); finish.hidden = true;
      if (preview) { map.removeLayer(preview); preview = null; }
      redraw(); hint(text);
    }
    return area;
  }

  function round(x) { return Math.round(x * 1000) / 1000; }

  /* Positive for a counterclockwise ring, its longitudes taken the short way round. */
  function signedArea(points) {
    var sum = 0, lons = [points[0][0]];
    for (var i = 1; i < points.length; i++) {
      var d = points[i][0] - points[i - 1][0];
      d -= 360 * Math.round(d / 360);
      lons.push(lons[i - 1] + d);
    }
    for (var j = 0; j < points.length; j++) {
      var k = (j + 1) % points.length;
      sum += lons[j] * points[k][1] - lons[k] * points[j][1];
    }
    return sum / 2;
  }

  function liveStatus() {
    var panel = document.getElementById("status-panel");
    if (!panel) return;
    function poll() {
      var current = document.getElementById("order-status");
      if (!current || current.dataset.open !== "true") return;
      fetch(panel.dataset.src, {credentials: "same-origin"}).then(function (r) {
        if (r.ok) return r.text();
      }).then(function (html) {
        if (html) panel.innerHTML = html;  // rendered and escaped by the server's template
        setTimeout(poll, 2000);
      }, function () { setTimeout(poll, 5000); });
    }
    setTimeout(poll, 2000);
  }

  var mapNode = document.getElementById("map");
  if (mapNode && window.L) {
    var map = setupMap(mapNode);
    var footprints = drawFootprints(map);
    if (document.getElementById("draw-box")) searchArea(map);
    if (footprints.getLayers().length && mapNode.classList.contains("small")) {
      map.fitBounds(footprints.getBounds(), {maxZoom: 4});
    }
    document.documentElement.dataset.mapReady = "true";
  }
  liveStatus();
})();
