/* reeflow web app: charts from JSON islands, downloads, small form helpers. No inline scripts
   (the pages' Content-Security-Policy allows scripts from this server only). */
(function () {
  "use strict";

  function renderPlots(root) {
    var nodes = [];
    if (root.matches && root.matches("[data-plot]")) nodes.push(root);
    root.querySelectorAll && root.querySelectorAll("[data-plot]").forEach(function (n) { nodes.push(n); });
    nodes.forEach(function (el) {
      var src = document.getElementById(el.dataset.plot);
      if (!src || !window.Plotly) return;
      var spec = JSON.parse(src.textContent);
      window.Plotly.react(el, spec.data, spec.layout || {}, {responsive: true, displaylogo: false});
      el.dataset.rendered = "1";
    });
  }

  function download(button) {
    var src = document.getElementById(button.dataset.downloadFrom);
    if (!src) return;
    var blob = new Blob([src.textContent], {type: "application/x-yaml;charset=utf-8"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = button.dataset.filename || "download.yaml";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function showExtractant(name) {
    document.querySelectorAll(".feed-grid").forEach(function (g) {
      var on = g.dataset.extractant === name;
      g.hidden = !on;
      g.querySelectorAll("input").forEach(function (i) { i.disabled = !on; });
    });
    var cut = document.getElementById("sx-cut");
    if (!cut) return;
    var first = null;
    Array.prototype.forEach.call(cut.options, function (o) {
      var on = o.dataset.extractant === name;
      o.hidden = !on; o.disabled = !on;
      if (on && !first) first = o;
    });
    if (cut.selectedOptions.length === 0 || cut.selectedOptions[0].disabled) {
      if (first) first.selected = true;
    }
  }

  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-download-from]");
    if (b) { e.preventDefault(); download(b); }
  });

  document.addEventListener("change", function (e) {
    var t = e.target;
    if (t.id === "sx-extractant") showExtractant(t.value);
    if (t.id === "study-reo" && t.value) {
      var r = document.getElementById("reo");
      r.value = Math.round(parseFloat(t.value) / 500) * 500;
      document.getElementById("reo-label").textContent = Number(r.value).toLocaleString("en");
      r.dispatchEvent(new Event("input", {bubbles: true}));
    }
  });

  document.addEventListener("input", function (e) {
    if (e.target.id === "reo") {
      document.getElementById("reo-label").textContent = Number(e.target.value).toLocaleString("en");
    }
  });

  function start() {
    if (window.htmx) { window.htmx.onLoad(renderPlots); } else { renderPlots(document.body); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();
