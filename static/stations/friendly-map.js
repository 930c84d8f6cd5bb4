/* 友好地图 (public, phone): ask the phone for its position (WGS-84), fall back to the city
 * centre, list the nearest stations and service points and put them on a Leaflet map (served
 * locally; a plain background when no tile server is configured). No CDN, no framework. */
(function () {
  "use strict";
  var el = document.getElementById("fmap");
  var list = document.getElementById("items");
  var status = document.getElementById("status");
  var here = { lng: parseFloat(el.dataset.lng), lat: parseFloat(el.dataset.lat), located: false };
  var kind = "";
  var map = null, layer = null;

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function distance(m) {
    return m < 1000 ? m + " 米" : (m / 1000).toFixed(1) + " 公里";
  }

  if (window.L) {
    map = L.map(el, { zoomControl: false }).setView([here.lat, here.lng], 14);
    // Leaflet's own credit link is English; the tile server's attribution (if any) stays.
    map.attributionControl.setPrefix(false);
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { maxZoom: 18, attribution: el.dataset.tileAttribution || "" }).addTo(map);
    }
    layer = L.layerGroup().addTo(map);
    el.friendlyLayer = layer;
  } else {
    el.style.display = "none";
  }

  function render(data) {
    list.innerHTML = "";
    if (layer) layer.clearLayers();
    var bounds = [];
    data.items.forEach(function (it) {
      var li = document.createElement("li");
      li.dataset.type = it.type;
      li.innerHTML =
        "<span class='d'>" + distance(it.distance_m) + "</span><b>" + esc(it.name) + "</b><span class='k'>" +
        esc(it.kind_label) + "</span>" + (it.is_24h ? "<span class='k'>24小时</span>" : "") +
        (it.address ? "<p>" + esc(it.address) + "</p>" : "") +
        (it.hours ? "<p>开放：" + esc(it.hours) + "</p>" : "") +
        (it.offers ? "<p>服务：" + esc(it.offers) + "</p>" : "") +
        (it.url ? "<p><a href='" + esc(it.url) + "'>查看驿站</a></p>" : "");
      list.appendChild(li);
      if (layer) {
        L.circleMarker([it.lat, it.lng], {
          radius: it.type === "station" ? 8 : 5, color: "#fff", weight: 1,
          fillColor: it.type === "station" ? "#c8151d" : "#1a7f37", fillOpacity: 0.9,
        }).bindPopup("<b>" + esc(it.name) + "</b><br>" + esc(it.kind_label)).addTo(layer);
        bounds.push([it.lat, it.lng]);
      }
    });
    if (map && bounds.length) map.fitBounds(bounds, { padding: [16, 16], maxZoom: 16 });
    status.textContent = (here.located ? "您附近" : "未获取到位置，显示市中心附近") + "共 " + data.count + " 个点位";
    el.dataset.loaded = String(data.count);
  }

  function load() {
    var q = "?lng=" + here.lng + "&lat=" + here.lat + (kind ? "&kind=" + encodeURIComponent(kind) : "");
    fetch(el.dataset.pointsUrl + q)
      .then(function (r) { return r.json(); })
      .then(render)
      .catch(function () { status.textContent = "加载失败，请检查网络后刷新"; });
  }

  document.querySelectorAll("nav.kinds button").forEach(function (b) {
    b.addEventListener("click", function () {
      document.querySelectorAll("nav.kinds button").forEach(function (o) { o.setAttribute("aria-pressed", "false"); });
      b.setAttribute("aria-pressed", "true");
      kind = b.dataset.kind;
      load();
    });
  });

  if (navigator.geolocation) {
    navigator.geolocation.getCurrentPosition(
      function (pos) { here = { lng: pos.coords.longitude, lat: pos.coords.latitude, located: true }; load(); },
      function () { load(); },
      { timeout: 5000, maximumAge: 60000 }
    );
  } else {
    load();
  }
})();
