/*
 * HIT Portal chart loader. The Content-Security-Policy forbids inline scripts, so a page hands its
 * chart data over as JSON (Django's `json_script` filter) and marks the canvas that shows it:
 *
 *   {{ data|json_script:"coverage-radar-data" }}
 *   <canvas data-chart="coverage-radar-data" role="img" aria-label="..."></canvas>
 *
 * The JSON is plain data, never code:
 *
 *   {
 *     "kind": "radar" | "polarArea" | "line" | "bar",
 *     "title": "What the chart shows",             (optional)
 *     "labels": ["Provider organisations", ...],   (categories around the circle, or x values)
 *     "series": [{"label": "Depth", "values": [3, 2, 0, ...]}, ...],
 *     "min": 0, "max": 3, "step": 1,               (value axis, optional)
 *     "integer": true,                             (whole-number ticks for counts, optional)
 *     "spanGaps": true,                            (join a line across missing values, optional)
 *     "unit": "%",                                 (appended to values, optional)
 *     "signals": [false, true, ...]                (line charts: points showing a special cause,
 *                                                   drawn larger with a dark border, optional)
 *   }
 *
 * A funnel plot has its own shape: {"kind": "funnel", "title", "xLabel", "yLabel",
 * "points": [{"x": n, "y": R, "label": "HIT name"}, ...],
 * "lines": [{"label": "Upper alert limit (95%)", "values": [{"x": n, "y": limit}, ...]}, ...]}:
 * the HITs as a scatter, the centre and limits as lines without markers.
 *
 * A value may be null (nothing stored for that label): the point is left out. Before printing,
 * every closed <details> is opened so the tables beside the charts print (static/css/print.css
 * hides the canvases), and closed again afterwards.
 *
 * Needs Chart.js 4 (static/vendor/chartjs-<version>/chart.umd.js) loaded first. Every chart sits
 * next to a table of the same figures, so without JavaScript nothing is lost.
 */
