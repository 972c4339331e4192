// Validates an AsyncAPI document with the official parser, offline.
// Usage: node validate.mjs <file>; prints the diagnostics as JSON, exits 1 on any error.
import { Parser, fromFile } from "@asyncapi/parser";

const path = process.argv[2];
const parser = new Parser();
const { document, diagnostics } = await fromFile(parser, path).parse();
const errors = diagnostics.filter((d) => d.severity === 0);
console.log(JSON.stringify({
  valid: document !== undefined && errors.length === 0,
  version: document?.version(),
  diagnostics: diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, path: d.path.join("/") })),
}, null, 2));
process.exit(document !== undefined && errors.length === 0 ? 0 : 1);
