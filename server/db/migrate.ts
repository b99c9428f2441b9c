import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import type { MigrationList } from '@prisma/schema-engine-wasm';

const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const MIGRATIONS_DIR = path.join(ROOT_DIR, 'prisma/migrations');
export const SCHEMA_PATH = path.join(ROOT_DIR, 'prisma/schema.prisma');

/** Reads prisma/migrations the way Prisma's CLI hands it to the schema engine. */
export async function loadMigrationList(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name, 'migration.sql');
      const content = await readFile(file, 'utf8').then(
        (ok) => ({ tag: 'ok' as const, value: ok }),
        (err: Error) => ({ tag: 'error' as const, value: err.message }),
      );
      return { path: name, migrationFile: { path: 'migration.sql', content } };
    }),
  );
  const lockPath = path.join(dir, 'migration_lock.toml');
  const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories,
  } as MigrationList;
}

type EngineModule = typeof import('@prisma/schema-engine-wasm');
type Engine = Awaited<ReturnType<EngineModule['SchemaEngine']['new']>>;

let engineModule: Promise<EngineModule> | undefined;

// The package imports its .wasm as an ES module, which Node 20 only allows behind
// --experimental-wasm-modules. Instantiate it by hand against its own JS glue instead.
function loadEngineModule(): Promise<EngineModule> {
  engineModule ??= (async () => {
    const glue = (await import('@prisma/schema-engine-wasm/schema_engine_bg')) as unknown as EngineModule & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bytes = await readFile(fileURLToPath(wasmUrl));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return glue;
  })();
  return engineModule;
}

/** Opens Prisma's WASM schema engine over a driver adapter (works for PGlite and pg). */
export async function openSchemaEngine(adapter: SqlMigrationAwareDriverAdapterFactory, datamodel?: string): Promise<Engine> {
  const { SchemaEngine } = await loadEngineModule();
  const schema = datamodel ?? (await readFile(SCHEMA_PATH, 'utf8'));
  const log = () => {};
  return SchemaEngine.new({ datamodels: [[SCHEMA_PATH, schema]] }, log, bindMigrationAwareSqlAdapterFactory(adapter));
}

/** Applies every migration in prisma/migrations not yet recorded in _prisma_migrations. */
export async function applyMigrations(adapter: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const engine = await openSchemaEngine(adapter);
  try {
    const out = await engine.applyMigrations({
      migrationsList: await loadMigrationList(),
      filters: { externalTables: [], externalEnums: [] },
    });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}
