// 大屏: wires the filters to the panels. Each panel asks its own endpoint and shows "—" when it is not served.

import { AuthError, get, setToken, takeToken, token } from "./api.js";
import { clear, drawMap, drawSources, drawTrends } from "./charts.js";
import { addDays, cityToday, dayStart, daysBetween, element, instant, number, percent } from "./format.js";
import { channelLabel, eventLabel, language, setLanguage, stageLabel, t, translatePage } from "./i18n.js";
import { loadPatrols } from "./patrols.js";

const $ = (selector) => document.querySelector(selector);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const areas = new Map(); // level → GeoJSON, fetched once
const categoriesSeen = new Set();
let generation = 0; // a slower, older answer never overwrites a newer one

function filters() {
  return {
    from: $("#from").value,
    to: $("#to").value,
    category: $("#category").value.trim(),
    level: $("#level").value,
    interval: $("#interval").value,
  };
}

function intervalFor(f) {
  if (f.interval !== "auto") return f.interval;
  const days = daysBetween(f.from, f.to);
  return days <= 62 ? "day" : days <= 400 ? "week" : "month";
}

function setStatus(panel, text) {
  const status = document.querySelector(`#${panel} .status`);
  if (status) {
    status.textContent = text ?? "";
    status.hidden = !text;
  }
}

function unavailable(panel) {
  setStatus(panel, `${t("unavailable")} ${t("unavailableNote")}`);
}

function setKpi(id, value, detail = "") {
  $(`#${id} .value`).textContent = value;
  $(`#${id} .detail`).textContent = detail;
}

function noteCategories(rows) {
  let added = false;
  for (const row of rows ?? []) {
    if (row.category_code && !categoriesSeen.has(row.category_code)) {
      categoriesSeen.add(row.category_code);
      added = true;
    }
  }
  if (added) {
    $("#category-list").replaceChildren(...[...categoriesSeen].sort().map((code) => element("option", { value: code })));
  }
}

/** Run one panel's loader, keeping a failure inside that panel; a refused token asks for a new one. */
async function panel(name, load) {
  try {
    setStatus(name, "");
    await load();
  } catch (error) {
    if (error instanceof AuthError) {
      if (error.status === 401) askForToken(t("badToken"));
      setStatus(name, t(error.status === 401 ? "badToken" : "forbidden"));
      return;
    }
    setStatus(name, t("unavailable"));
    console.error(`${name}:`, error);
  }
}

async function loadKpis(f, mine) {
  const counts = await get("/v1/reports/counts", { since: dayStart(f.from), until: dayStart(addDays(f.to, 1)) });
  if (mine !== generation) return;
  if (counts === null) {
    for (const id of ["kpi-reports", "kpi-opened", "kpi-merged"]) setKpi(id, t("unavailable"));
  } else {
    const opened = counts.reduce((sum, row) => sum + row.opened, 0);
    const merged = counts.reduce((sum, row) => sum + row.merged, 0);
    setKpi("kpi-reports", number(opened + merged), counts.map((row) => `${channelLabel(row.channel)} ${row.opened + row.merged}`).join(" · "));
    setKpi("kpi-opened", number(opened));
    setKpi("kpi-merged", number(merged));
  }
  const city = await get("/v1/assessment", { from: f.from, to: f.to, level: "city" });
  if (mine !== generation) return;
  const figure = city?.rows?.[0]?.figures?.close_rate;
  setKpi("kpi-close-rate", figure ? percent(figure.value) : t("unavailable"), figure ? `${figure.numerator}/${figure.denominator}` : "");
}

async function loadMap(f, mine) {
  let geojson = areas.get(f.level);
  if (!geojson) {
    geojson = await get("/v1/areas", { level: f.level });
    if (geojson === null) return unavailable("map-panel");
    areas.set(f.level, geojson);
  }
  const hotspots = await get("/v1/origin/hotspots", { level: f.level, from: f.from, to: f.to, category: f.category });
  if (mine !== generation) return;
  let counts = null;
  if (hotspots !== null) {
    counts = new Map();
    for (const row of hotspots.rows) counts.set(row.code, (counts.get(row.code) ?? 0) + row.count);
    noteCategories(hotspots.rows);
  }
  drawMap("map", f.level, geojson, counts);
  const total = counts ? [...counts.values()].reduce((sum, n) => sum + n, 0) : null;
  $("#map-total").textContent = `${t("count")}: ${total === null ? t("unavailable") : number(total)}`;
  if (counts === null) unavailable("map-panel");
}

