// tether sandbox dashboard: reads /_sandbox/events (server-sent events, a JSON snapshot
// twice a second) and changes the sandbox only through its admin routes, so whatever the
// page does a script can do too. No framework, no build step, no outside requests.
"use strict";

const CLASSES = ["2xx", "3xx", "4xx", "429", "5xx", "reset"];
const PERCENTILES = ["p50", "p95", "p99"];
const PALETTE = ["#2456c7", "#2e9d58", "#e07b00", "#8e44ad", "#1f9bb0", "#b5487a", "#6b7d1f",
  "#7a5230", "#59616e"];
const SVG = "http://www.w3.org/2000/svg";
const TOKEN_KEY = "tether-sandbox-admin-token";
const OFF_KEY = "tether-sandbox-rules-off";

const $ = (selector) => document.querySelector(selector);
const view = {
  token: sessionStorage.getItem(TOKEN_KEY) || "",
  off: JSON.parse(sessionStorage.getItem(OFF_KEY) || "[]"),
  last: null,
  lastEventAt: 0,
  signatures: {},
  keyColors: new Map(),
  tokenWaiters: [],
};

// -- talking to the sandbox ------------------------------------------------------------

(function tokenFromFragment() {
  // `tether serve --open` passes the token in the fragment, which never leaves the browser.
  const match = location.hash.match(/token=([^&]+)/);
  if (match) {
    view.token = decodeURIComponent(match[1]);
    sessionStorage.setItem(TOKEN_KEY, view.token);
    history.replaceState(null, "", location.pathname + location.search);
  }
})();

function authHeaders(extra) {
  const headers = Object.assign({}, extra || {});
  if (view.token) headers.Authorization = "Bearer " + view.token;
  return headers;
}

class AdminError extends Error {}

async function api(method, path, body) {
  const init = { method, headers: authHeaders(), cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => null);
  if (response.status === 401 || response.status === 403) {
    askForToken(data && data.message, response.status);
    throw new AdminError((data && data.message) || "the admin token is needed");
  }
  if (!response.ok) {
    throw new Error((data && data.message) || `${response.status} ${response.statusText}`);
  }
  return data;
}

function askForToken(serverMessage, status) {
  const dialog = $("#token-dialog");
  let reason = "This sandbox's controls need its admin token: the one given to tether serve --admin-token (or TETHER_SANDBOX_ADMIN_TOKEN), or printed when it started.";
  if (status === 403) reason = serverMessage || reason;  // no token would help: say why
  else if (view.token) reason = "That admin token is not valid; enter it again.";
  $("#token-reason").textContent = reason;
  setConnection("locked");
  if (!dialog.open) dialog.showModal();
  return new Promise((resolve) => view.tokenWaiters.push(resolve));
}

$("#token-form").addEventListener("submit", () => {
  view.token = $("#token-input").value.trim();
  sessionStorage.setItem(TOKEN_KEY, view.token);
  $("#token-input").value = "";
  for (const resolve of view.tokenWaiters.splice(0)) resolve();
  loadRoutes();
});

function setConnection(state) {
  const pill = $("#conn");
  if (pill.dataset.state === state) return;
  pill.dataset.state = state;
  pill.textContent = state;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// fetch rather than EventSource: only fetch can send the admin token as a header.
async function follow() {
  for (;;) {
    try {
      const response = await fetch("/_sandbox/events", { headers: authHeaders(), cache: "no-store" });
      if (response.status === 401 || response.status === 403) {
        const data = await response.json().catch(() => null);
        await askForToken(data && data.message, response.status);
        continue;
      }
      if (!response.ok || !response.body) throw new Error(String(response.status));
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((line) => line.startsWith("data:"))
            .map((line) => line.slice(5).trimStart()).join("\n");
          if (data) {
            view.lastEventAt = Date.now();
            setConnection("live");
            render(JSON.parse(data));
          }
        }
      }
    } catch (error) {
      // The sandbox stopped or restarted: try again shortly.
    }
    setConnection("reconnecting");
    await sleep(1000);
  }
}

