// ECharts, only the parts the dashboard draws (tree-shaken by esbuild): map, lines, bars, canvas.

import { BarChart, LineChart, MapChart } from "echarts/charts";
import {
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

import { number, percent } from "./format.js";
import { t } from "./i18n.js";

echarts.use([
  BarChart,
  LineChart,
  MapChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

const TEXT = "#cfe3ff";
const AXIS = { axisLine: { lineStyle: { color: "#4a6a95" } }, axisLabel: { color: TEXT }, splitLine: { lineStyle: { color: "#1d3556" } } };
const charts = new Map();

export function chart(id) {
  let made = charts.get(id);
  if (!made) {
    const box = document.getElementById(id);
    made = echarts.init(box, null, { renderer: "canvas" });
    charts.set(id, made);
    // A panel that grows or folds redraws to fit; never at 0×0 (a full-page screenshot passes through
    // such a size), where ECharts' map view cannot be inverted and throws.
    new ResizeObserver(() => {
      if (box.clientWidth > 0 && box.clientHeight > 0) made.resize();
    }).observe(box);
  }
  return made;
}


const registered = new Set();

/** Square kilometres of a (lon, lat) ring set, at the feature's own latitude: enough for a density. */
function areaKm2(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  let total = 0;
  for (const rings of polygons) {
    rings.forEach((ring, index) => {
      let sum = 0;
      for (let i = 0; i < ring.length - 1; i += 1) sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1];
      const latitude = (ring.reduce((acc, point) => acc + point[1], 0) / ring.length) * (Math.PI / 180);
      const km2 = Math.abs(sum / 2) * 111.195 * 111.195 * Math.cos(latitude);
      total += index === 0 ? km2 : -km2; // holes
    });
  }
  return total;
}

/**
 * 案件密度 map: the areas of one level from /v1/areas, each coloured by cases per km² (counts from the hotspots,
 * null when that endpoint is not served: the outlines are drawn all the same).
 */
export function drawMap(id, level, geojson, counts) {
  const name = `areas-${level}`;
  if (!registered.has(name)) {
    echarts.registerMap(name, geojson);
    registered.add(name);
  }
  const names = new Map(geojson.features.map((f) => [f.properties.code, f.properties.name]));
  const data = geojson.features.map((feature) => {
    const code = feature.properties.code;
    const count = counts ? (counts.get(code) ?? 0) : null;
    const km2 = areaKm2(feature.geometry);
    return { name: code, value: count === null ? null : km2 > 0 ? count / km2 : 0, count, km2 };
  });
  const densest = Math.max(0, ...data.map((item) => item.value ?? 0));
  chart(id).setOption(
    {
      tooltip: {
        trigger: "item",
        formatter: (params) => {
          const item = params.data ?? {};
          return `${names.get(params.name) ?? params.name} (${params.name})<br/>${t("count")}: ${number(item.count)}<br/>${t("density")}: ${number(item.value, 2)} ${t("mapUnit")}`;
        },
      },
      visualMap: {
        min: 0,
        max: densest > 0 ? densest : 1,
        precision: densest >= 10 ? 0 : 2,
        calculable: true,
        left: 10,
        bottom: 10,
        text: [t("mapUnit"), ""],
        textStyle: { color: TEXT },
        inRange: { color: ["#12355b", "#1f6fb2", "#f6c344", "#f0642d", "#c81e1e"] },
      },
      series: [
        {
          type: "map",
          map: name,
          nameProperty: "code",
          roam: true,
          data,
          itemStyle: { areaColor: "#17355a", borderColor: "#6fa8dc", borderWidth: 0.6 },
          emphasis: { itemStyle: { areaColor: "#ffd166" }, label: { show: true, color: "#0b1d33" } },
          select: { disabled: true },
          label: {
            show: level === "district" || level === "street",
            color: TEXT,
            fontSize: 10,
            formatter: (params) => names.get(params.name) ?? params.name,
          },
        },
      ],
    },
    true,
  );
}

export function drawTrends(id, rows) {
  const few = rows.length <= 3;
  chart(id).setOption(
    {
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: [t("reported"), t("closed")], textStyle: { color: TEXT } },
      grid: { left: 40, right: 16, top: 32, bottom: 28 },
      xAxis: { type: "category", data: rows.map((row) => row.period), ...AXIS },
      yAxis: { type: "value", minInterval: 1, ...AXIS },
      // A few periods read better as bars than as a line with nothing to join.
      series: [
        { name: t("reported"), type: few ? "bar" : "line", smooth: true, data: rows.map((row) => row.reported), areaStyle: few ? undefined : { opacity: 0.15 } },
        { name: t("closed"), type: few ? "bar" : "line", smooth: true, data: rows.map((row) => row.closed) },
      ],
    },
    true,
  );
}

export function drawSources(id, rows) {
  chart(id).setOption(
    {
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (items) => {
          const row = rows[items[0].dataIndex];
          return `${row.name ?? row.code}<br/>${t("active")}: ${row.active}<br/>${t("passive")}: ${row.passive}<br/>${t("kpiActiveShare")}: ${percent(row.active_share)}`;
        },
      },
      legend: { top: 0, data: [t("active"), t("passive")], textStyle: { color: TEXT } },
      grid: { left: 80, right: 16, top: 32, bottom: 24 },
      yAxis: { type: "category", data: rows.map((row) => row.name ?? row.code), ...AXIS },
      xAxis: { type: "value", minInterval: 1, ...AXIS },
      series: [
        { name: t("active"), type: "bar", stack: "all", data: rows.map((row) => row.active), itemStyle: { color: "#3ddc97" } },
        { name: t("passive"), type: "bar", stack: "all", data: rows.map((row) => row.passive), itemStyle: { color: "#5aa9ff" } },
      ],
    },
    true,
  );
}

export function clear(id) {
  chart(id).clear();
}

export const COVERAGE_COLOURS = { patrolled: "#3ddc97", flagged: "#ff6b6b", idle: "#2a4466" };

/** 巡查覆盖 map: each unit grid of `geojson` coloured patrolled, not patrolled or flagged (未按时巡查). */
export function drawCoverage(id, name, geojson, rows) {
  if (!registered.has(name)) {
    echarts.registerMap(name, geojson);
    registered.add(name);
  }
  const byCode = new Map(rows.map((row) => [row.grid_code, row]));
  const status = (row) => (row?.flagged ? "flagged" : row?.patrolled ? "patrolled" : "idle");
  const data = geojson.features.map((feature) => {
    const row = byCode.get(feature.properties.code);
    return { name: feature.properties.code, row, itemStyle: { areaColor: COVERAGE_COLOURS[status(row)] } };
  });
  chart(id).setOption(
    {
      tooltip: {
        trigger: "item",
        formatter: (params) => {
          const row = params.data?.row;
          if (!row) return params.name;
          return `${row.name} (${row.grid_code})<br/>${t(status(row))}<br/>${t("patrols")}: ${row.patrols} · ${number(row.seconds / 60)} ${t("minutes")} · ${number(row.metres / 1000, 2)} km<br/>${t("found")}: ${row.found} (${t("fixed_on_spot")} ${row.fixed_on_spot} · ${t("own_powers")} ${row.own_powers} · ${t("handed_over")} ${row.handed_over})`;
        },
      },
      series: [
        {
          type: "map",
          map: name,
          nameProperty: "code",
          roam: true,
          data,
          itemStyle: { borderColor: "#6fa8dc", borderWidth: 0.5 },
          emphasis: { itemStyle: { areaColor: "#ffd166" }, label: { show: false } },
          select: { disabled: true },
        },
      ],
    },
    true,
  );
}
