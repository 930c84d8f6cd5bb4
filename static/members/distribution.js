/* Draws the member-distribution charts from the JSON the page embeds (no network calls). */
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var red = "#c8161d";
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = data[el.dataset.chart];
    if (!spec) { return; }
    var labels = spec.rows.map(function (r) { return r[0]; });
    var values = spec.rows.map(function (r) { return r[1]; });
    var chart = echarts.init(el, null, { renderer: "svg" });
    var option;
    if (spec.kind === "pie") {
      option = {
        tooltip: { trigger: "item" },
        color: [red, "#f0a020", "#5470c6", "#91cc75"],
        series: [{ type: "pie", radius: ["35%", "65%"],
          data: spec.rows.map(function (r) { return { name: r[0], value: r[1] }; }) }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: labels, axisLabel: { interval: 0, rotate: labels.length > 6 ? 35 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: values, itemStyle: { color: red }, label: { show: true, position: "top" } }]
      };
    }
    chart.setOption(option);
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