setInterval(() => {
  if (view.lastEventAt && Date.now() - view.lastEventAt > 3000 && $("#conn").dataset.state === "live") {
    setConnection("reconnecting");
  }
}, 1000);

// -- formatting ------------------------------------------------------------------------

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

function formatMs(value) {
  if (value === null || value === undefined) return "–";
  return value >= 100 ? integer.format(value) : decimal.format(value);
}

function formatSpan(seconds) {
  seconds = Math.max(0, Math.floor(seconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}h ${String(m).padStart(2, "0")}m ${s}s` : `${m}m ${s}s`;
}

function setText(element, text) {
  if (element.textContent !== text) element.textContent = text;
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function changed(name, value) {
  const signature = JSON.stringify(value);
  if (view.signatures[name] === signature) return false;
  view.signatures[name] = signature;
  return true;
}

// -- rendering -------------------------------------------------------------------------

function classTotals(byStatus) {
  const totals = { "2xx": 0, "3xx": 0, "4xx": 0, "429": 0, "5xx": 0, reset: 0 };
  for (const [status, count] of Object.entries(byStatus)) {
    const code = Number(status);
    if (code === 429) totals["429"] += count;
    else if (code <= 0) totals.reset += count;
    else if (code < 300) totals["2xx"] += count;
    else if (code < 400) totals["3xx"] += count;
    else if (code < 500) totals["4xx"] += count;
    else totals["5xx"] += count;
  }
  return totals;
}

function metric(name, text) {
  setText(document.querySelector(`[data-metric="${name}"]`), text);
}

function render(snap) {
  view.last = snap;
  const stats = snap.stats;
  setText($("#seed"), String(snap.seed));
  setText($("#db"), snap.db === ":memory:" ? "in memory" : snap.db);
  setText($("#since"), formatSpan(snap.now - stats.since));
  if (!$("#r-seed").value && document.activeElement !== $("#r-seed")) {
    $("#r-seed").placeholder = String(snap.seed);
  }
  const totals = classTotals(stats.by_status);
  metric("requests", integer.format(stats.total));
  const series = snap.series;
  const lastIndex = series.t.length - 1;
  let lastSecond = 0;
  for (const name of CLASSES) lastSecond += series.classes[name][lastIndex] || 0;
  metric("rps", integer.format(lastSecond));
  for (const name of ["2xx", "4xx", "429", "5xx", "reset"]) metric(name, integer.format(totals[name]));
  for (const name of PERCENTILES) metric(name, formatMs(stats.latency_ms[name]));

  drawStatusChart(series);
  drawLatencyChart(series);
  drawClientsChart(series, snap.limits.limits);
  renderFaults(snap.faults);
  renderLimits(snap.limits);
  renderClients(stats.clients);
  renderCollections(snap.collections);
}

// -- charts ----------------------------------------------------------------------------

function niceCeiling(value) {
  // Four gridlines at round numbers: the top is four times a 1, 2, 2.5 or 5 step.
  const quarter = Math.max(value, 1) / 4;
  const power = 10 ** Math.floor(Math.log10(quarter));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (quarter <= step * power) return 4 * step * power;
  }
  return 40 * power;
}

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

// Axes, grid and scales shared by the three charts; returns helpers to place data.
function frame(svg, count, maxValue, format) {
  const width = Math.max(200, Math.round(svg.getBoundingClientRect().width));
  const height = Math.round(svg.getBoundingClientRect().height) || 170;
  const left = 46, right = 8, top = 8, bottom = 18;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceCeiling(maxValue);
  const x = (i) => left + (plotW * i) / count;
  const y = (v) => top + plotH - (plotH * Math.min(v, max)) / max;
  for (let k = 0; k <= 4; k++) {
    const value = (max * k) / 4;
    svg.append(svgEl("line", { class: k ? "gridline" : "baseline", x1: left, x2: width - right, y1: y(value), y2: y(value) }));
    const label = svgEl("text", { class: "axis", x: left - 6, y: y(value) + 3, "text-anchor": "end" });
    label.textContent = format(value);
    svg.append(label);
  }
  for (const [i, text] of [[0, "−60 s"], [count / 2, "−30 s"], [count, "now"]]) {
    const anchor = i === 0 ? "start" : i === count ? "end" : "middle";
    const label = svgEl("text", { class: "axis", x: x(i), y: height - 4, "text-anchor": anchor });
    label.textContent = text;
    svg.append(label);
  }
  return { svg, x, y, max, left, right, width, plotW, step: plotW / count };
}

const shortNumber = (v) => (v >= 1000 ? `${integer.format(v / 1000)}k` : Number.isInteger(v) ? String(v) : decimal.format(v));

function polyline(chart, values, attrs) {
  // Gaps (null) break the line instead of dropping to zero.
  let points = [];
  const flush = () => {
    if (points.length > 1) chart.svg.append(svgEl("polyline", Object.assign({ points: points.join(" ") }, attrs)));
    else if (points.length === 1) {
      const [px, py] = points[0].split(",");
      chart.svg.append(svgEl("circle", { cx: px, cy: py, r: 1.8, fill: attrs.stroke || "currentColor", class: attrs.class.replace("series", "") }));
    }
    points = [];
  };
  values.forEach((value, i) => {
    if (value === null || value === undefined) { flush(); return; }
    points.push(`${(chart.x(i) + chart.step / 2).toFixed(1)},${chart.y(value).toFixed(1)}`);
  });
  flush();
}

function legend(container, items) {
  // Rebuilt only when the names change; the numbers are updated in place.
  const names = items.map((item) => item.name);
  if (container.dataset.names !== JSON.stringify(names)) {
    container.dataset.names = JSON.stringify(names);
    container.replaceChildren(...items.map((item) => {
      const swatch = el("i", { class: item.swatchClass || null });
      if (item.color) swatch.style.background = item.color;
      return el("span", {}, swatch, `${item.name} `, el("b", { text: item.value }));
    }));
    return;
  }
  items.forEach((item, i) => setText(container.children[i].querySelector("b"), item.value));
}

function drawStatusChart(series) {
  const svg = $("#chart-status");
  const count = series.t.length;
  const sums = series.t.map((_, i) => CLASSES.reduce((sum, name) => sum + series.classes[name][i], 0));
  const chart = frame(svg, count, Math.max(4, ...sums), shortNumber);
  const barWidth = Math.max(1, chart.step - 1);
  for (let i = 0; i < count; i++) {
    let base = 0;
    for (const name of CLASSES) {
      const value = series.classes[name][i];
      if (!value) continue;
      const y0 = chart.y(base), y1 = chart.y(base + value);
      const rect = svgEl("rect", { class: `fill-${name}`, x: chart.x(i).toFixed(1), y: y1.toFixed(1), width: barWidth.toFixed(1), height: Math.max(0.5, y0 - y1).toFixed(1) });
      const title = svgEl("title", {});
      title.textContent = `${name}: ${value}/s`;
      rect.append(title);
      svg.append(rect);
      base += value;
    }
  }
  const last = count - 1;
  legend($("#legend-status"), CLASSES.filter((name) => name !== "3xx" || series.classes["3xx"].some(Boolean))
    .map((name) => ({ name, swatchClass: `bg-${name}`, value: integer.format(series.classes[name][last] || 0) })));
}

function drawLatencyChart(series) {
  const svg = $("#chart-latency");
  const values = PERCENTILES.flatMap((name) => series.latency_ms[name].filter((v) => v !== null));
  const chart = frame(svg, series.t.length, Math.max(1, ...values), shortNumber);
  for (const name of PERCENTILES) {
    polyline(chart, series.latency_ms[name], { class: `series stroke-${name}` });
  }
  const last = series.t.length - 1;
  legend($("#legend-latency"), PERCENTILES.map((name) => ({ name, swatchClass: `bg-${name}`, value: formatMs(series.latency_ms[name][last]) })));
}

function colorFor(key) {
  if (!view.keyColors.has(key)) view.keyColors.set(key, PALETTE[view.keyColors.size % PALETTE.length]);
  return view.keyColors.get(key);
}

function drawClientsChart(series, limits) {
  const svg = $("#chart-clients");
  const keys = Object.keys(series.clients);
  // Limits with windows of up to a minute, drawn as requests per second.
  const lines = limits.map((name) => ({ name, perSecond: ratePerSecond(name) }))
    .filter((line) => line.perSecond !== null);
  const peak = Math.max(4, ...keys.flatMap((key) => series.clients[key].requests), ...lines.map((line) => line.perSecond * 1.15));
  const chart = frame(svg, series.t.length, peak, shortNumber);
  for (const line of lines) {
    const y = chart.y(line.perSecond);
    svg.append(svgEl("line", { class: "limit", x1: chart.left, x2: chart.width - chart.right, y1: y, y2: y }));
    const label = svgEl("text", { class: "limit-label", x: chart.left + 4, y: y - 4 });
    label.textContent = `limit ${line.name}`;
    svg.append(label);
  }
  for (const key of keys) {
    const color = colorFor(key);
    polyline(chart, series.clients[key].requests, { class: "series", stroke: color });
    if (series.clients[key].rate_limited.some(Boolean)) {
      polyline(chart, series.clients[key].rate_limited, { class: "series dashed", stroke: color });
    }
  }
  const last = series.t.length - 1;
  legend($("#legend-clients"), keys.map((key) => ({ name: key, color: colorFor(key), value: integer.format(series.clients[key].requests[last]) })));
}

const UNITS = { s: 1, sec: 1, second: 1, min: 60, minute: 60, m: 60, h: 3600, hour: 3600, d: 86400, day: 86400 };

function ratePerSecond(name) {
  // The sandbox names its rates canonically: "20/s", "600/min", "10/5s", "5000/h".
  const match = name.match(/^(\d+)\/(\d*)\s*([a-z]+)$/);
  if (!match) return null;
  const period = (Number(match[2]) || 1) * (UNITS[match[3]] || NaN);
  if (!(period > 0) || period > 60) return null;
  return Number(match[1]) / period;
}

// -- fault rules -----------------------------------------------------------------------

function describeFault(rule) {
  switch (rule.kind) {
    case "status": return `status ${rule.status}` + (rule.retry_after ? `, Retry-After ${rule.retry_after}` : "") + (rule.after ? ", after the handler" : "");
    case "latency": return `latency ${formatDelay(rule.delay)}`;
    case "reset": return rule.after ? "reset after the handler" : "reset";
    case "truncate": return `truncate at ${Math.round(rule.fraction * 100)}%`;
    case "malformed": return "malformed JSON";
    case "drip": return `drip over ${formatDelay(rule.duration)}`;
    default: return rule.kind;
  }
}

function formatDelay(text) {
  // The sandbox writes delays in seconds ("0.02..0.2s"); people think of them in ms.
  const seconds = String(text).replace(/s$/, "").split("..").map(Number);
  if (seconds.some((value) => !Number.isFinite(value))) return String(text);
  const ms = seconds.map((value) => (value < 1 ? `${Math.round(value * 1000)}` : `${value * 1000}`));
  return ms.length === 2 ? `${ms[0]}–${ms[1]} ms` : `${ms[0]} ms`;
}

function percent(probability) {
  const value = probability * 100;
  return `${Number.isInteger(value) ? value : value.toFixed(1)}%`;
}

async function putRules(rules) {
  const faults = view.last && view.last.faults;
  const body = await api("PUT", "/_sandbox/faults", { seed: faults ? faults.seed : null, rules });
  if (view.last) { view.last.faults = body; renderFaults(body); }
  return body;
}

function saveOff() {
  sessionStorage.setItem(OFF_KEY, JSON.stringify(view.off));
}

function renderFaults(faults) {
  const body = $("#faults-body");
  if (changed("faults", [faults.rules, view.off])) {
    const ruleCell = (rule, suffix) => {
      const what = describeFault(rule) + (rule.times ? ` (at most ${rule.times}×)` : "") + suffix;
      return el("td", { class: "rule", title: `${rule.route}: ${what}` },
        el("code", { class: "route", text: rule.route }), el("span", { class: "what", text: what }));
    };
    const rows = faults.rules.map((rule, index) => {
      const label = `${rule.route} ${describeFault(rule)}`;
      return el("tr", { "data-rule": index }, ruleCell(rule, ""),
        el("td", { class: "r", text: percent(rule.probability) }),
        el("td", { class: "r hits", text: "0 / 0" }),
        el("td", {}, el("button", { type: "button", class: "quiet", "aria-label": `Switch off ${label}`, text: "Switch off", onclick: () => switchOff(index) })));
    });
    const offRows = view.off.map((rule, index) => {
      const label = `${rule.route} ${describeFault(rule)}`;
      return el("tr", { class: "off", "data-off": index }, ruleCell(rule, " · off"),
        el("td", { class: "r", text: percent(rule.probability) }),
        el("td", { class: "r", text: "–" }),
        el("td", {}, el("button", { type: "button", class: "quiet", "aria-label": `Switch on ${label}`, text: "Switch on", onclick: () => switchOn(index) })));
    });
    body.replaceChildren(...rows, ...offRows);
    $("#faults-empty").hidden = rows.length + offRows.length > 0;
  }
  faults.hits.forEach((hit, index) => {
    const cell = body.querySelector(`tr[data-rule="${index}"] .hits`);
    if (cell) setText(cell, `${integer.format(hit.fired)} / ${integer.format(hit.matched)}`);
  });
}

async function guarded(errorBox, action) {
  setText(errorBox, "");
  try {
    await action();
  } catch (error) {
    setText(errorBox, error.message);
  }
}

function switchOff(index) {
  return guarded($("#fault-error"), async () => {
    const rules = view.last.faults.rules.slice();
    const [removed] = rules.splice(index, 1);
    await putRules(rules);
    // The sandbox forgets a rule taken out; this tab keeps it to switch it back on.
    view.off.push(removed);
    saveOff();
    renderFaults(view.last.faults);
    focusAfterRebuild(`#faults-body tr.off:last-child button`);
  });
}

