import { randomUUID } from 'node:crypto';
import { openDatabase } from '../../server/db/database.ts';
import { compactDeltas } from '../../server/session/compaction.ts';
import { eventFrame, eventsFrame } from '../../server/session/frames.ts';
import { SessionHub } from '../../server/session/hub.ts';
import { MemorySessionLog } from '../../server/session/memory-log.ts';
import type { SessionLog } from '../../server/session/port.ts';
import { SqlSessionLog } from '../../server/session/sql-log.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { query } from '../support/pg.ts';
import { summarize, type Summary } from '../support/stats.ts';

export interface ResumeCase {
  events: number;
  missingFraction: number;
  /** One frame per event (`replay=event`, what older clients get). */
  durable: Summary;
  /** `replay=batch`: `events` frames of up to 250 events. */
  durableBatch: Summary;
  /** `replay=compact`: batches with consecutive deltas folded (SL18). */
  durableCompact: Summary;
  memory: Summary;
}

type ReplayMode = 'event' | 'batch' | 'compact';

const SAMPLE_TEXT = 'a typical streamed chunk of text';

/** Seeds one session with `n` delta events in one INSERT … SELECT generate_series. */
export async function seedSql(url: string, userId: string, n: number): Promise<string> {
  const id = randomUUID();
  await query(url, `INSERT INTO "Session" (id, "userId", title, "lastSeq") VALUES ($1, $2, 'resume', $3)`, [id, userId, n]);
  await query(
    url,
    `INSERT INTO "Event" ("sessionId", seq, type, data, at)
     SELECT $1, g, 'assistant.delta', jsonb_build_object('messageId', 'm', 'text', $3::text || ' ' || g), clock_timestamp()
     FROM generate_series(1, $2::int) g`,
    [id, n, SAMPLE_TEXT],
  );
  await query(url, 'VACUUM ANALYZE "Event"');
  return id;
}

async function seedMemory(log: MemorySessionLog, n: number): Promise<string> {
  const id = randomUUID();
  await log.createSession({ id, userId: 'u', title: 'resume' });
  for (let i = 1; i <= n; i++) await log.append(id, 'assistant.delta', { messageId: 'm', text: `${SAMPLE_TEXT} ${i}` });
  return id;
}

/** Server time from subscribe(after) to `ready`: the backfill a reconnecting client waits for (SL4). */
async function catchUpMs(hub: SessionHub, sessionId: string, after: number, expect: number, mode: ReplayMode = 'event'): Promise<number> {
  const t0 = performance.now();
  let got = 0;
  await new Promise<void>((resolve, reject) => {
    const sub = hub.subscribe(sessionId, after, {
      event: (e) => {
        // Serialize as the WebSocket route does: part of the server's cost per event.
        eventFrame(e);
        got++;
        return true;
      },
      ...(mode === 'event'
        ? {}
        : {
            eventBatch: (events: SessionEvent[]) => {
              // As the route builds an `events` frame.
              eventsFrame(mode === 'compact' ? compactDeltas(events) : events);
              got += events.length;
              return true;
            },
          }),
      ready: () => {
        hub.unsubscribe(sub);
        if (got !== expect) reject(new Error(`resume delivered ${got}, expected ${expect}`));
        else resolve();
      },
      error: reject,
    });
  });
  return performance.now() - t0;
}

export async function runResume(p: { dbUrl: string; sizes: number[]; fractions: number[]; repeats: number }): Promise<ResumeCase[]> {
  const db = await openDatabase({ databaseUrl: p.dbUrl, migrate: false });
  // The database path: with the event cache (SL20) every repetition after the first would be
  // answered from memory. Reconnects as deployed (cache on) are measured by the peers scenario.
  const sql: SessionLog = new SqlSessionLog(db, { eventCacheBytes: 0 });
  const mem = new MemorySessionLog();
  const sqlHub = new SessionHub(sql);
  const memHub = new SessionHub(mem);
  const out: ResumeCase[] = [];
  try {
    const user = await db.prisma.user.create({ data: { email: `resume-${Date.now()}@example.test`, passwordHash: 'x' } });
    for (const n of p.sizes) {
      const sqlId = await seedSql(p.dbUrl, user.id, n);
      const memId = await seedMemory(mem, n);
      for (const f of p.fractions) {
        const missing = Math.max(1, Math.round(n * f));
        const after = n - missing;
        const d: number[] = [];
        const db: number[] = [];
        const dc: number[] = [];
        const m: number[] = [];
        // One warm-up each: first use of a connection and JIT are not what a resume costs.
        await catchUpMs(sqlHub, sqlId, after, missing);
        await catchUpMs(memHub, memId, after, missing);
        for (let i = 0; i < p.repeats; i++) {
          d.push(await catchUpMs(sqlHub, sqlId, after, missing));
          db.push(await catchUpMs(sqlHub, sqlId, after, missing, 'batch'));
          dc.push(await catchUpMs(sqlHub, sqlId, after, missing, 'compact'));
          m.push(await catchUpMs(memHub, memId, after, missing));
        }
        out.push({ events: n, missingFraction: f, durable: summarize(d), durableBatch: summarize(db), durableCompact: summarize(dc), memory: summarize(m) });
      }
    }
  } finally {
    sqlHub.close();
    memHub.close();
    await sql.close();
    await db.close();
  }
  return out;
}
