// Replays the conversation corpus (test/fixtures/coach-corpus/*.json) against a real server over
// the real WebSocket contract, one fresh account per conversation, and compares each final
// plan with the expected one. Used by `npm run eval:coach` and by test/integration/coach-eval.test.ts.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Agent } from '../../server/agent/port.ts';
import { defaultWeekKey } from '../../server/coach/offline-coach.ts';
import { DEFAULT_RATE_LIMITS, type Config } from '../../server/config.ts';
import type { Database } from '../../server/db/database.ts';
import { blockTime } from '../../server/plan/describe.ts';
import { REVIEW_BLOCK_TITLE } from '../../server/plan/tools.ts';
import type { WeekPlan } from '../../server/plan/types.ts';
import type { SessionEvent } from '../../server/session/types.ts';
import { api, signup, WsTestClient } from './client.ts';
import { startTestServer, type TestServer } from './server.ts';

export const CORPUS_DIR = join(import.meta.dirname, '..', 'fixtures', 'coach-corpus');

export type Turn = string | { user: string; expectReply?: string };

export interface ExpectedPlan {
  /** Which week to check; default: the first session's week. */
  weekKey?: string;
  vision?: { work: string; self: string; relationships: string } | null;
  /** Active rocks (planned or done), in order. */
  rocks?: string[];
  /** Titles of rocks marked done. */
  done?: string[];
  /** "deep_work Tue 09:00-11:00 Rock title" / "recovery Sat 10:00-12:00 Walk" / "other Thu 15:00-16:00 Dentist"; order-free. */
  blocks?: string[];
  environment?: string[];
  /** The Friday review block, e.g. "Fri 16:00-16:30"; null = none. */
  review?: string | null;
}

export interface CorpusSession {
  kind?: 'plan' | 'review';
  /** The clock during this session (ISO); default: the conversation's. */
  now?: string;
  turns: Turn[];
}

export interface CorpusConversation {
  name: string;
  about?: string;
  timeZone?: string;
  /** The clock (ISO instant) while the conversation runs. */
  now: string;
  /** The session's week; default: what the app picks for `now`. */
  weekKey?: string;
  turns?: Turn[];
  /** Several sessions by the same person, in order (e.g. edits in a new session). */
  sessions?: CorpusSession[];
  expected: ExpectedPlan;
}

export interface TurnLog {
  session: number;
  turn: number;
  user: string;
  reply: string;
  status: string;
  plan: WeekPlan;
}

export interface ConversationResult {
  name: string;
  pass: boolean;
  problems: string[];
  /** 1-based index over all user turns of the first turn that went wrong, if found. */
  firstWrongTurn: number | null;
  firstWrongText: string | null;
  turns: number;
  log: TurnLog[];
}

