// 巡查: the grids' coverage for a day or an ISO week (patrolled / not / flagged) and an officer's day (工作日志).

import { get } from "./api.js";
import { COVERAGE_COLOURS, drawCoverage } from "./charts.js";
import { element, instant, number } from "./format.js";
import { t } from "./i18n.js";

const $ = (selector) => document.querySelector(selector);
const grids = { geojson: null }; // the city's unit grids, fetched once

/** The ISO week (YYYY-Www) a city date falls in: the week of its Thursday. */
export function isoWeek(date) {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - ((day.getUTCDay() + 6) % 7) + 3);
  const year = day.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((day - jan4) / 86400000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}

function selection() {
  const day = $("#patrol-day").value;
  const week = $("#patrol-mode").value === "week";
  return { day, area: $("#patrol-area").value.trim(), params: week ? { week: isoWeek(day) } : { day } };
}

/** Coverage of the selected day or week; `run` keeps a failure inside the panel (main.js). */
export async function loadPatrols(run, setStatus) {
  const { day, area, params } = selection();
  if (!day) return;
  if (!grids.geojson) {
    grids.geojson = await get("/v1/areas", { level: "grid" });
    if (grids.geojson === null) return setStatus(`${t("unavailable")} ${t("unavailableNote")}`);
  }
  const coverage = await get("/v1/patrols/coverage", { ...params, area });
  if (coverage === null) return setStatus(`${t("unavailable")} ${t("unavailableNote")}`);
  const features = grids.geojson.features.filter((feature) => feature.properties.code.startsWith(area));
  drawCoverage("patrol-map", `patrol-grids-${area || "city"}`, { ...grids.geojson, features }, coverage.grids);
  const flagged = coverage.grids.filter((row) => row.flagged).length;
  const found = coverage.grids.reduce((sum, row) => sum + row.found, 0);
  const summary = $("#patrol-summary");
  summary.replaceChildren(
    legend("patrolled", `${coverage.patrolled}/${coverage.total}`),
    legend("idle", String(coverage.total - coverage.patrolled)),
    legend("flagged", String(flagged)),
    element("span", { class: "found" }, `${t("found")}: ${found}`),
  );
  summary.dataset.loaded = `${coverage.from}/${coverage.to}/${area}`;
  const officers = [...new Set(coverage.grids.flatMap((row) => row.officers))].sort();
  $("#patrol-officers").replaceChildren(
    ...officers.map((officer) =>
      element("button", { type: "button", class: "officer", dataset: { officer }, onclick: () => run(() => loadOfficerDay(officer, day)) }, officer),
    ),
  );
  if (!officers.length) $("#patrol-log").replaceChildren(element("p", { class: "hint" }, t("noData")));
}

function legend(status, text) {
  return element("span", { class: `legend ${status}` }, element("i", { style: `background:${COVERAGE_COLOURS[status]}` }), `${t(status)} ${text}`);
}

async function loadOfficerDay(officer, day) {
  const log = await get(`/v1/patrols/officers/${encodeURIComponent(officer)}/days/${day}`);
  const view = $("#patrol-log");
  if (log === null) return view.replaceChildren(element("p", { class: "hint" }, t("unavailable")));
  const patrols = element(
    "table",
    { class: "patrols" },
    element("thead", {}, element("tr", {}, ["startedAt", "finishedAt", "grid", "minutes", "km"].map((key) => element("th", {}, t(key))))),
    element(
      "tbody",
      {},
      log.patrols.map((patrol) =>
        element(
          "tr",
          { dataset: { patrolId: patrol.patrol_id } },
          element("td", {}, instant(patrol.started_at)),
          element("td", {}, patrol.finished_at ? instant(patrol.finished_at) : "…"),
          element("td", {}, patrol.visits.map((visit) => visit.name).join("、")),
          element("td", {}, number(patrol.visits.reduce((sum, visit) => sum + visit.seconds, 0) / 60)),
          element("td", {}, number(patrol.visits.reduce((sum, visit) => sum + visit.metres, 0) / 1000, 2)),
        ),
      ),
    ),
  );
  const findings = element(
    "table",
    { class: "findings" },
    element("thead", {}, element("tr", {}, ["reportedAt", "caseNumber", "grid", "finding"].map((key) => element("th", {}, t(key))))),
    element(
      "tbody",
      {},
      log.findings.map((finding) =>
        element(
          "tr",
          {},
          element("td", {}, instant(finding.received_at)),
          element("td", {}, finding.case_number ?? finding.case_id.slice(0, 8)),
          element("td", {}, finding.grid_code ?? t("unavailable")),
          element("td", {}, finding.finding ? t(finding.finding) : t("unavailable")),
        ),
      ),
    ),
  );
  view.replaceChildren(
    element("h3", { class: "log-officer" }, `${officer} · ${log.day} · ${number(log.seconds / 60)} ${t("minutes")} · ${number(log.metres / 1000, 2)} km`),
    patrols,
    element("h4", {}, `${t("found")} (${log.findings.length})`),
    findings,
  );
}
