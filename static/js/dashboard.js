/* The dashboard's charts: each <div class="chart" data-chart="{...}"> becomes an ECharts chart
   (vendored, static/vendor/echarts-5.6.0); a click on a bar or point opens the list behind it.
   The table view next to each chart carries the same figures and links without script. */
(function () {
  "use strict";
  var charts = [];

  function option(spec) {
    var many = spec.series.length > 1;
    return {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: many ? { type: "scroll", bottom: 0 } : undefined,
      grid: { left: 8, right: 16, top: 16, bottom: many ? 40 : 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 35 : 0, hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: "{value}" + (spec.unit || "") }, max: spec.unit === "%" ? 100 : null },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: spec.kind === "line" ? "line" : "bar",
          stack: spec.kind === "stacked" ? "all" : undefined,
          data: s.values,
          cursor: "pointer",
          label: spec.kind === "bar" ? { show: true, position: "top", formatter: "{c}" + (spec.unit || "") } : undefined
        };
      })
    };
  }

  function init(root) {
    // after an htmx-boosted navigation the vendored library may still be loading
    if (!window.echarts) { setTimeout(function () { init(root); }, 30); return; }
    (root || document).querySelectorAll(".chart[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) { return; }
      var spec = JSON.parse(el.dataset.chart);
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(spec));
      chart.on("click", function (params) {
        var series = spec.series[params.seriesIndex];
        var href = series && series.links[params.dataIndex];
        if (href) { window.location.assign(href); }
      });
      el.dataset.rendered = "1";
      charts.push(chart);
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
