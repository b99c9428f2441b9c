import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { describe, expect, it } from 'vitest';
import { migratePostgres } from '../../server/db/database.ts';
import { applyMigrations, loadMigrationList } from '../../server/db/migrate.ts';
import { POSTGRES_URL } from '../support/db.ts';

describe('migrations (Prisma WASM schema engine)', () => {
  it('applies every migration to an empty PGlite once, and is a no-op the second time', async () => {
    const pglite = await PGlite.create();
    const all = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
    expect(all.length).toBeGreaterThan(0);
    expect(await applyMigrations(new PrismaPGlite(pglite))).toEqual(all);
    expect(await applyMigrations(new PrismaPGlite(pglite))).toEqual([]);
    const tables = await pglite.query<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`);
    expect(tables.rows.map((r) => r.table_name)).toEqual(expect.arrayContaining(['Session', 'Event', 'Run', 'User', '_prisma_migrations']));
    await pglite.close();
  }, 120_000);

  it.skipIf(!POSTGRES_URL)('two instances migrating the same PostgreSQL at once both succeed, and it is applied exactly once', async () => {
    const name = `fc_migrate_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    const u = new URL(POSTGRES_URL!);
    u.pathname = `/${name}`;
    try {
      const [a, b, c] = await Promise.all([migratePostgres(u.toString()), migratePostgres(u.toString()), migratePostgres(u.toString())]);
      const all = (await loadMigrationList()).migrationDirectories.map((d) => d.path);
      // Exactly one of them applied everything; the others found nothing to do.
      expect([a, b, c].filter((x) => x.length > 0)).toEqual([all]);
      const check = new pg.Client({ connectionString: u.toString() });
      await check.connect();
      const rows = await check.query('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
      expect(rows.rows.map((r) => r.migration_name).sort()).toEqual([...all].sort());
      await check.end();
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  }, 120_000);
});
