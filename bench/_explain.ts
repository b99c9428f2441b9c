import { freshDatabase, query } from './support/pg.ts';
import { seedSql } from './scenarios/resume.ts';
import pg from 'pg';
const db = await freshDatabase('postgresql://postgres@127.0.0.1:5432/test');
try {
  const [u] = await query(db.url, `INSERT INTO "User" (id, email, "passwordHash") VALUES ('u1','a@b.c','x') RETURNING id`);
  const id = await seedSql(db.url, u.id, 10000);
  const c = new pg.Client({ connectionString: db.url }); await c.connect();
  const variants: Record<string, string> = {
    current: `SELECT seq, type, data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM "Event" e WHERE "sessionId" = $1 AND seq > $2::int ORDER BY seq LIMIT $3::int`,
    dataText: `SELECT seq, type, data::text AS data, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at FROM "Event" e WHERE "sessionId" = $1 AND seq > $2::int ORDER BY seq LIMIT $3::int`,
    epoch: `SELECT seq, type, data::text AS data, (extract(epoch from e.at)*1000)::float8 AS at FROM "Event" e WHERE "sessionId" = $1 AND seq > $2::int ORDER BY seq LIMIT $3::int`,
  };
  for (let round = 0; round < 2; round++) for (const [name, sql] of Object.entries(variants)) {
    const t0 = performance.now();
    for (let after = 0; after < 10000; after += 1000) { const r = await c.query({ text: sql, values: [id, after, 1000] }); if (r.rows.length !== 1000) throw new Error('rows'); }
    const t1 = performance.now();
    const big = await c.query({ text: sql, values: [id, 0, 10000] });
    const t2 = performance.now();
    console.log(name, '10 pages', (t1 - t0).toFixed(1), 'one page', (t2 - t1).toFixed(1), big.rows.length);
  }
  const ex = await c.query(`EXPLAIN (ANALYZE, BUFFERS) ${variants.current!.replace('$1', `'${id}'`).replace('$2::int', '0').replace('$3::int', '1000')}`);
  console.log(ex.rows.map((r) => r['QUERY PLAN']).join('\n'));
  await c.end();
} finally { await db.drop(); }
