#!/usr/bin/env node
// Render a batch of TeX fragments with KaTeX and report, per fragment,
// whether KaTeX accepted it.
//
// stdin:  JSON list of {"tex": "...", "display": true|false}
// stdout: JSON list, one entry per input, in the same order:
//         {"ok": bool, "error": string|null, "warnings": [string]}
//
// One node process handles the whole batch (starting node costs ~0.4 s,
// rendering a fragment ~1 ms). Exit status: 0 when the batch was processed
// (even if fragments failed), 2 when the input itself is unusable.
"use strict";

const katex = require("katex");

function readStdin() {
  const fs = require("fs");
  return fs.readFileSync(0, "utf8");
}

function checkOne(item) {
  const warnings = [];
  if (item === null || typeof item !== "object" || typeof item.tex !== "string") {
    return { ok: false, error: "bad input item: expected {tex: string, display: bool}", warnings };
  }
  try {
    katex.renderToString(item.tex, {
      throwOnError: true,
      displayMode: Boolean(item.display),
      strict: (code, msg) => {
        warnings.push(`${code}: ${msg}`);
        return "ignore";
      },
    });
    return { ok: true, error: null, warnings };
  } catch (err) {
    const message = err && err.message ? String(err.message) : String(err);
    return { ok: false, error: message, warnings };
  }
}

function main() {
  let items;
  try {
    items = JSON.parse(readStdin());
  } catch (err) {
    process.stderr.write(`katex_check: cannot parse stdin as JSON: ${err.message}\n`);
    process.exit(2);
  }
  if (!Array.isArray(items)) {
    process.stderr.write("katex_check: stdin must be a JSON list\n");
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(items.map(checkOne)));
  process.stdout.write("\n");
}

main();
