// Dates are the city's (Asia/Shanghai) calendar dates, as the API takes them; instants show in the city's time.

import { language, t } from "./i18n.js";

export const CITY_ZONE = "Asia/Shanghai";
const CITY_OFFSET = "+08:00"; // Shanghai has kept one offset, no daylight saving, since 1991

export function cityToday() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

export function addDays(date, days) {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + days);
  return day.toISOString().slice(0, 10);
}

export function daysBetween(from, to) {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86400000) + 1;
}

/** The instant a city date starts, for the routes that take instants (the report counts). */
export function dayStart(date) {
  return `${date}T00:00:00${CITY_OFFSET}`;
}

export function instant(value) {
  if (!value) return t("unavailable");
  return new Intl.DateTimeFormat(language() === "zh" ? "zh-CN" : "en-GB", {
    timeZone: CITY_ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(value));
}

export function number(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return t("unavailable");
  return new Intl.NumberFormat(language() === "zh" ? "zh-CN" : "en-GB", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
}

/** A rate as a percentage; `value` may come as a ratio (≤ 1) or already in percent. */
export function percent(value) {
  if (value === null || value === undefined) return t("unavailable");
  return `${number(value <= 1 ? value * 100 : value, 1)}%`;
}

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
