/* Dashboard charts: data from the page's json_script (CSP forbids inline scripts).
   Counts get integer axes; every series is named after its table column; a table with
   many rows (90 units, 25 agencies, dozens of trades) is drawn as sorted horizontal bars
   of its first TOP rows, the rest left to the table below the chart. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent);
  var TOP = 15;          // bars drawn at most; the table has every row
  var PIE_SLICES = 7;    // slices drawn at most; the rest is one 其他 slice
  var BAR_HEIGHT = 26;   // px per horizontal bar, so names never overlap
  var countAxis = { type: "value", minInterval: 1 };  // no 0.5 of a person

  function nonZero(p) { return p.value ? String(p.value) : ""; }

  // Every value hidden (the observer's cells under 5): say so instead of an empty frame.
  function allHidden(values) {
    return values.length > 0 && values.every(function (v) { return v === null; });
  }
  var HIDDEN_NOTE = { text: "人数较少，数据已隐藏（见下表）", left: "center", top: "middle",
                      textStyle: { fontSize: 14, fontWeight: "normal", color: "#888" } };

  function name(data, series, fallback) {
    return (data.names && data.names[series]) || fallback;
  }

  function rows(data, keys) {
    return data.labels.map(function (label, i) {
      var row = { label: label };
      keys.forEach(function (k) { row[k] = data[k][i]; });
      return row;
    });
  }

  function topRows(data, keys, sortKey) {
    // Hidden (suppressed) cells are null: they sort last and are drawn as gaps. Ties go by
    // the other series (units with no departure yet: the largest task first).
    function value(row, key) { return row[key] === null || row[key] === undefined ? -1 : row[key]; }
    var sorted = rows(data, keys).sort(function (a, b) {
      for (var i = 0, order = [sortKey].concat(keys); i < order.length; i++) {
        var d = value(b, order[i]) - value(a, order[i]);
        if (d) { return d; }
      }
      return 0;
    });
    return { shown: sorted.slice(0, TOP), more: Math.max(0, sorted.length - TOP) };
  }

  function caption(top, total) {
    return top.more ? { text: "前" + TOP + "名（共" + total + "项，其余见下表）",
                        right: 0, top: 0, textStyle: { fontSize: 12, fontWeight: "normal",
                                                        color: "#666" } } : undefined;
  }

  // Horizontal bars, largest first, names on the left axis (never rotated or overlapping).
  function horizontal(el, data, series, sortKey, integer) {
    var keys = series.map(function (s) { return s.key; });
    var top = topRows(data, keys, sortKey);
    el.style.height = Math.max(160, top.shown.length * BAR_HEIGHT * (series.length > 1 ? 1.4 : 1) + 80) + "px";
    return {
      title: caption(top, data.labels.length),
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, left: 0 },
      grid: { left: 8, right: 48, top: 32, bottom: 8, containLabel: true },
      yAxis: { type: "category", inverse: true,
               data: top.shown.map(function (r) { return r.label; }),
               axisLabel: { width: 180, overflow: "truncate" } },
      xAxis: integer ? countAxis : { type: "value" },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", itemStyle: { color: s.color },
                 label: { show: true, position: "right", formatter: nonZero },
                 data: top.shown.map(function (r) { return r[s.key]; }) };
      })
    };
  }

  // Vertical bars or a line, for few rows in their own order (cities, months, stages).
  function vertical(data, series, integer) {
    return {
      tooltip: { trigger: "axis" }, legend: { top: 0 },
      grid: { left: 16, right: 16, top: 36, bottom: 16, containLabel: true },
      xAxis: { type: "category", data: data.labels,
               axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: integer ? countAxis : { type: "value" },
      series: series
    };
  }

  function pie(data) {
    var slices = data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; })
      .filter(function (s) { return s.value !== 0; })
      .sort(function (a, b) { return (b.value || 0) - (a.value || 0); });
    if (slices.length > PIE_SLICES) {
      var rest = slices.slice(PIE_SLICES - 1);
      var known = rest.every(function (s) { return s.value !== null; });
      slices = slices.slice(0, PIE_SLICES - 1).concat([{ name: "其他（" + rest.length + "项）",
        value: known ? rest.reduce(function (n, s) { return n + s.value; }, 0) : null }]);
    }
    if (allHidden(data.values)) { return { title: HIDDEN_NOTE }; }
    return {
      tooltip: { trigger: "item", formatter: "{b}：{c}（{d}%）" },
      legend: { type: "scroll", orient: "vertical", right: 0, top: "middle" },
      series: [{ type: "pie", name: name(data, "values", "人数"), radius: ["0%", "62%"],
                 center: ["40%", "52%"], avoidLabelOverlap: true, minShowLabelAngle: 8,
                 labelLayout: { hideOverlap: true },
                 label: { formatter: "{b}：{c}" }, data: slices }]
    };
  }

  var builders = {
    progress_few: function (el, data) {
      return vertical(data, [
        { name: name(data, "task", "任务数"), type: "bar", data: data.task,
          itemStyle: { color: "#b8c4d6" } },
        { name: name(data, "departed", "已输出"), type: "bar", data: data.departed,
          itemStyle: { color: "#c0392b" } }
      ], true);
    },
    progress_many: function (el, data) {
      return horizontal(el, data, [
        { key: "departed", name: name(data, "departed", "已输出"), color: "#c0392b" },
        { key: "task", name: name(data, "task", "任务数"), color: "#b8c4d6" }
      ], "departed", true);
    },
    funnel: function (el, data) {
      return {
        tooltip: { trigger: "item", formatter: "{b}：{c}" },
        series: [{ type: "funnel", name: name(data, "values", "人数"), sort: "none",
                   left: "10%", width: "80%", minSize: "8%", label: { formatter: "{b}：{c}" },
                   data: data.labels.map(function (l, i) { return { name: l, value: data.values[i] }; }) }]
      };
    },
    pie: function (el, data) { return pie(data); },
    line: function (el, data) {
      return vertical(data, [{ name: name(data, "values", "输出人数"), type: "line",
                               data: data.values, label: { show: true } }], true);
    },
    ranked: function (el, data) {
      return horizontal(el, data, [{ key: "values", name: name(data, "values", "人数"),
                                     color: "#2c6fbb" }], "values", true);
    },
    days: function (el, data) {
      return vertical(data, [{ name: name(data, "values", "天数"), type: "bar",
                               data: data.values, label: { show: true, position: "top" } }],
                      false);
    }
  };
  // A city table has at most 11 rows: vertical bars in the seed's order read best.
  var kinds = { city: "progress_few", unit: "progress_many", funnel: "funnel", cohort: "funnel",
                country: "pie", trade: "ranked", agency: "ranked", month: "line",
                poverty: "pie", stage_time: "days" };

  Object.keys(charts).forEach(function (key) {
    var el = document.getElementById("chart-" + key);
    var build = builders[kinds[key]];
    if (!el || !build) { return; }
    var option = build(el, charts[key]);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
