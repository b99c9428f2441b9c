#!/usr/bin/env node
// Prints the gzip size of the web app's JavaScript (dist/web/assets/*.js) and fails above the budget.
// Usage: node scripts/report-bundle.mjs [--budget-kb 120] [--dir dist/web/assets]

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const budgetKb = Number(opt('--budget-kb', '120'));
const dir = path.resolve(opt('--dir', 'dist/web/assets'));

let files;
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();
} catch {
  console.error(`report-bundle: ${dir} not found; run vite build first`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`report-bundle: no .js files in ${dir}`);
  process.exit(1);
}

// kB = 1000 bytes and default gzip level, as vite prints them.
const kb = (n) => (n / 1000).toFixed(2);
let raw = 0;
let gz = 0;
for (const f of files) {
  const buf = readFileSync(path.join(dir, f));
  const g = gzipSync(buf).length;
  raw += buf.length;
  gz += g;
  console.log(`  ${f.padEnd(40)} ${kb(buf.length).padStart(9)} kB  gzip ${kb(g).padStart(8)} kB`);
}
console.log(`web JavaScript: ${files.length} file(s), ${kb(raw)} kB, gzip ${kb(gz)} kB (budget ${budgetKb} kB)`);
if (gz > budgetKb * 1000) {
  console.error(`report-bundle: gzip size ${kb(gz)} kB is over the ${budgetKb} kB budget`);
  process.exit(1);
}