async function loadTrends(f, mine) {
  const trends = await get("/v1/trends", { from: f.from, to: f.to, interval: intervalFor(f), category: f.category });
  if (mine !== generation) return;
  if (trends === null) {
    clear("trends");
    return unavailable("trends-panel");
  }
  drawTrends("trends", trends.rows);
}

async function loadSources(f, mine) {
  const level = f.level === "grid" ? "community" : f.level;
  const sources = await get("/v1/origin/sources", { from: f.from, to: f.to, level });
  if (mine !== generation) return;
  if (sources === null) {
    clear("sources");
    setKpi("kpi-active-share", t("unavailable"));
    return unavailable("sources-panel");
  }
  const rows = [...sources.rows].sort((a, b) => a.active + a.passive - (b.active + b.passive)).slice(-15);
  drawSources("sources", rows);
  const active = sources.rows.reduce((sum, row) => sum + row.active, 0);
  const all = active + sources.rows.reduce((sum, row) => sum + row.passive, 0);
  setKpi("kpi-active-share", all ? percent(active / all) : t("unavailable"), `${active}/${all}`);
}

function figureCell(figure) {
  if (!figure) return element("td", {}, t("unavailable"));
  const rate = /rate$/.test(figure.key);
  return element(
    "td",
    { class: "figure", title: language() === "zh" ? figure.label_zh : figure.label_en },
    element("span", { class: "rate" }, rate ? percent(figure.value) : number(figure.value, 0)),
    element("span", { class: "ratio" }, `${figure.numerator ?? "—"}/${figure.denominator ?? "—"}`),
  );
}

async function loadAssessment(f, mine) {
  const level = $("#assessment-level").value;
  const assessment = await get("/v1/assessment", { from: f.from, to: f.to, level });
  if (mine !== generation) return;
  const table = $("#assessment");
  if (assessment === null) {
    table.replaceChildren();
    return unavailable("assessment-panel");
  }
  const rows = assessment.rows ?? [];
  const keys = rows.length ? Object.keys(rows[0].figures ?? {}) : [];
  const labels = rows.length ? rows[0].figures : {};
  const head = element(
    "tr",
    {},
    element("th", {}, t("rank")),
    element("th", {}, t("name")),
    element("th", {}, t("score")),
    element("th", {}, t("grade")),
    keys.map((key) => element("th", {}, language() === "zh" ? labels[key].label_zh : labels[key].label_en)),
  );
  const body = rows.map((row) =>
    element(
      "tr",
      {},
      element("td", {}, row.rank ?? t("unavailable")),
      element("td", { title: row.code }, row.name ?? row.code),
      element("td", {}, number(row.score, 1)),
      element("td", {}, row.grade ?? t("unavailable")),
      keys.map((key) => figureCell(row.figures[key] ? { key, ...row.figures[key] } : null)),
    ),
  );
  table.replaceChildren(element("thead", {}, head), element("tbody", {}, body));
  if (!rows.length) setStatus("assessment-panel", t("noData"));
}

function caseLink(caseId, text) {
  return element("a", { href: "#", class: "case-link", dataset: { caseId }, onclick: (event) => { event.preventDefault(); openTrace(caseId); } }, text ?? caseId.slice(0, 8));
}

