// Reads a session's log straight from the Event table, in the wire shape clients receive, so
// fault tests and the soak compare what clients applied with what was committed.

import pg from 'pg';
import type { WireEvent } from './node-session-client.ts';

interface EventRow {
  sessionId: string;
  seq: number;
  type: string;
  data: Record<string, unknown>;
  at: Date;
}

const toWire = (r: EventRow): WireEvent => ({ seq: r.seq, type: r.type, at: r.at.toISOString(), data: r.data });

/** Every committed event of the given sessions, by session, in seq order. */
export async function readLogs(databaseUrl: string, sessionIds: string[]): Promise<Map<string, WireEvent[]>> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<EventRow>(
      'SELECT "sessionId", seq, type, data, at FROM "Event" WHERE "sessionId" = ANY($1::text[]) ORDER BY "sessionId", seq',
      [sessionIds],
    );
    const out = new Map<string, WireEvent[]>(sessionIds.map((id) => [id, []]));
    for (const row of r.rows) out.get(row.sessionId)!.push(toWire(row));
    return out;
  } finally {
    await c.end();
  }
}

export async function readLog(databaseUrl: string, sessionId: string): Promise<WireEvent[]> {
  return (await readLogs(databaseUrl, [sessionId])).get(sessionId)!;
}

/** The streamed text of one answer: its deltas in seq order (SL6). */
export function deltaText(events: readonly WireEvent[], messageId: string): string {
  return events
    .filter((e) => e.type === 'assistant.delta' && e.data.messageId === messageId)
    .map((e) => String(e.data.text))
    .join('');
}
