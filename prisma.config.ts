import { defineConfig } from 'prisma/config';

// Only `prisma generate` uses this file. Migrations are applied by
// server/db/migrate.ts through Prisma's WASM schema engine and a driver adapter,
// so no datasource URL is needed here.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
