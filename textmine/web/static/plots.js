// Property page: a histogram of values and values by publication year, drawn with the vendored
// Vega-Lite from /v1/properties/{name}/values (the same filters as the page).
"use strict";

async function drawPlots() {
  const box = document.querySelector(".plots");
  if (!box) return;
  const status = box.querySelector(".plot-status");
  let data;
  try {
    const response = await fetch(box.dataset.values);
    data = await response.json();
    if (!response.ok) throw new Error(data.error ? data.error.message : response.statusText);
  } catch (e) {
    status.textContent = "Could not load the values: " + e.message;
    return;
  }
  const title = box.dataset.property + " (" + data.unit + ")";
  status.textContent = data.points.length + " values plotted of " + data.total + " records" +
    (data.points.length < data.total ? " (a sample)" : "") + ".";
  if (!data.points.length) return;
  const values = data.points;
  const histogram = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: "container", height: 240, data: { values },
    mark: { type: "bar", tooltip: true },
    encoding: {
      x: { field: "value", bin: { maxbins: 40 }, type: "quantitative", title },
      y: { aggregate: "count", type: "quantitative", title: "records" },
    },
  };
  const byYear = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json", width: "container", height: 240,
    data: { values: values.filter((p) => p.year !== null) },
    layer: [
      { mark: { type: "point", opacity: 0.5, tooltip: true },
        encoding: { x: { field: "year", type: "ordinal", title: "year" }, y: { field: "value", type: "quantitative", title },
                    tooltip: [{ field: "formula" }, { field: "value" }, { field: "year" }] } },
      { mark: { type: "line", color: "#b3261e" },
        encoding: { x: { field: "year", type: "ordinal" }, y: { aggregate: "median", field: "value", type: "quantitative" } } },
    ],
  };
  for (const [id, spec] of [["histogram", histogram], ["by-year", byYear]]) {
    const el = document.getElementById(id);
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "svg", container: el, hover: true });
    await view.runAsync();
    el.dataset.drawn = "true";
  }
}

document.addEventListener("DOMContentLoaded", () => { drawPlots(); });
