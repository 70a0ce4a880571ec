// Material page: switch the server-drawn unit-cell views (buttons, or the arrow keys on a focused
// button) and draw each XRD pattern with the vendored Vega-Lite from the JSON beside its chart.
"use strict";

function setupCells() {
  for (const figure of document.querySelectorAll("figure.cell")) {
    const buttons = [...figure.querySelectorAll(".view-button")];
    const show = (key) => {
      for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.view === key));
      for (const svg of figure.querySelectorAll("svg.unit-cell")) svg.toggleAttribute("hidden", svg.dataset.view !== key);
    };
    buttons.forEach((button, i) => {
      button.addEventListener("click", () => show(button.dataset.view));
      button.addEventListener("keydown", (event) => {
        const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
        if (!step) return;
        event.preventDefault();
        const next = buttons[(i + step + buttons.length) % buttons.length];
        next.focus();
        show(next.dataset.view);
      });
    });
  }
}

async function drawPatterns() {
  const status = document.querySelector(".xrd .plot-status");
  if (!status) return;
  let drawn = 0;
  for (const figure of document.querySelectorAll("figure.xrd-plot")) {
    const chart = JSON.parse(figure.querySelector("script.xrd-data").textContent);
    const el = figure.querySelector(".xrd-chart");
    const x = { field: "two_theta", type: "quantitative", title: "2θ (degrees)", scale: { domain: [chart.lo, chart.hi] } };
    const y = { field: "intensity", type: "quantitative", title: "intensity (strongest = 100)" };
    const layer = [];
    if (chart.measured.length) {
      layer.push({ data: { values: chart.measured.map(([t, i]) => ({ two_theta: t, intensity: i })) },
                   mark: { type: "line", color: "#222", strokeWidth: 1 }, encoding: { x, y } });
    }
    if (chart.simulated.length) {
      layer.push({ data: { values: chart.simulated.map(([t, i, s]) => ({ two_theta: t, intensity: i, structure: s })) },
                   mark: { type: "rule", strokeWidth: 1.5, opacity: 0.8, tooltip: true },
                   encoding: { x, y, y2: { datum: 0 },
                               color: { field: "structure", type: "nominal", title: "simulated" },
                               tooltip: [{ field: "structure" }, { field: "two_theta", title: "2θ" }, { field: "intensity" }] } });
    }
    const spec = { $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: "container", height: 260, layer };
    try {
      const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "svg", container: el, hover: true });
      await view.runAsync();
      el.dataset.drawn = "true";
      drawn += 1;
    } catch (e) {
      status.textContent = "Could not draw " + chart.title + ": " + e.message;
      return;
    }
  }
  status.textContent = drawn + " XRD " + (drawn === 1 ? "plot" : "plots") + " drawn.";
}

document.addEventListener("DOMContentLoaded", () => { setupCells(); drawPatterns(); });
