// textmine web interface: keyboard shortcuts, element picker, unit-aware range control.
// No inline scripts (the Content-Security-Policy forbids them); all text goes in with textContent.
"use strict";

const TABLE = [
  "H,,,,,,,,,,,,,,,,,He", "Li,Be,,,,,,,,,,,B,C,N,O,F,Ne", "Na,Mg,,,,,,,,,,,Al,Si,P,S,Cl,Ar",
  "K,Ca,Sc,Ti,V,Cr,Mn,Fe,Co,Ni,Cu,Zn,Ga,Ge,As,Se,Br,Kr", "Rb,Sr,Y,Zr,Nb,Mo,Tc,Ru,Rh,Pd,Ag,Cd,In,Sn,Sb,Te,I,Xe",
  "Cs,Ba,La,Hf,Ta,W,Re,Os,Ir,Pt,Au,Hg,Tl,Pb,Bi,Po,At,Rn", "Fr,Ra,Ac,Rf,Db,Sg,Bh,Hs,Mt,Ds,Rg,Cn,Nh,Fl,Mc,Lv,Ts,Og",
  ",,Ce,Pr,Nd,Pm,Sm,Eu,Gd,Tb,Dy,Ho,Er,Tm,Yb,Lu,,", ",,Th,Pa,U,Np,Pu,Am,Cm,Bk,Cf,Es,Fm,Md,No,Lr,,",
];

function typing(event) {
  const t = event.target;
  return t && (t.isContentEditable || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName));
}

function splitList(value) {
  return value.split(",").map((s) => s.trim()).filter(Boolean);
}

function setupPicker() {
  const picker = document.getElementById("picker");
  const toggle = document.querySelector(".picker-toggle");
  if (!picker || !toggle) return;
  const include = document.getElementById(picker.dataset.include);
  const exclude = document.getElementById(picker.dataset.exclude);
  const norm = (e) => e.charAt(0).toUpperCase() + e.slice(1).toLowerCase();
  const state = (symbol) => {
    if (splitList(include.value).map(norm).includes(symbol)) return "in";
    if (splitList(exclude.value).map(norm).includes(symbol)) return "out";
    return "";
  };
  const refresh = () => picker.querySelectorAll("button[data-el]").forEach((b) => {
    const s = state(b.dataset.el);
    b.className = s;
    b.setAttribute("aria-pressed", s ? "true" : "false");
    b.title = b.dataset.el + (s === "in" ? ": required" : s === "out" ? ": excluded" : "");
  });
  const write = (input, list) => { input.value = list.join(","); };
  for (const row of TABLE) {
    for (const symbol of row.split(",")) {
      if (!symbol) { picker.appendChild(document.createElement("span")); continue; }
      const b = document.createElement("button");
      b.type = "button";
      b.dataset.el = symbol;
      b.textContent = symbol;
      b.addEventListener("click", () => {
        const s = state(symbol);
        const inc = splitList(include.value).map(norm).filter((e) => e !== symbol);
        const exc = splitList(exclude.value).map(norm).filter((e) => e !== symbol);
        if (s === "") inc.push(symbol); else if (s === "in") exc.push(symbol);
        write(include, inc); write(exclude, exc); refresh();
      });
      picker.appendChild(b);
    }
  }
  include.addEventListener("input", refresh);
  exclude.addEventListener("input", refresh);
  toggle.addEventListener("click", () => {
    picker.hidden = !picker.hidden;
    toggle.setAttribute("aria-expanded", String(!picker.hidden));
    if (!picker.hidden) picker.querySelector("button").focus();
  });
  refresh();
}

function setupUnits() {
  const property = document.getElementById("property");
  const unit = document.getElementById("unit");
  if (!property || !unit) return;
  property.addEventListener("change", async () => {
    unit.replaceChildren();
    const first = document.createElement("option");
    first.value = "";
    first.textContent = "property's";
    unit.appendChild(first);
    if (!property.value) return;
    try {
      const response = await fetch(property.dataset.unitsFrom + encodeURIComponent(property.value));
      if (!response.ok) return;
      const info = await response.json();
      first.textContent = info.default_unit;
      for (const u of info.units) {
        const o = document.createElement("option");
        o.value = u;
        o.textContent = u;
        unit.appendChild(o);
      }
    } catch (e) { /* the range still works in the property's unit */ }
  });
}

function setupKeys() {
  const hits = () => Array.from(document.querySelectorAll(".hit"));
  let current = -1;
  const select = (i) => {
    const list = hits();
    if (!list.length) return;
    current = Math.max(0, Math.min(i, list.length - 1));
    list.forEach((h, j) => h.classList.toggle("selected", j === current));
    list[current].focus();
    list[current].scrollIntoView({ block: "nearest" });
  };
  const help = document.getElementById("help");
  document.querySelectorAll("[data-help]").forEach((b) => b.addEventListener("click", () => help.showModal()));
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return;
    const q = document.getElementById("q");
    const form = document.getElementById("review-form");
    switch (event.key) {
      case "/": if (q) { event.preventDefault(); q.focus(); q.select(); } break;
      case "j": select(current + 1); break;
      case "k": select(current - 1); break;
      case "Enter": {
        const list = hits();
        if (current >= 0 && list[current] && document.activeElement === list[current]) window.location = list[current].dataset.href;
        break;
      }
      case "?": if (help) help.showModal(); break;
      case "a": case "r": if (form) { event.preventDefault(); focusReview(form, event.key === "a" ? "accept" : "reject"); } break;
      case "e": if (form) { event.preventDefault(); const m = document.getElementById("edit-material"); if (m) m.focus(); } break;
      default:
    }
  });
}

function focusReview(form, action) {
  // The reviewer and the key must be filled in first; then the button of the action gets focus.
  const reviewer = document.getElementById("reviewer");
  const key = document.getElementById("api_key");
  if (!reviewer.value) { reviewer.focus(); return; }
  if (!key.value) { key.focus(); return; }
  document.getElementById(action).focus();
}

function remember() {
  // The reviewer's name (never the key) is remembered in this browser.
  const reviewer = document.getElementById("reviewer");
  if (!reviewer) return;
  try {
    if (!reviewer.value) reviewer.value = localStorage.getItem("textmine.reviewer") || "";
    reviewer.addEventListener("change", () => localStorage.setItem("textmine.reviewer", reviewer.value));
  } catch (e) { /* storage disabled */ }
}

document.addEventListener("DOMContentLoaded", () => {
  setupPicker();
  setupUnits();
  setupKeys();
  remember();
  document.querySelectorAll(".hit").forEach((h) => h.addEventListener("dblclick", () => { window.location = h.dataset.href; }));
});
