/* Dashboard charts: data from the page's json_script (CSP forbids inline scripts). */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent);
  var grid = { left: 48, right: 16, top: 36, bottom: 64, containLabel: true };
  var rotated = { type: "category", axisLabel: { interval: 0, rotate: 30 } };

  function bars(data, series) {
    return {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid,
      xAxis: Object.assign({ data: data.labels }, rotated), yAxis: { type: "value" },
      series: series
    };
  }

  var builders = {
    progress: function (data) {
      return bars(data, [
        { name: "任务数", type: "bar", data: data.task, itemStyle: { color: "#b8c4d6" } },
        { name: "已输出", type: "bar", data: data.departed, itemStyle: { color: "#c0392b" } }
      ]);
    },
    funnel: function (data) {
      return {
        tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "8%",
                   label: { formatter: "{b}：{c}" },
                   data: data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; }) }]
      };
    },
    pie: function (data) {
      return {
        tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: "65%", label: { formatter: "{b}：{c}（{d}%）" },
                   data: data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; }) }]
      };
    },
    line: function (data) {
      return bars(data, [{ name: "输出人数", type: "line", data: data.values }]);
    },
    bar: function (data) {
      return bars(data, [{ name: "数值", type: "bar", data: data.values }]);
    }
  };
  var kinds = { city: "progress", unit: "progress", funnel: "funnel", country: "pie",
                trade: "bar", agency: "bar", month: "line", poverty: "pie", stage_time: "bar" };

  Object.keys(charts).forEach(function (key) {
    var el = document.getElementById("chart-" + key);
    var build = builders[kinds[key]];
    if (!el || !build) { return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(build(charts[key]));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
