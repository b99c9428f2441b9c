// The lean runtime image (issue 15, part 4), checked without a Docker engine: the runtime
// stage copies production dependencies (from a `npm ci --omit=dev` stage) and the built web
// app, never the build stage's node_modules; and every package the server and the migration
// script import is one that such an install contains (a runtime import of a devDependency
// would start fine here and crash in the image).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

/** The Dockerfile's stages by name: the instruction lines (comments and continuations folded). */
function stages(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+\s+AS\s+(\S+)$/i.exec(line);
    if (from) out.set(from[1]!, (current = []));
    else current?.push(line);
  }
  return out;
}

/** Bare package names a source file imports at run time (type-only imports left out). */
function runtimeImports(source: string): string[] {
  const names: string[] = [];
  const statements = /(?:^|[;\n])\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]|(?:^|[;\n])\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(statements)) {
    const spec = m[4] ?? m[5] ?? m[6]!;
    if (m[2]) continue;
    // `import { type A, type B } from 'x'` is erased as well.
    const braces = /^\{([^}]*)\}$/.exec(m[3]?.trim() ?? '');
    if (braces && braces[1]!.split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:')) continue;
    names.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
  }
  return names;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return tsFiles(p);
    return /\.(ts|mts|js|mjs)$/.test(name) && !/\.test\.ts$/.test(name) ? [p] : [];
  });
}

describe('Dockerfile runtime stage', () => {
  const byName = stages(dockerfile);
  const runtime = byName.get('runtime') ?? [];

  it('is the last stage, and copies production dependencies and the built web app, not the build stage', () => {
    expect([...byName.keys()].at(-1)).toBe('runtime');
    const copies = runtime.filter((l) => /^COPY\b/i.test(l));
    const fromBuild = copies.filter((l) => /--from=build\b/.test(l)).map((l) => l.split(/\s+/).at(-2));
    expect(fromBuild.sort()).toEqual(['/app/dist/web', '/app/package.json', '/app/prisma', '/app/scripts/db-migrate.ts', '/app/server'].sort());
    expect(copies.filter((l) => /node_modules/.test(l))).toEqual([expect.stringMatching(/^COPY --from=prod-deps\b.* \/app\/node_modules \.\/node_modules$/)]);
    const prodDeps = (byName.get('prod-deps') ?? []).join('\n');
    expect(prodDeps).toMatch(/npm ci --omit=dev\b/);
    expect(prodDeps).toMatch(/prune-dev-optional\.mjs/);
    // No install in the runtime stage itself (it would bring dependencies back in).
    expect(runtime.filter((l) => /^RUN\b.*\bnpm\b/.test(l))).toEqual([]);
  });

  it('every package the server and scripts/db-migrate.ts import is a production dependency', () => {
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
    // What `npm ci --omit=dev` plus scripts/prune-dev-optional.mjs leave in node_modules.
    const production = (name: string) => {
      const entry = lock.packages[`node_modules/${name}`];
      return entry !== undefined && !entry.dev && !entry.devOptional;
    };
    const files = [...tsFiles(path.join(ROOT, 'server')), path.join(ROOT, 'scripts/db-migrate.ts')];
    const imported = new Map<string, string>();
    for (const file of files) for (const name of runtimeImports(readFileSync(file, 'utf8'))) imported.set(name, path.relative(ROOT, file));
    expect(imported.size).toBeGreaterThan(10);
    const missing = [...imported].filter(([name]) => !production(name)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
    // The CMD runs the server with tsx.
    expect(production('tsx')).toBe(true);
  });

  it('reads imports as the image loads them', () => {
    const src = [
      "import Fastify from 'fastify';",
      "import type { Browser } from 'playwright-core';",
      "import { type Plugin, type Options } from 'vite';",
      "import {\n  a,\n  type B,\n} from '@scope/pkg/sub';",
      "export { x } from 'exported';",
      "import 'side-effect';",
      "const m = await import('dynamic/deep');",
      "import { local } from './local.ts';",
      "import { readFileSync } from 'node:fs';",
    ].join('\n');
    expect(runtimeImports(src)).toEqual(['fastify', '@scope/pkg', 'exported', 'side-effect', 'dynamic']);
  });
});