export function loadCorpus(dir = CORPUS_DIR): CorpusConversation[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CorpusConversation), name: JSON.parse(readFileSync(join(dir, f), 'utf8')).name ?? f.replace(/\.json$/, '') }));
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[–—]/g, '-')
    .replace(/[“”"'’.!,;:\s]+$/g, '')
    .replace(/^["“”']+/, '')
    .replace(/\s+/g, ' ')
    .trim();

function describeBlocks(plan: WeekPlan): string[] {
  return plan.blocks
    .filter((b) => b.title !== REVIEW_BLOCK_TITLE)
    .map((b) => {
      const rock = b.rockId ? plan.rocks.find((r) => r.id === b.rockId) : undefined;
      return `${b.kind} ${blockTime(b, plan.timeZone).replace('–', '-')} ${rock?.title ?? b.title}`;
    });
}

function reviewOf(plan: WeekPlan): string | null {
  return plan.review ? blockTime(plan.review, plan.timeZone).replace('–', '-') : null;
}

/** Differences between a plan and the expectation, as readable lines (empty = equal). */
export function comparePlan(plan: WeekPlan, expected: ExpectedPlan): string[] {
  const problems: string[] = [];
  const sameList = (what: string, got: string[], want: string[], ordered: boolean) => {
    const g = got.map(norm);
    const w = want.map(norm);
    const eq = ordered ? g.join('\n') === w.join('\n') : [...g].sort().join('\n') === [...w].sort().join('\n');
    if (!eq) {
      const extra = got.filter((x) => !w.includes(norm(x)));
      const missing = want.filter((x) => !g.includes(norm(x)));
      problems.push(`${what}: got [${got.join(' | ')}]${extra.length ? `; unexpected [${extra.join(' | ')}]` : ''}${missing.length ? `; missing [${missing.join(' | ')}]` : ''}${!extra.length && !missing.length ? ' (order differs)' : ''}`);
    }
  };
  if (expected.vision !== undefined) {
    const got = plan.vision;
    if (expected.vision === null) {
      if (got && (got.work || got.self || got.relationships)) problems.push(`vision: expected none, got ${JSON.stringify(got)}`);
    } else {
      for (const k of ['work', 'self', 'relationships'] as const) {
        if (norm(got?.[k] ?? '') !== norm(expected.vision[k])) problems.push(`vision.${k}: expected "${expected.vision[k]}", got "${got?.[k] ?? ''}"`);
      }
    }
  }
  const active = plan.rocks.filter((r) => r.status === 'planned' || r.status === 'done').sort((a, b) => a.position - b.position);
  if (expected.rocks) sameList('rocks', active.map((r) => r.title), expected.rocks, true);
  if (expected.done) sameList('done rocks', plan.rocks.filter((r) => r.status === 'done').map((r) => r.title), expected.done, false);
  if (expected.blocks) sameList('blocks', describeBlocks(plan), expected.blocks, false);
  if (expected.environment) sameList('environment', plan.environment.map((e) => e.text), expected.environment, false);
  if (expected.review !== undefined) {
    const got = reviewOf(plan);
    if ((got === null) !== (expected.review === null) || (got && expected.review && norm(got) !== norm(expected.review))) problems.push(`review: expected ${expected.review ?? 'none'}, got ${got ?? 'none'}`);
  }
  return problems;
}

/** Items of a plan as comparable strings, to find the turn where a wrong one first appeared. */
function items(plan: WeekPlan): string[] {
  const v = plan.vision;
  return [
    ...(v ? (['work', 'self', 'relationships'] as const).filter((k) => v[k]).map((k) => `vision.${k}: ${norm(v[k])}`) : []),
    ...plan.rocks.filter((r) => r.status !== 'carried').map((r) => `rock: ${norm(r.title)} (${r.status})`),
    ...describeBlocks(plan).map((b) => `block: ${norm(b)}`),
    ...plan.environment.map((e) => `environment: ${norm(e.text)}`),
    ...(reviewOf(plan) ? [`review: ${norm(reviewOf(plan)!)}`] : []),
  ];
}

function firstWrong(log: TurnLog[], finalPlan: WeekPlan, expected: ExpectedPlan): { index: number; why: string } | null {
  const expectedItems = new Set(
    items({
      ...finalPlan,
      vision: expected.vision === undefined ? finalPlan.vision : expected.vision,
      rocks: expected.rocks ? expected.rocks.map((t, i) => ({ id: `e${i}`, title: t, status: expected.done?.some((d) => norm(d) === norm(t)) ? 'done' : 'planned', position: i, carryCount: 0, carriedFromId: null })) : finalPlan.rocks,
      blocks: [],
      environment: expected.environment ? expected.environment.map((t, i) => ({ id: `e${i}`, text: t })) : finalPlan.environment,
    }),
  );
  for (const b of expected.blocks ?? describeBlocks(finalPlan)) expectedItems.add(`block: ${norm(b)}`);
  if (expected.review) expectedItems.add(`review: ${norm(expected.review)}`);
  const finalItems = new Set(items(finalPlan));
  // A wrong item still in the final plan: the turn it appeared in (and stayed from).
  let best: { index: number; why: string } | null = null;
  for (const item of finalItems) {
    if (expectedItems.has(item)) continue;
    if (item.startsWith('review:') && expected.review === undefined) continue;
    if (item.startsWith('vision.') && expected.vision === undefined) continue;
    let from = log.length - 1;
    while (from > 0 && items(log[from - 1]!.plan).includes(item)) from--;
    if (!best || from < best.index) best = { index: from, why: `saved ${item}` };
  }
  // An expected item that never made it: the first turn that mentioned it.
  for (const item of expectedItems) {
    if (finalItems.has(item)) continue;
    const words = item.replace(/^[a-z._]+: /, '').split(/[^a-z0-9:]+/).filter((w) => w.length > 3);
    const at = log.findIndex((t) => words.some((w) => t.user.toLowerCase().includes(w)));
    const index = at >= 0 ? at : log.length - 1;
    if (!best || index < best.index) best = { index, why: `never saved ${item}` };
  }
  return best;
}

function emptyPlan(weekKey: string, timeZone: string): WeekPlan {
  return { weekKey, timeZone, version: 0, review: null, vision: null, rocks: [], blocks: [], environment: [], reflections: [] };
}

export interface EvalServer {
  server: TestServer;
  setClock(iso: string): void;
  close(): Promise<void>;
}

/** A real server with the chosen coach and a clock the corpus can set per conversation. */
export async function startEvalServer(db: Database, config: Partial<Config> = {}, agent?: (s: { db: Database }) => Agent): Promise<EvalServer> {
  let clock = new Date();
  const server = await startTestServer({
    db,
    // One account per conversation: lift the per-IP sign-up limit for the corpus's many sign-ups.
    config: { coach: 'offline', coachPaceMs: 0, rateLimits: { ...DEFAULT_RATE_LIMITS, signupPerIp: { burst: 10_000, refillPerMinute: 10_000 } }, ...config },
    overrides: { now: () => clock },
    ...(agent ? { agent: (s) => agent({ db: s.db }) } : {}),
  });
  return { server, setClock: (iso) => (clock = new Date(iso)), close: () => server.close() };
}

async function say(ws: WsTestClient, text: string, n: number): Promise<SessionEvent> {
  const ends = ws.events.filter((e) => e.type === 'assistant.end').length;
  ws.send({ type: 'user.message', clientMessageId: `eval-${n}-${Math.random().toString(36).slice(2)}`, text });
  return ws.waitFor((c) => c.events.filter((e) => e.type === 'assistant.end')[ends], 30_000, `the answer to "${text}"`);
}

export async function runConversation(ev: EvalServer, conv: CorpusConversation): Promise<ConversationResult> {
  const { server } = ev;
  const timeZone = conv.timeZone ?? 'Europe/Berlin';
  const who = await signup(server.url);
  await api(server.url, who, 'PATCH', '/api/me', { timeZone });
  const sessions: CorpusSession[] = conv.sessions ?? [{ turns: conv.turns ?? [] }];
  const log: TurnLog[] = [];
  const problems: string[] = [];
  let checkWeek = conv.expected.weekKey;
  let turnNo = 0;
  for (const [si, session] of sessions.entries()) {
    const now = session.now ?? conv.now;
    ev.setClock(now);
    const kind = session.kind ?? 'plan';
    const weekKey = si === 0 && conv.weekKey ? conv.weekKey : defaultWeekKey(kind, now, timeZone);
    checkWeek ??= weekKey;
    const created = await api<{ id: string }>(server.url, who, 'POST', '/api/sessions', { kind, weekKey, title: conv.name });
    if (created.status !== 201) throw new Error(`session not created: ${created.status}`);
    const ws = await WsTestClient.connect(server.wsUrl, created.body.id, who);
    try {
      await ws.waitForFrame('ready');
      for (const turn of session.turns) {
        const user = typeof turn === 'string' ? turn : turn.user;
        const end = await say(ws, user, ++turnNo);
        const reply = String(end.data.text ?? '');
        // The plan as every device saw it: the newest plan.updated of the checked week (no extra request per turn).
        const update = [...ws.events].reverse().find((e) => e.type === 'plan.updated' && e.data.weekKey === checkWeek);
        const plan = (update?.data.plan as WeekPlan | undefined) ?? log.at(-1)?.plan ?? emptyPlan(checkWeek, timeZone);
        log.push({ session: si + 1, turn: turnNo, user, reply, status: String(end.data.status), plan });
        if (end.data.status !== 'complete') problems.push(`turn ${turnNo}: the answer ended ${String(end.data.status)}${end.data.reason ? ` (${String(end.data.reason)})` : ''}`);
        if (typeof turn !== 'string' && turn.expectReply && !new RegExp(turn.expectReply, 'i').test(reply)) problems.push(`turn ${turnNo}: reply does not match /${turn.expectReply}/`);
      }
    } finally {
      await ws.close();
    }
  }
  const finalPlan = (await api<{ plan: WeekPlan }>(server.url, who, 'GET', `/api/weeks/${checkWeek}`)).body.plan;
  problems.push(...comparePlan(finalPlan, conv.expected));
  const turnProblem = problems.map((p) => /^turn (\d+):/.exec(p)).find(Boolean);
  let firstWrongTurn: number | null = turnProblem ? Number(turnProblem[1]) : null;
  let firstWrongText: string | null = null;
  if (problems.length) {
    const w = firstWrong(log, finalPlan, conv.expected);
    if (w && (firstWrongTurn === null || w.index + 1 < firstWrongTurn)) {
      firstWrongTurn = w.index + 1;
      firstWrongText = w.why;
    }
  }
  return { name: conv.name, pass: problems.length === 0, problems, firstWrongTurn, firstWrongText, turns: turnNo, log };
}

/** One line per conversation, plus the first wrong turn (what was said, what the coach answered) for failures. */
export function formatResult(r: ConversationResult): string {
  if (r.pass) return `PASS  ${r.name} (${r.turns} turns)`;
  const lines = [`FAIL  ${r.name} (${r.turns} turns)`];
  if (r.firstWrongTurn !== null) {
    const t = r.log[r.firstWrongTurn - 1];
    lines.push(`      first wrong turn: ${r.firstWrongTurn}${r.firstWrongText ? ` — ${r.firstWrongText}` : ''}`);
    if (t) lines.push(`        person: ${JSON.stringify(t.user)}`, `        coach:  ${JSON.stringify(t.reply.slice(0, 400))}`);
  }
  for (const p of r.problems) lines.push(`      ${p}`);
  return lines.join('\n');
}
