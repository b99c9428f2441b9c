// `npm run lint` must fail on an import cycle and on a layer breach. This runs the real ESLint
// CLI with the repo's config (rooted at a fixture tree laid out like the repo) and reads its
// exit code and JSON report, so a rule that silently stops matching fails here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const ESLINT_BIN = join(REPO, 'node_modules/eslint/bin/eslint.js');

const FILES: Record<string, string> = {
  // A runtime cycle: a -> b -> a.
  'server/runs/cycle-a.ts': "import { b } from './cycle-b.ts';\nexport const a = (): number => b() + 1;\n",
  'server/runs/cycle-b.ts': "import { a } from './cycle-a.ts';\nexport const b = (): number => (Math.random() > 2 ? a() : 0);\n",
  // A type-only loop is no cycle at run time.
  'server/plan/type-a.ts': "import type { B } from './type-b.ts';\nexport interface A { b?: B }\n",
  'server/plan/type-b.ts': "import type { A } from './type-a.ts';\nexport interface B { a?: A }\n",
  'server/http/edge.ts': 'export const edge = 1;\n',
  'server/db/leaf.ts': 'export const leaf = 1;\n',
  // Layer breaches.
  'server/session/uses-http.ts': "import { edge } from '../http/edge.ts';\nexport const x = edge;\n",
  'server/session/uses-runs.ts': "import { a } from '../runs/cycle-a.ts';\nexport const y = a;\n",
  'server/db/uses-plan.ts': "import type { A } from '../plan/type-a.ts';\nexport type Z = A;\n",
  // Allowed: a domain module using the db leaf.
  'server/plan/uses-db.ts': "import { leaf } from '../db/leaf.ts';\nexport const w = leaf;\n",
  // The web app: type-only from server/contract/ is fine; anything else from server/ is not.
  'server/contract/shapes.ts': 'export interface Shape { n: number }\nexport const LIMIT = 1;\n',
  'web/src/ok.ts': "import type { Shape } from '../../server/contract/shapes.ts';\nexport const s: Shape = { n: 1 };\n",
  'web/src/value-from-contract.ts': "import { LIMIT } from '../../server/contract/shapes.ts';\nexport const l = LIMIT;\n",
  'web/src/from-server.ts': "import { edge } from '../../server/http/edge.ts';\nexport const e = edge;\n",
};

interface Report {
  filePath: string;
  messages: { ruleId: string | null; message: string }[];
}

describe('npm run lint: import cycles and layer rules', () => {
  let root: string;
  let exitCode: number | null;
  let byFile: Map<string, string[]>;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fc-lint-'));
    for (const [path, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    // The repo's own config, rooted at the fixture tree (its layer zones are relative to the root).
    writeFileSync(
      join(root, 'eslint.config.js'),
      `import { lintConfig } from ${JSON.stringify(pathToFileURL(join(REPO, 'eslint.config.js')).href)};\nexport default lintConfig(import.meta.dirname);\n`,
    );
    writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
    const run = spawnSync(process.execPath, [ESLINT_BIN, '--format', 'json', '.'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
    exitCode = run.status;
    if (!run.stdout.trim().startsWith('[')) throw new Error(`eslint did not report: ${run.stderr}`);
    const reports = JSON.parse(run.stdout) as Report[];
    byFile = new Map(reports.map((r) => [r.filePath.slice(root.length + 1), r.messages.map((m) => `${m.ruleId}: ${m.message}`)]));
  }, 90_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits non-zero when any rule below is broken', () => {
    expect(exitCode).toBe(1);
  });

  it('reports a runtime import cycle on both files, but not a type-only loop', () => {
    expect(byFile.get('server/runs/cycle-a.ts')).toEqual([expect.stringMatching(/^import-x\/no-cycle: /)]);
    expect(byFile.get('server/runs/cycle-b.ts')).toEqual([expect.stringMatching(/^import-x\/no-cycle: /)]);
    expect(byFile.get('server/plan/type-a.ts')).toEqual([]);
    expect(byFile.get('server/plan/type-b.ts')).toEqual([]);
  });

  it('keeps server/session/ off server/http/ and server/runs/, and server/db/ a leaf', () => {
    expect(byFile.get('server/session/uses-http.ts')).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*below the HTTP edge/)]);
    expect(byFile.get('server/session/uses-runs.ts')).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*may not import server\/runs/)]);
    expect(byFile.get('server/db/uses-plan.ts')).toEqual([expect.stringMatching(/^import-x\/no-restricted-paths: .*leaves/)]);
    expect(byFile.get('server/plan/uses-db.ts')).toEqual([]);
  });

  it('lets the web app import only types, and only from server/contract/', () => {
    expect(byFile.get('web/src/ok.ts')).toEqual([]);
    expect(byFile.get('web/src/value-from-contract.ts')).toEqual([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*import type/)]);
    expect(byFile.get('web/src/from-server.ts')).toEqual([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: /)]);
  });
});