async function loadRecurrences(f, mine) {
  const recurrences = await get("/v1/origin/recurrences", {
    from: f.from,
    to: f.to,
    window_days: $("#window-days").value,
    level: "grid", // 反复发生 is told per unit grid (the finest area a person patrols)
  });
  if (mine !== generation) return;
  const table = $("#recurrences");
  if (recurrences === null) {
    table.replaceChildren();
    return unavailable("recurrences-panel");
  }
  noteCategories(recurrences.rows);
  table.replaceChildren(
    element("thead", {}, element("tr", {}, element("th", {}, t("code")), element("th", {}, t("category")), element("th", {}, t("count")), element("th", {}, t("cases")))),
    element(
      "tbody",
      {},
      recurrences.rows.slice(0, 20).map((row) =>
        element(
          "tr",
          {},
          element("td", {}, row.code),
          element("td", {}, row.category_code),
          element("td", {}, row.count),
          element("td", { class: "cases" }, (row.case_ids ?? []).slice(0, 6).map((id) => caseLink(id))),
        ),
      ),
    ),
  );
  if (!recurrences.rows.length) setStatus("recurrences-panel", t("noData"));
}

export async function refresh() {
  if (!token()) return askForToken(t("needToken"));
  const f = filters();
  generation += 1;
  const mine = generation;
  document.body.dataset.loading = "true";
  await Promise.all([
    panel("kpis", () => loadKpis(f, mine)),
    panel("map-panel", () => loadMap(f, mine)),
    panel("trends-panel", () => loadTrends(f, mine)),
    panel("sources-panel", () => loadSources(f, mine)),
    panel("assessment-panel", () => loadAssessment(f, mine)),
    panel("recurrences-panel", () => loadRecurrences(f, mine)),
    patrolPanel(),
  ]);
  if (mine === generation) document.body.dataset.loading = "false";
}

/** 巡查覆盖: its own day (the period's last by default), week toggle and area. */
function patrolPanel() {
  const run = (load) => panel("patrol-panel", load);
  return run(() => loadPatrols(run, (text) => setStatus("patrol-panel", text)));
}

let lastSearch = null; // re-shown in the other language on the toggle
let lastTrace = null;

async function search() {
  const q = $("#search-q").value.trim();
  lastSearch = q;
  if (!q) return;
  if (UUID.test(q)) return openTrace(q); // a case id opens its trace at once
  await panel("search-panel", async () => {
    const found = await get("/v1/cases", { q, limit: 20 });
    const table = $("#search-results");
    if (found === null) {
      table.replaceChildren();
      return unavailable("search-panel");
    }
    table.replaceChildren(
      element("thead", {}, element("tr", {}, ["caseNumber", "category", "channel", "reportedAt", "closedAt"].map((key) => element("th", {}, t(key))))),
      element(
        "tbody",
        {},
        found.rows.map((row) =>
          element(
            "tr",
            {},
            element("td", {}, caseLink(row.case_id, row.case_number ?? row.case_id.slice(0, 8))),
            element("td", {}, row.category_code),
            element("td", {}, channelLabel(row.channel)),
            element("td", {}, instant(row.reported_at)),
            element("td", {}, row.closed_at ? instant(row.closed_at) : t("unavailable")),
          ),
        ),
      ),
    );
    if (!found.rows.length) setStatus("search-panel", t("noData"));
  });
}

function summary(data) {
  const keys = ["case_number", "category_code", "channel", "unit_name", "unit_code", "reason", "result", "method"];
  return keys.filter((key) => data?.[key] !== undefined && data[key] !== null && typeof data[key] !== "object").map((key) => `${key}: ${data[key]}`).join(" · ");
}

function stagesView(stages) {
  const longest = Math.max(1, ...stages.map((s) => Math.max(s.hours ?? 0, s.limit_hours ?? 0)));
  return element(
    "ol",
    { class: "stages" },
    stages.map((stage) =>
      element(
        "li",
        { class: stage.late ? "stage late" : "stage", dataset: { stage: stage.stage } },
        element("span", { class: "stage-name" }, stageLabel(stage.stage)),
        element(
          "span",
          { class: "stage-bar" },
          element("span", { class: "used", style: `width:${(100 * (stage.hours ?? 0)) / longest}%` }),
          stage.limit_hours ? element("span", { class: "limit", style: `left:${(100 * stage.limit_hours) / longest}%` }) : null,
        ),
        element("span", { class: "stage-hours" }, `${number(stage.hours, 1)} / ${number(stage.limit_hours, 1)} h`),
        element("span", { class: "stage-flag" }, stage.late === null || stage.late === undefined ? "" : t(stage.late ? "late" : "onTime")),
        element("span", { class: "stage-when" }, `${instant(stage.started_at)} → ${stage.ended_at ? instant(stage.ended_at) : "…"}`),
      ),
    ),
  );
}

