/* Dashboard charts: each <div data-chart="ID"> is drawn from the JSON in <script id="ID">.
   ECharts is served from static/vendor; without it the tables beside each chart still show
   every figure, so the page never depends on the script. Clicking a bar opens the node. */
(function () {
  "use strict";
  if (!window.echarts) { return; }
  var RED = "#c8161d";
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) { return; }
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    var option;
    if (spec.type === "bar") {
      option = {
        tooltip: { trigger: "axis" },
        grid: { left: 48, right: 16, top: 24, bottom: 64 },
        xAxis: { type: "category", data: spec.categories, axisLabel: { rotate: spec.categories.length > 6 ? 40 : 0 } },
        yAxis: { type: "value", name: spec.unit },
        series: [{ type: "bar", data: spec.values, barMinHeight: 2, itemStyle: { color: RED },
          label: { show: spec.categories.length <= 12, position: "top", formatter: function (p) {
            return p.value === null || p.value === undefined ? "—" : p.value; } } }]
      };
      chart.on("click", function (p) { if (spec.links && spec.links[p.dataIndex]) { window.location = spec.links[p.dataIndex]; } });
    } else if (spec.type === "funnel") {
      // Drawn as labelled horizontal bars, not a funnel shape: a stage at zero stays a row
      // reading "0 件", where a funnel collapses it into a flat wedge nobody can read.
      var first = spec.values[0] || 0;
      option = {
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        grid: { left: 72, right: 96, top: 8, bottom: 8 },
        xAxis: { type: "value", show: false, max: Math.max(first, 1) },
        yAxis: { type: "category", inverse: true, data: spec.categories, axisTick: { show: false } },
        series: [{ type: "bar", barMinHeight: 2, itemStyle: { color: RED },
          data: spec.values.map(function (v) { return v || 0; }),
          label: { show: true, position: "right", formatter: function (p) {
            var share = first ? Math.round(p.value * 100 / first) + "%" : "—";
            return p.value + " 件（" + share + "）";
          } } }]
      };
    } else if (spec.type === "scatter") {
      option = {
        tooltip: { formatter: function (p) { return p.data.name; } },
        xAxis: { type: "value", scale: true, name: "经度" },
        yAxis: { type: "value", scale: true, name: "纬度" },
        series: [{ type: "scatter", symbolSize: 8, data: spec.points, itemStyle: { color: RED } }]
      };
    }
    if (option) { chart.setOption(option); }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