(function () {
  "use strict";

  // Okabe-Ito: distinguishable with the common colour-vision deficiencies. Series also differ by
  // line dash and point shape, so colour is never the only cue.
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"];
  var DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  var POINTS = ["circle", "rectRot", "triangle", "rect", "star", "crossRot"];
  var KINDS = ["radar", "polarArea", "line", "bar"];
  var LIMIT_DASHES = [[2, 3], [6, 4], [], [6, 4], [2, 3]];

  function translucent(hex, alpha) {
    var value = parseInt(hex.slice(1), 16);
    return "rgba(" + ((value >> 16) & 255) + ", " + ((value >> 8) & 255) + ", " + (value & 255) + ", " +
      alpha + ")";
  }

  function readData(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source) {
      return null;
    }
    try {
      var data = JSON.parse(source.textContent);
      if (data.kind === "funnel") {
        return Array.isArray(data.points) && Array.isArray(data.lines) ? data : null;
      }
      if (KINDS.indexOf(data.kind) === -1 || !Array.isArray(data.labels) || !Array.isArray(data.series)) {
        return null;
      }
      return data;
    } catch (error) {
      return null;
    }
  }

  var LABEL_LINE = 16; // characters on one line of a label around a circular chart

  // "Patients, service users, carers and the public" -> ["Patients, service", "users, carers and", "the public"]:
  // whole words, lines of at most LABEL_LINE characters (a longer single word keeps its own line).
  function wrapLabel(label) {
    var text = String(label);
    if (text.length <= LABEL_LINE) {
      return text;
    }
    var lines = [];
    var line = "";
    text.split(/\s+/).forEach(function (word) {
      if (line && (line + " " + word).length > LABEL_LINE) {
        lines.push(line);
        line = word;
      } else {
        line = line ? line + " " + word : word;
      }
    });
    if (line) {
      lines.push(line);
    }
    return lines;
  }

  function withUnit(data) {
    return function (value) {
      return data.unit ? value + data.unit : value;
    };
  }

  function datasetsFor(data) {
    return data.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      var dataset = {
        label: series.label,
        data: series.values,
        borderColor: colour,
        backgroundColor: translucent(colour, data.kind === "line" ? 1 : 0.2),
        borderWidth: 2,
        borderDash: DASHES[index % DASHES.length],
        pointStyle: POINTS[index % POINTS.length],
        pointBackgroundColor: colour,
        pointRadius: 4,
        pointHoverRadius: 6
      };
      if (data.kind === "polarArea") {
        // One colour per category: a polar chart has one slice per label.
        dataset.backgroundColor = data.labels.map(function (label, i) {
          return translucent(COLOURS[i % COLOURS.length], 0.5);
        });
        dataset.borderColor = data.labels.map(function (label, i) {
          return COLOURS[i % COLOURS.length];
        });
        dataset.borderDash = [];
      }
      if (data.kind === "line") {
        dataset.tension = 0;
        dataset.fill = false;
      }
      if (data.spanGaps) {
        dataset.spanGaps = true;
      }
      if (index === 0 && Array.isArray(data.signals)) {
        // Special-cause points: larger, with a dark border (the table names the rule).
        dataset.pointRadius = data.signals.map(function (flag) { return flag ? 7 : 3; });
        dataset.pointBorderColor = data.signals.map(function (flag) { return flag ? "#000000" : colour; });
        dataset.pointBorderWidth = data.signals.map(function (flag) { return flag ? 2 : 1; });
      } else if (index > 0 && Array.isArray(data.signals)) {
        dataset.pointRadius = 0; // the mean and the limits are lines only
        dataset.borderWidth = 1;
      }
      return dataset;
    });
  }

  function valueAxis(data) {
    var axis = { ticks: { callback: withUnit(data) } };
    if (typeof data.min === "number") {
      axis.min = data.min;
    }
    if (typeof data.max === "number") {
      axis.max = data.max;
    }
    if (typeof data.step === "number") {
      axis.ticks.stepSize = data.step;
    }
    if (data.integer) {
      axis.ticks.precision = 0;
    }
    return axis;
  }

  function funnelConfig(data) {
    var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var datasets = [{
      type: "scatter",
      label: "HITs",
      data: data.points,
      borderColor: COLOURS[0],
      backgroundColor: translucent(COLOURS[0], 0.6),
      pointRadius: 5,
      pointHoverRadius: 7
    }];
    data.lines.forEach(function (line, index) {
      var colour = index === 2 ? "#000000" : (index === 0 || index === 4 ? COLOURS[1] : COLOURS[4]);
      datasets.push({
        type: "line",
        label: line.label,
        data: line.values,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 1.5,
        borderDash: LIMIT_DASHES[index % LIMIT_DASHES.length],
        pointRadius: 0,
        tension: 0.3,
        fill: false
      });
    });
    return {
      type: "scatter",
      data: { datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: 1.6,
        animation: reducedMotion ? false : { duration: 400 },
        scales: {
          x: { type: "linear", title: { display: true, text: data.xLabel || "" } },
          y: { title: { display: true, text: data.yLabel || "" } }
        },
        plugins: {
          title: { display: Boolean(data.title), text: data.title || "" },
          legend: { display: true, labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (context) {
                var raw = context.raw || {};
                var name = raw.label || context.dataset.label;
                return name + ": R " + raw.y + ", n " + raw.x;
              }
            }
          }
        }
      }
    };
  }

  function configFor(data) {
    if (data.kind === "funnel") {
      return funnelConfig(data);
    }
    var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var circular = data.kind === "radar" || data.kind === "polarArea";
    var scales = {};
    if (circular) {
      scales.r = valueAxis(data);
      scales.r.beginAtZero = true;
      scales.r.ticks.backdropColor = "rgba(255, 255, 255, 0.8)";
      // Long category names go onto several lines: on one line they reach past the canvas's edge
      // (Chart.js shrinks the circle to make room only so far).
      scales.r.pointLabels = { display: true, font: { size: 12 }, padding: 6, callback: wrapLabel };
    } else {
      scales.y = valueAxis(data);
      scales.x = { ticks: { autoSkip: true, maxRotation: 45 } };
    }
    var format = withUnit(data);
    return {
      type: data.kind,
      data: { labels: data.labels, datasets: datasetsFor(data) },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: circular ? 1 : 2,
        // Room at the canvas's edges for the outermost labels (and the point markers).
        layout: { padding: circular ? 12 : 0 },
        animation: reducedMotion ? false : { duration: 400 },
        scales: scales,
        plugins: {
          title: { display: Boolean(data.title), text: data.title || "" },
          legend: { display: data.series.length > 1 || data.kind === "polarArea", labels: { usePointStyle: true } },
          tooltip: {
            callbacks: {
              label: function (context) {
                var value = context.raw;
                var name = data.kind === "polarArea" ? context.label : context.dataset.label;
                return name + ": " + format(value);
              }
            }
          }
        }
      }
    };
  }

  function drawCharts(root) {
    if (typeof window.Chart !== "function") {
      return; // the tables next to the canvases carry the same figures
    }
    var canvases = Array.prototype.slice.call(root.querySelectorAll("canvas[data-chart]"));
    if (root.matches && root.matches("canvas[data-chart]")) {
      canvases.push(root);
    }
    canvases.forEach(function (canvas) {
      if (window.Chart.getChart(canvas)) {
        return; // already drawn (htmx may hand us an element twice)
      }
      var data = readData(canvas);
      if (data) {
        new window.Chart(canvas, configFor(data));
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      drawCharts(document);
    });
  } else {
    drawCharts(document);
  }
  // Printing: the tables inside closed <details> elements carry the charts' figures on paper.
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details:not([open])"), function (details) {
      details.setAttribute("data-opened-for-print", "");
      details.open = true;
    });
  });
  window.addEventListener("afterprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-opened-for-print]"), function (details) {
      details.removeAttribute("data-opened-for-print");
      details.open = false;
    });
  });
  document.addEventListener("htmx:load", function (event) {
    drawCharts(event.detail && event.detail.elt ? event.detail.elt : document);
  });
})();