function switchOn(index) {
  return guarded($("#fault-error"), async () => {
    const rule = view.off[index];
    await putRules([...view.last.faults.rules, rule]);
    view.off.splice(index, 1);
    saveOff();
    renderFaults(view.last.faults);
    focusAfterRebuild(`#faults-body tr[data-rule]:last-of-type button`);
  });
}

function focusAfterRebuild(selector) {
  // Keyboard users keep their place when a row moves.
  const target = document.querySelector(selector) || $("#fault-add");
  target.focus();
}

function kindFields() {
  const kind = $("#f-kind").value;
  for (const field of document.querySelectorAll("[data-kind]")) field.hidden = field.dataset.kind !== kind;
}
$("#f-kind").addEventListener("change", kindFields);

$("#fault-form").addEventListener("submit", (event) => {
  event.preventDefault();
  guarded($("#fault-error"), async () => {
    const method = $("#f-method").value;
    const path = $("#f-path").value.trim() || "*";
    const route = method === "*" ? path : `${method} ${path}`;
    const kind = $("#f-kind").value;
    const probability = Number($("#f-prob").value);
    if (!$("#f-prob").value || !(probability >= 0 && probability <= 100)) throw new Error("probability: give a percentage from 0 to 100");
    const rule = { route, probability: probability / 100, kind };
    if (kind === "status") {
      rule.status = Number($("#f-status").value);
      if ($("#f-retry").value) rule.retry_after = Number($("#f-retry").value);
    }
    if (kind === "latency") rule.delay = $("#f-delay").value.trim();
    if ($("#f-times").value) rule.times = Number($("#f-times").value);
    if (!view.last) throw new Error("not connected to the sandbox yet");
    await putRules([...view.last.faults.rules, rule]);
  });
});

