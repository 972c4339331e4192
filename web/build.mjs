// `make dashboard`: bundle web/dashboard into Analytics' static folder (git ignores the output).
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = process.argv[2] ?? join(here, "..", "services", "analytics", "adapters", "static");

await mkdir(out, { recursive: true });
await build({
  entryPoints: [join(here, "dashboard", "main.js")],
  bundle: true,
  format: "esm",
  target: ["chrome110", "firefox115", "safari16"],
  minify: process.env.DASHBOARD_MINIFY !== "0",
  sourcemap: true,
  legalComments: "linked", // ECharts' Apache licence travels with the bundle
  outfile: join(out, "dashboard.js"),
  logLevel: "warning",
});
for (const file of ["index.html", "dashboard.css"]) await copyFile(join(here, "dashboard", file), join(out, file));
console.log(`dashboard bundled into ${out}`);
