// The dashboard in Debian's Chromium, driven by playwright-core (no downloaded browser); run by
// tests/analytics/test_dashboard.py, which starts the real Analytics and asserts on the JSON printed here.
//
// Environment: DASHBOARD_URL, DASHBOARD_TOKEN, DASHBOARD_CASE_ID, DASHBOARD_OUT (screenshots), CHROMIUM;
// DASHBOARD_PATROL_DAY, _AREA, _OFFICER for the patrol layer.
import { join } from "node:path";

import { chromium } from "playwright-core";

const url = process.env.DASHBOARD_URL;
const token = process.env.DASHBOARD_TOKEN;
const caseId = process.env.DASHBOARD_CASE_ID;
const out = process.env.DASHBOARD_OUT;
const result = { console: [], pageErrors: [], screenshots: [] };
let step = "start"; // which step a page error came in

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  // As root on a closed network: no sandbox, and none of Chromium's own calls home.
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
});
const shot = async (page, name) => {
  const path = join(out, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  result.screenshots.push(path);
};
const settled = (page) => page.waitForFunction(() => document.body.dataset.loading === "false", null, { timeout: 20000 });
const text = (page, selector) => page.locator(selector).first().innerText();

try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on("console", (message) => {
    if (message.type() === "error") result.console.push({ text: message.text(), url: message.location().url });
    if (message.type() === "warning") (result.warnings ??= []).push(`${step}: ${message.text()}`);
  });
  page.on("pageerror", (error) => result.pageErrors.push(`${step}: ${error.stack ?? error}`));

  // Without a token the page asks for one and reads nothing.
  await page.goto(url);
  result.loginShownWithoutToken = await page.locator("#login").isVisible();

  step = "token";
  await page.goto(`${url}#token=${encodeURIComponent(token)}`);
  await settled(page);
  result.tokenLeftTheAddress = !(await page.evaluate(() => location.hash.includes("token")));
  result.title = await text(page, "h1");
  await page.waitForFunction(() => document.querySelector("#map canvas"), null, { timeout: 20000 });
  await page.waitForTimeout(500); // ECharts draws on the next frames
  result.mapPixels = await page.evaluate(() => {
    let painted = 0;
    for (const canvas of document.querySelectorAll("#map canvas")) {
      const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted += 1;
    }
    return painted;
  });
  result.before = {
    reports: await text(page, "#kpi-reports .value"),
    opened: await text(page, "#kpi-opened .value"),
    merged: await text(page, "#kpi-merged .value"),
    mapTotal: await text(page, "#map-total"),
  };
  await shot(page, "dashboard-zh");

  // A period before any report: the numbers follow the filter.
  step = "filter";
  await page.fill("#from", "2020-01-01");
  await page.fill("#to", "2020-01-31");
  await page.click("#apply");
  await settled(page);
  result.afterFilter = {
    reports: await text(page, "#kpi-reports .value"),
    opened: await text(page, "#kpi-opened .value"),
    mapTotal: await text(page, "#map-total"),
  };
  step = "preset";
  await page.click('[data-period="last30"]');
  await settled(page);
  result.back = { reports: await text(page, "#kpi-reports .value"), mapTotal: await text(page, "#map-total") };

  // A category narrows the map (the hotline's 06010 case alone); cleared, both again.
  step = "category";
  await page.fill("#category", process.env.DASHBOARD_CATEGORY ?? "06010");
  await page.click("#apply");
  await settled(page);
  result.category = { mapTotal: await text(page, "#map-total") };
  await page.fill("#category", "");
  await page.click("#apply");
  await settled(page);

  // A case number's start finds the case; its link opens the trace.
  step = "search";
  await page.fill("#search-q", process.env.DASHBOARD_CASE_NUMBER ?? "GR-");
  await page.click("#search-form button");
  await page.waitForSelector("#search-results a.case-link", { timeout: 20000 });
  result.search = {
    rows: await page.locator("#search-results tbody tr").count(),
    first: await text(page, "#search-results a.case-link"),
  };
  await page.click("#search-results a.case-link");
  await page.waitForSelector("#trace .timeline .event", { timeout: 20000 });
  result.search.opened = await text(page, "#trace .trace-case");

  // The case search takes a case id and opens its trace as a timeline.
  step = "trace";
  await page.evaluate(() => document.querySelector("#trace").replaceChildren()); // so the id's trace is a new one
  await page.fill("#search-q", caseId);
  await page.click("#search-form button");
  await page.waitForSelector("#trace .timeline .event", { timeout: 20000 });
  result.trace = {
    caseId: await text(page, "#trace .trace-case"),
    types: await page.locator("#trace .timeline .event").evaluateAll((items) => items.map((item) => item.dataset.type)),
    firstLabel: await text(page, "#trace .timeline .event .event-type"),
  };
  await shot(page, "trace-zh");

  // 巡查覆盖: a day of 白云社区's four grids, coloured; an officer's day; the week.
  if (process.env.DASHBOARD_PATROL_DAY) {
    step = "patrol";
    const area = process.env.DASHBOARD_PATROL_AREA;
    const day = process.env.DASHBOARD_PATROL_DAY;
    await page.fill("#patrol-day", day);
    await page.fill("#patrol-area", area);
    await page.click("#patrol-apply");
    await page.waitForSelector(`#patrol-summary[data-loaded="${day}/${day}/${area}"]`, { timeout: 20000 });
    await page.waitForTimeout(500); // ECharts draws on the next frames
    const colours = () =>
      page.evaluate(() => {
        const seen = { patrolled: 0, flagged: 0, idle: 0 };
        const near = (data, i, [r, g, b]) => Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8;
        for (const canvas of document.querySelectorAll("#patrol-map canvas")) {
          const { data } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
          for (let i = 0; i < data.length; i += 4) {
            if (near(data, i, [0x3d, 0xdc, 0x97])) seen.patrolled += 1;
            else if (near(data, i, [0xff, 0x6b, 0x6b])) seen.flagged += 1;
            else if (near(data, i, [0x2a, 0x44, 0x66])) seen.idle += 1;
          }
        }
        return seen;
      });
    result.patrol = {
      summary: await text(page, "#patrol-summary"),
      colours: await colours(),
      officers: await page.locator("#patrol-officers button").evaluateAll((items) => items.map((item) => item.dataset.officer)),
    };
    await page.click(`#patrol-officers button[data-officer="${process.env.DASHBOARD_PATROL_OFFICER}"]`);
    await page.waitForSelector("#patrol-log table.patrols tbody tr", { timeout: 20000 });
    result.patrol.log = {
      heading: await text(page, "#patrol-log .log-officer"),
      patrols: await page.locator("#patrol-log table.patrols tbody tr").count(),
      firstGrids: await text(page, "#patrol-log table.patrols tbody tr td:nth-child(3)"),
    };
    await shot(page, "patrol-zh");
    await page.selectOption("#patrol-mode", "week");
    await page.waitForSelector(`#patrol-summary[data-loaded$="/${area}"]:not([data-loaded^="${day}/${day}"])`, { timeout: 20000 });
    result.patrol.week = await page.locator("#patrol-summary").getAttribute("data-loaded");
    await page.selectOption("#patrol-mode", "day");
    await page.waitForSelector(`#patrol-summary[data-loaded="${day}/${day}/${area}"]`, { timeout: 20000 });
  }

  step = "language";
  await page.click("#lang");
  await settled(page);
  await page.waitForFunction(() => document.querySelector("#trace-panel h4:last-of-type")?.textContent.startsWith("Events"));
  result.english = {
    title: await text(page, "h1"),
    mapTitle: await text(page, "#map-panel h2"),
    traceLabel: await text(page, "#trace .timeline .event .event-type"),
  };
  await shot(page, "dashboard-en");
} catch (error) {
  result.failure = String(error?.stack ?? error);
  for (const page of browser.contexts().flatMap((context) => context.pages())) await shot(page, "failure").catch(() => {});
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