export async function openTrace(caseId) {
  lastTrace = caseId;
  const view = $("#trace");
  await panel("trace-panel", async () => {
    const trace = await get(`/v1/cases/${encodeURIComponent(caseId)}/trace`);
    if (trace === null) {
      view.replaceChildren();
      setStatus("trace-panel", t("notFound"));
      return;
    }
    const parts = [element("h3", { class: "trace-case" }, trace.case_id)];
    if (trace.stages?.length) parts.push(element("h4", {}, t("stages")), stagesView(trace.stages));
    if (trace.merged_reports?.length) parts.push(element("h4", {}, `${t("mergedReports")}: ${trace.merged_reports.length}`));
    parts.push(
      element("h4", {}, `${t("events")} (${trace.events.length})`),
      element(
        "ol",
        { class: "timeline" },
        trace.events.map((event) =>
          element(
            "li",
            { class: `event service-${event.service}`, dataset: { type: event.type } },
            element("time", { datetime: event.occurred_at }, instant(event.occurred_at)),
            element("span", { class: "event-type", title: event.type }, eventLabel(event.type)),
            element("span", { class: "event-service" }, event.service),
            element("span", { class: "event-data" }, summary(event.data)),
          ),
        ),
      ),
    );
    view.replaceChildren(...parts);
    $("#trace-panel").scrollIntoView({ block: "nearest" });
  });
}

function askForToken(message) {
  $("#login-message").textContent = message;
  $("#login").hidden = false;
  $("#token-input").focus();
}

function setPeriod(preset) {
  const today = cityToday();
  const from = {
    last7: addDays(today, -6),
    last30: addDays(today, -29),
    thisMonth: `${today.slice(0, 8)}01`,
    thisYear: `${today.slice(0, 5)}01-01`,
  }[preset];
  $("#from").value = from;
  $("#to").value = today;
}

function start() {
  setLanguage(language());
  translatePage();
  setPeriod("last30");
  takeToken();
  $("#lang").addEventListener("click", () => {
    setLanguage(language() === "zh" ? "en" : "zh");
    translatePage();
    refresh();
    if (lastSearch && !UUID.test(lastSearch)) search();
    if (lastTrace) openTrace(lastTrace);
  });
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken($("#token-input").value);
    $("#token-input").value = "";
    $("#login").hidden = true;
    refresh();
  });
  $("#logout").addEventListener("click", () => {
    setToken(null);
    askForToken(t("needToken"));
  });
  $("#filters").addEventListener("submit", (event) => {
    event.preventDefault();
    refresh();
  });
  for (const button of document.querySelectorAll("[data-period]")) {
    button.addEventListener("click", () => {
      setPeriod(button.dataset.period);
      refresh();
    });
  }
  $("#patrol-day").value = $("#to").value;
  $("#patrol-apply").addEventListener("click", () => patrolPanel());
  $("#patrol-mode").addEventListener("change", () => patrolPanel());
  for (const select of ["#level", "#interval", "#assessment-level", "#window-days"]) $(select).addEventListener("change", () => refresh());
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    search();
  });
  // A link with `#token=` opened on the page already shown changes only the fragment.
  window.addEventListener("hashchange", () => {
    if (new URLSearchParams(location.hash.replace(/^#/, "")).has("token")) {
      takeToken();
      $("#login").hidden = true;
      refresh();
    }
  });
  if (token()) {
    $("#login").hidden = true;
    refresh();
  } else {
    askForToken(t("needToken"));
  }
}

// The charts measure their boxes when first drawn: start once the stylesheet has given them a size.
if (document.readyState === "complete") start();
else window.addEventListener("load", start, { once: true });
