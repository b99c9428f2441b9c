import { runDelivery } from './scenarios/delivery.ts';
import { runResume } from './scenarios/resume.ts';
import { freshDatabase } from './support/pg.ts';
const which = process.argv[2] ?? 'delivery';
const db = await freshDatabase('postgresql://postgres@127.0.0.1:5432/test');
try {
  const base = { dbUrl: db.url, dbName: db.name, subscribersPerSession: 2, tokensPerSecond: 50, sessions: 50, durationMs: 3000 };
  if (which === 'memory' || which === 'delivery') { const m = await runDelivery({ ...base, log: 'memory' }); console.log('memory', JSON.stringify({e: m.emitToReceipt, f: m.flushToReceipt, w: m.logWritesPerSecond})); }
  if (which === 'durable' || which === 'delivery') { const d = await runDelivery({ ...base, log: 'durable' }); console.log('durable', JSON.stringify({e: d.emitToReceipt, f: d.flushToReceipt, w: d.logWritesPerSecond, c: d.pgCommitsPerSecond})); }
  if (which === 'resume') { const r = await runResume({ dbUrl: db.url, sizes: [10000], fractions: [1], repeats: 3 }); console.log(JSON.stringify(r).slice(0, 2000)); }
} finally { await db.drop(); }
