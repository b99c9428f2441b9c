// The soak's report: what was done to the system and what it made of it.

import type { WireEvent } from '../../support/node-session-client.ts';
import type { Counters } from './counters.ts';
import type { InstanceStop } from './faults.ts';
import { FAULT_KINDS } from './schedule.ts';

export interface StopOutcome extends InstanceStop {
  /** ms from the stop until each answer it cut was ended (its assistant.end's commit time). */
  cutAnswersEndedAfterMs: number[] | 'unknown';
}

export interface ReportInput {
  settings: { seed: number; seconds: number; sessions: number; instances: number; clients: number };
  counters: Counters;
  logs: ReadonlyMap<string, readonly WireEvent[]>;
  stops: readonly StopOutcome[];
  socketsOpened: number;
  /** Messages the web clients resent with the same clientMessageId, and how many extra frames that took. */
  socketResends: { messages: number; frames: number };
  closeCodes: Record<string, number>;
  drainMs: number;
  /** Instances that exited by themselves (then restarted). */
  crashes: number;
  violations: number;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN;
};

export function formatReport(r: ReportInput): string {
  const c = r.counters;
  const all = [...r.logs.values()].flat();
  const byType = (t: string) => all.filter((e) => e.type === t);
  const ends = byType('assistant.end');
  const status = (s: string) => ends.filter((e) => e.data.status === s).length;
  const lines: string[] = [];
  const s = r.settings;
  lines.push(`soak seed=${s.seed}: ${s.seconds} s, ${s.sessions} sessions, ${s.instances} instances, ${s.clients} web clients`);
  lines.push(
    `faults: ${FAULT_KINDS.map((k) => `${k} ${c.faults[k]}${c.skipped[k] ? ` (+${c.skipped[k]} skipped)` : ''}`).join(', ')}; ${c.overlapping} began while another was in effect; ${c.retargeted.kill + c.retargeted.sigterm} kills or SIGTERMs went to another instance (theirs was down)`,
  );
  lines.push(
    `messages: ${c.messagesOverSocket} over the socket (${r.socketResends.messages} resent with the same clientMessageId, ${r.socketResends.frames} extra frames), ${c.messagesOverHttp} over HTTP (${c.httpRetries} retries after ${Object.entries(c.httpErrors).map(([k, v]) => `${v}× ${k}`).join(', ') || 'no errors'}; ${c.repeatedPosts} deliberate re-posts, ${c.duplicateAcks} answered duplicate), ${c.steering} of them steering mid-answer`,
  );
  lines.push(
    `cancels: ${c.cancelsOverSocket} over the socket, ${c.cancelsOverClientHttp} by the client over HTTP while not live, ${c.cancelsOverHttp} over HTTP (${c.cancelsWithoutRun} found no run)`,
  );
  lines.push(
    `log: ${all.length} events (${byType('user.message').length} user messages, ${byType('assistant.delta').length} deltas, ${byType('cancel.requested').length} cancel.requested); answers ${byType('assistant.start').length}: ${['complete', 'cancelled', 'interrupted', 'failed'].map((x) => `${status(x)} ${x}`).join(', ')}`,
  );
  lines.push(`instances that exited by themselves: ${r.crashes}`);
  lines.push(`clients: ${r.socketsOpened} sockets opened; lost sockets by close code: ${Object.entries(r.closeCodes).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  const cut = r.stops.filter((x) => x.cutAnswersEndedAfterMs !== 'unknown').flatMap((x) => x.cutAnswersEndedAfterMs as number[]);
  for (const x of r.stops) {
    const t = x.cutAnswersEndedAfterMs;
    lines.push(`  ${x.kind} of ${x.instance} at +${x.at} ms: ${t === 'unknown' ? 'runs unknown' : t.length === 0 ? 'cut no answer' : `cut ${t.length} answers, ended after ${t.map((v) => Math.round(v)).join(', ')} ms`}`);
  }
  if (cut.length) lines.push(`stop → cut answers ended: n=${cut.length}, median ${Math.round(pct(cut, 50))} ms, p95 ${Math.round(pct(cut, 95))} ms, max ${Math.round(Math.max(...cut))} ms`);
  lines.push(`drain after the last fault: ${Math.round(r.drainMs)} ms; violations: ${r.violations}`);
  return lines.join('\n');
}
