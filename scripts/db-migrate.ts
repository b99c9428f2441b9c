// Applies prisma/migrations to DATABASE_URL (or the embedded PGlite under DATA_DIR)
// through Prisma's WASM schema engine. Safe to run from several instances at once.
import { loadConfig } from '../server/config.ts';
import { migratePostgres, openDatabase } from '../server/db/database.ts';

const config = loadConfig();
if (config.databaseUrl) {
  const applied = await migratePostgres(config.databaseUrl);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} else {
  const db = await openDatabase({ dataDir: config.dataDir, migrate: true });
  await db.close();
  console.log(`embedded database under ${config.dataDir} is up to date`);
}
