// Runtime image: `npm ci --omit=dev` still installs packages the lockfile marks
// `devOptional` — dev tools that a production package lists as an optional peer (the
// Prisma CLI and TypeScript, via @prisma/client) and everything they pull in. The server
// never loads them, so remove them. Usage: node scripts/prune-dev-optional.mjs [dir]
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const dir = path.resolve(process.argv[2] ?? '.');
const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
let removed = 0;
for (const [where, pkg] of Object.entries(lock.packages ?? {})) {
  if (!where.startsWith('node_modules/') || !pkg.devOptional) continue;
  rmSync(path.join(dir, where), { recursive: true, force: true });
  removed++;
}
console.log(`pruned ${removed} dev-only optional packages`);