$("#fault-clear").addEventListener("click", () => guarded($("#fault-error"), async () => {
  await putRules([]);
  view.off = [];
  saveOff();
  renderFaults(view.last.faults);
}));

// -- rate limits -----------------------------------------------------------------------

async function putLimits(limits) {
  const body = await api("PUT", "/_sandbox/limits", { limits });
  if (view.last) { view.last.limits = body; renderLimits(body); }
}

function renderLimits(limits) {
  if (!changed("limits", limits.limits)) return;
  $("#limits-list").replaceChildren(...limits.limits.map((name, index) => el("li", {},
    el("b", { text: name }), " per client key",
    el("button", { type: "button", class: "quiet", "aria-label": `Remove the limit ${name}`, text: "×",
      onclick: () => guarded($("#limit-error"), async () => {
        const rest = view.last.limits.limits.filter((_, i) => i !== index);
        await putLimits(rest);
        $("#l-rate").focus();
      }) }))));
  $("#limits-empty").hidden = limits.limits.length > 0;
}

$("#limit-form").addEventListener("submit", (event) => {
  event.preventDefault();
  guarded($("#limit-error"), async () => {
    const rate = $("#l-rate").value.trim();
    if (!rate) throw new Error("rate: write one such as 20/s, 600/min or 5000/h");
    if (!view.last) throw new Error("not connected to the sandbox yet");
    await putLimits([...view.last.limits.limits, rate]);
    $("#l-rate").value = "";
  });
});

