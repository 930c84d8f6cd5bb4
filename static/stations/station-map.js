/* Staff station map (Leaflet, served locally). Mounts every .station-map element.
 *
 * The server sends points already converted to the tiles' coordinate system (data-tile-crs),
 * so this file never converts coordinates itself. Without a tile URL the map is a plain
 * background with the points; without Leaflet (vendor files missing) it says so. */
(function () {
  "use strict";

  var TIER_COLORS = { flagship: "#c8151d", key: "#e67e22", standard: "#2f6fb3" };

  function escapeHtml(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function popupHtml(p) {
    var state = p.status !== "open" ? "暂停服务" : p.open_now ? "正在开放" : "现在休息";
    return (
      "<strong>" + escapeHtml(p.name) + "</strong><br>" +
      escapeHtml(p.tier_label) + " · " + escapeHtml(p.territory) + (p.is_24h ? " · 24小时" : "") + "<br>" +
      escapeHtml(state) + (p.overdue ? " · <b style='color:#c8151d'>六个一检查逾期</b>" : "") + "<br>" +
      (p.address ? escapeHtml(p.address) + "<br>" : "") +
      (p.services.length ? "服务：" + escapeHtml(p.services.join("、")) + "<br>" : "") +
      "<a href='" + escapeHtml(p.phone_url) + "' target='_blank'>扫码页</a> · " +
      "<a href='/stations/" + encodeURIComponent(p.code) + "/poster/'>海报</a>"
    );
  }

  function pointPopupHtml(p) {
    return (
      "<strong>" + escapeHtml(p.name) + "</strong><br>" + escapeHtml(p.kind_label) + (p.is_24h ? " · 24小时" : "") + "<br>" +
      (p.address ? escapeHtml(p.address) + "<br>" : "") +
      (p.hours ? "开放：" + escapeHtml(p.hours) + "<br>" : "") +
      (p.offers ? "服务：" + escapeHtml(p.offers) : "")
    );
  }

  function mount(el) {
    if (el.dataset.mounted) return;
    el.dataset.mounted = "1";
    if (!window.L) {
      el.textContent = "地图组件未加载（static/vendor/leaflet 缺失），请联系管理员。";
      el.classList.add("station-map-missing");
      return;
    }
    // Our own attribution control: Leaflet's default prefix is a flag and a link to its website.
    var map = L.map(el, { preferCanvas: true, zoomControl: true, attributionControl: false }).setView([32.06, 118.79], 10);
    L.control.attribution({ prefix: "Leaflet" }).addTo(map);
    var offline = !el.dataset.tileUrl;
    if (!offline) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 18, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    } else {
      // No tile server: district and street outlines (from the server, derived from station
      // coordinates) stand in for a basemap, under the points.
      el.classList.add("station-map-plain");
      map.attributionControl.addAttribution("轮廓由驿站坐标推算，非行政边界");
    }
    var outlineLayer = L.layerGroup().addTo(map);

    function drawOutlines(collection) {
      L.geoJSON(collection, {
        style: function (f) {
          var district = f.properties.level === "district";
          return { color: district ? "#555" : "#999", weight: district ? 2 : 1, dashArray: district ? null : "4 4",
                   fill: district, fillColor: "#e8e4dc", fillOpacity: 0.35, interactive: false };
        },
        onEachFeature: function (f, lyr) {
          if (f.properties.level === "district") {
            lyr.bindTooltip(escapeHtml(f.properties.name), { permanent: true, direction: "center", className: "station-map-area" });
          }
        },
      }).addTo(outlineLayer);
      el.dataset.outlines = String(collection.features.length);
    }
    var layer = L.layerGroup().addTo(map);
    var pointLayer = L.layerGroup().addTo(map);
    // Exposed so a dashboard embedding the map can pan or read the markers.
    el.stationMap = map;
    el.stationLayer = layer;
    el.pointLayer = pointLayer;
    var form = document.querySelector(".station-map-filters[data-map='" + el.id + "']");
    var counter = form ? form.querySelector(".station-map-count") : null;
    var first = true;

    function load() {
      var params = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
      if (first && offline) params.set("outlines", "1");
      fetch(el.dataset.pointsUrl + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          layer.clearLayers();
          if (data.outlines) drawOutlines(data.outlines);
          var bounds = [];
          data.points.forEach(function (p) {
            var marker = L.circleMarker([p.lat, p.lng], {
              radius: p.tier === "flagship" ? 9 : p.tier === "key" ? 7 : 5,
              color: p.overdue ? "#000" : "#fff",
              weight: p.overdue ? 2 : 1,
              fillColor: TIER_COLORS[p.tier] || "#666",
              fillOpacity: p.status === "open" ? 0.9 : 0.4,
            });
            marker.bindPopup(popupHtml(p));
            marker.addTo(layer);
            bounds.push([p.lat, p.lng]);
          });
          pointLayer.clearLayers();
          (data.service_points || []).forEach(function (p) {
            var marker = L.circleMarker([p.lat, p.lng], {
              radius: 4, color: "#fff", weight: 1, fillColor: "#1a7f37", fillOpacity: 0.85,
            });
            marker.bindPopup(pointPopupHtml(p));
            marker.addTo(pointLayer);
          });
          var extra = (data.service_points || []).length;
          if (counter) counter.textContent = "共 " + data.points.length + " 个驿站" + (extra ? "、" + extra + " 个服务点位" : "");
          if (first && bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
          first = false;
          el.dataset.loaded = String(data.points.length);
        })
        .catch(function () {
          if (counter) counter.textContent = "驿站数据加载失败，请刷新重试";
        });
    }
    if (form) form.addEventListener("change", load);
    load();
  }

  function mountAll() {
    document.querySelectorAll(".station-map").forEach(mount);
  }
  window.StationMap = { mount: mount, mountAll: mountAll };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
