// The soak's end-of-run checks, as a pure function of one session's committed log and what the
// soak recorded about it (acknowledgements, messages sent, every client's applied events and
// transcript). Each broken promise becomes a Violation naming its rule.

import { isDeepStrictEqual } from 'node:util';
import { parseServerFrame, type SessionEvent } from '../../../web/src/session-client/protocol.ts';
import { applyEvents, createTranscript, type Transcript } from '../../../web/src/session-client/transcript.ts';
import type { WireEvent } from '../../support/node-session-client.ts';

export type Rule =
  | 'gap-free'
  | 'acked-once'
  | 'sent-once'
  | 'no-ghost-message'
  | 'answer-ends'
  | 'one-active-run'
  | 'end-text'
  | 'no-delta-after-cancel'
  | 'client-equals-log'
  | 'client-transcript'
  | 'client-outbox'
  /** The system did not come to rest (every answer ended, every client caught up) after the faults stopped. */
  | 'settled'
  /** An HTTP answer that is neither success nor a retryable error. */
  | 'http-unexpected';

export interface Violation {
  session: string;
  rule: Rule;
  detail: string;
}

export interface ClientRecord {
  name: string;
  applied: readonly WireEvent[];
  queued: number;
  transcript: Transcript;
}

export interface SessionRecord {
  sessionId: string;
  label: string;
  /** Messages sent over HTTP: clientMessageId → every seq a 202 answered with (first and retries). */
  httpAcks: ReadonlyMap<string, readonly number[]>;
  /** Every clientMessageId this session's load sent (HTTP or socket) → its text. */
  sent: ReadonlyMap<string, string>;
  /** Sent through a SessionClient's outbox (acknowledged once the client saw it in the log). */
  viaSocket: ReadonlySet<string>;
  clients: readonly ClientRecord[];
}

const SHOW = 3;
const brief = (e: WireEvent | undefined) => (e ? `${e.seq}:${e.type}:${JSON.stringify(e.data).slice(0, 80)}` : 'nothing');

/** What a transcript shows, without identities: to compare a client's with one rebuilt from the log. */
function shown(t: Transcript): unknown {
  return {
    lastSeq: t.lastSeq,
    gap: t.gap,
    messages: t.messages.map((m) =>
      m.kind === 'user'
        ? ['user', m.clientMessageId, m.text, m.status, m.seq]
        : ['assistant', m.id, m.text, m.status, m.cancelRequested, m.startSeq, m.endSeq],
    ),
  };
}

export function transcriptOfLog(log: readonly WireEvent[]): Transcript {
  const events: SessionEvent[] = [];
  for (const e of log) {
    const f = parseServerFrame(JSON.stringify(e));
    if (f.kind === 'event') events.push(f.event);
  }
  return applyEvents(createTranscript(), events).transcript;
}

export function verifySession(log: readonly WireEvent[], rec: SessionRecord): Violation[] {
  const out: Violation[] = [];
  const v = (rule: Rule, detail: string) => out.push({ session: rec.label, rule, detail });

  // The log is gap-free: seq 1..n (SL1).
  const gaps = log.filter((e, i) => e.seq !== i + 1);
  if (gaps.length) v('gap-free', `seq ${gaps[0]!.seq} at position ${log.indexOf(gaps[0]!) + 1} (${gaps.length} out of place)`);

  // Every acknowledged message is in it exactly once, at the seq it was acknowledged with (SL5).
  const userEvents = new Map<string, WireEvent[]>();
  for (const e of log.filter((x) => x.type === 'user.message')) {
    const cmid = String(e.data.clientMessageId);
    userEvents.set(cmid, [...(userEvents.get(cmid) ?? []), e]);
  }
  for (const [cmid, seqs] of rec.httpAcks) {
    const found = userEvents.get(cmid) ?? [];
    if (found.length !== 1) v('acked-once', `${cmid} acknowledged over HTTP (seq ${seqs.join(',')}) is in the log ${found.length} times`);
    else if (seqs.some((s) => s !== found[0]!.seq)) v('acked-once', `${cmid} acknowledged with seq ${seqs.join(',')} but logged at ${found[0]!.seq}`);
  }
  for (const cmid of rec.viaSocket) {
    const n = userEvents.get(cmid)?.length ?? 0;
    if (n !== 1) v('sent-once', `${cmid} sent through the client's outbox is in the log ${n} times`);
  }
  for (const [cmid, events] of userEvents) {
    const text = rec.sent.get(cmid);
    if (text === undefined) v('no-ghost-message', `${cmid} is in the log but was never sent`);
    else if (events.some((e) => e.data.text !== text)) v('no-ghost-message', `${cmid} is logged with other text`);
  }

  // Every answer has exactly one end (SL12), runs do not overlap (SL9), the end's text is the
  // deltas' (SL6), and no delta follows a cancel.requested of the same message (SL10).
  const open = new Map<string, { start: WireEvent; text: string; cancelledAt: number | null }>();
  const ended = new Set<string>();
  for (const e of log) {
    const id = String(e.data.messageId ?? '');
    if (e.type === 'assistant.start') {
      if (open.has(id) || ended.has(id)) v('answer-ends', `second start of ${id} at seq ${e.seq}`);
      if (open.size > 0) v('one-active-run', `start of ${id} at seq ${e.seq} while ${[...open.keys()].join(',')} is open`);
      open.set(id, { start: e, text: '', cancelledAt: null });
    } else if (e.type === 'assistant.delta') {
      const m = open.get(id);
      if (!m) v('answer-ends', `delta of ${id} at seq ${e.seq} outside its start and end`);
      else {
        if (m.cancelledAt !== null) v('no-delta-after-cancel', `delta of ${id} at seq ${e.seq} after its cancel.requested at seq ${m.cancelledAt}`);
        m.text += String(e.data.text);
      }
    } else if (e.type === 'cancel.requested') {
      const m = open.get(id);
      if (m && m.cancelledAt === null) m.cancelledAt = e.seq;
    } else if (e.type === 'assistant.end') {
      const m = open.get(id);
      if (!m) v('answer-ends', `end of ${id} at seq ${e.seq} without an open start`);
      else {
        if (m.text !== e.data.text) v('end-text', `end of ${id} at seq ${e.seq}: text is not its deltas (${String(e.data.text).length} vs ${m.text.length} chars)`);
        open.delete(id);
        ended.add(id);
      }
    }
  }
  for (const [id, m] of open) v('answer-ends', `${id} started at seq ${m.start.seq} never ended`);

  // Every client applied exactly the log, event for event, and shows what the log says.
  const fromLog = shown(transcriptOfLog(log));
  for (const c of rec.clients) {
    if (!isDeepStrictEqual(c.applied, log)) {
      const i = c.applied.findIndex((e, k) => !isDeepStrictEqual(e, log[k]));
      const at = i < 0 ? Math.min(c.applied.length, log.length) : i;
      v('client-equals-log', `${c.name}: ${c.applied.length} events vs ${log.length} in the log; first difference at position ${at + 1}: client ${brief(c.applied[at])}, log ${brief(log[at])}`);
      for (const d of c.applied.slice(at + 1, at + SHOW)) v('client-equals-log', `${c.name}: then ${brief(d)}`);
    }
    if (c.queued !== 0) v('client-outbox', `${c.name}: ${c.queued} messages still queued`);
    if (!isDeepStrictEqual(shown(c.transcript), fromLog)) v('client-transcript', `${c.name}: its transcript differs from the one rebuilt from the log`);
  }
  return out;
}