$("#limit-clear").addEventListener("click", () => guarded($("#limit-error"), () => putLimits([])));

// -- clients, data, routes -------------------------------------------------------------

function keyedRows(body, entries, cells) {
  // Rows are rebuilt only when the keys change; numbers update in place.
  const keys = entries.map(([key]) => key);
  if (changed(body.id, keys)) {
    body.replaceChildren(...entries.map(([key]) => el("tr", { "data-key": key }, ...cells(key).map((cell) => cell))));
  }
  return keys;
}

function renderClients(clients) {
  const body = $("#clients-body");
  const entries = Object.entries(clients).slice(0, 50);
  keyedRows(body, entries, (key) => [
    el("td", { title: key }, el("code", { text: key })),
    el("td", { class: "r requests" }), el("td", { class: "r refused" })]);
  entries.forEach(([, counts], i) => {
    const row = body.children[i];
    setText(row.querySelector(".requests"), integer.format(counts.requests));
    setText(row.querySelector(".refused"), integer.format(counts.rate_limited));
  });
  $("#clients-empty").hidden = entries.length > 0;
}

function renderCollections(collections) {
  const body = $("#collections-body");
  const entries = Object.entries(collections);
  keyedRows(body, entries, (name) => [
    el("td", {}, el("a", { href: `/${name}`, target: "_blank", rel: "noopener", text: name })),
    el("td", { class: "r count" })]);
  entries.forEach(([, count], i) => setText(body.children[i].querySelector(".count"), integer.format(count)));
}

$("#reset-form").addEventListener("submit", (event) => {
  event.preventDefault();
  guarded($("#reset-error"), async () => {
    const seed = $("#r-seed").value.trim();
    if (seed && !/^-?\d+$/.test(seed)) throw new Error("seed: give a whole number");
    await api("POST", "/_sandbox/reset" + (seed ? `?seed=${encodeURIComponent(seed)}` : ""));
    $("#r-seed").value = "";
  });
});

async function loadRoutes() {
  try {
    const routes = await api("GET", "/_sandbox/routes");
    $("#routes-list").replaceChildren(...routes.map((route) => el("li", {},
      el("span", { class: "method", text: route.method }),
      route.example
        ? el("a", { class: "path", href: route.example, target: "_blank", rel: "noopener" }, el("code", { text: route.path }))
        : el("code", { class: "path", text: route.path }),
      el("span", { class: "what", title: route.summary, text: route.summary }))));
  } catch (error) {
    if (!(error instanceof AdminError)) $("#routes-list").replaceChildren(el("li", { text: `routes unavailable: ${error.message}` }));
  }
}

kindFields();
loadRoutes();
follow();
window.addEventListener("resize", () => view.last && render(view.last));
