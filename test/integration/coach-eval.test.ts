// `npm run eval:coach` inside `npm test`: every conversation of the corpus, replayed against the
// built-in coach over the real WebSocket contract, must end with the plan its person described.
// The LLM coach is wired to the same runner against the local fake OpenAI server (wiring only:
// the fake does not plan like a model).

import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.ts';
import type { WeekPlan } from '../../server/plan/types.ts';
import { formatResult, loadCorpus, runConversation, startEvalServer, type CorpusConversation, type EvalServer } from '../support/coach-eval.ts';
import { DB_KIND, openTestDatabase } from '../support/db.ts';
import { startFakeOpenAi, type FakeOpenAi } from '../support/fake-openai.ts';

const corpus = loadCorpus();
// A loaded 2-core machine answers a turn in well under a second; a conversation has at most ~15 turns.
const CONVERSATION_TIMEOUT_MS = 120_000;

describe(`the coach corpus (${DB_KIND})`, () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let ev: EvalServer;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase());
    ev = await startEvalServer(db);
  });
  afterAll(async () => {
    await ev?.close();
    await cleanup?.();
  });

  it('has at least 40 conversations and 300 user turns, each with an expected plan', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
    const turns = corpus.reduce((n, c) => n + (c.turns?.length ?? 0) + (c.sessions ?? []).reduce((m, s) => m + s.turns.length, 0), 0);
    expect(turns).toBeGreaterThanOrEqual(300);
    for (const c of corpus) expect(Object.keys(c.expected).length, c.name).toBeGreaterThan(0);
  });

  it.each(corpus.map((c) => [c.name, c] as const))('%s', async (_name, conv: CorpusConversation) => {
    const r = await runConversation(ev, conv);
    expect(r.pass, formatResult(r)).toBe(true);
  }, CONVERSATION_TIMEOUT_MS);

  it('reports the first wrong turn when a plan differs from the expected one', async () => {
    const conv: CorpusConversation = {
      name: 'deliberately-wrong-expectation',
      now: '2026-11-22T18:00:00Z',
      turns: ['hi', 'skip', 'ship the pricing page, hire a designer', "that's all"],
      expected: { rocks: ['Ship the pricing page'] },
    };
    const r = await runConversation(ev, conv);
    expect(r.pass).toBe(false);
    expect(r.firstWrongTurn).toBe(3);
    expect(formatResult(r)).toMatch(/FAIL {2}deliberately-wrong-expectation[\s\S]*first wrong turn: 3[\s\S]*hire a designer/);
  }, CONVERSATION_TIMEOUT_MS);
});

describe('the LLM coach on the corpus runner (fake OpenAI server, wiring only)', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let fake: FakeOpenAi;
  let ev: EvalServer;

  beforeAll(async () => {
    ({ db, cleanup } = await openTestDatabase());
    fake = await startFakeOpenAi();
    ev = await startEvalServer(db, { coach: 'openai', openai: { apiKey: 'sk-test-not-a-secret', baseUrl: fake.url, model: 'fake-gpt', timeoutMs: 5_000 } });
  });
  afterAll(async () => {
    await ev?.close();
    await fake?.close();
    await cleanup?.();
  });

  it('replays a conversation through the model with the new plan tools', async () => {
    fake.enqueue(
      { kind: 'tool_calls', calls: [{ id: 'c1', name: 'add_rock', arguments: JSON.stringify({ title: 'Ship the pricing page' }) }] },
      { kind: 'text', chunks: ['Added ', 'your rock.'] },
      { kind: 'text', chunks: ['Noted.'] },
    );
    const r = await runConversation(ev, {
      name: 'llm-wiring',
      now: '2026-11-22T18:00:00Z',
      turns: ['my rock: ship the pricing page', 'thanks'],
      expected: { rocks: ['Ship the pricing page'] },
    });
    expect(r.pass, formatResult(r)).toBe(true);
    const tools = (fake.requests[0]!.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name);
    expect(tools).toEqual(expect.arrayContaining(['add_rock', 'move_time_block', 'set_review_time', 'remove_time_block', 'update_rock']));
    expect((r.log[0]!.plan as WeekPlan).rocks.map((x) => x.title)).toEqual(['Ship the pricing page']);
  }, CONVERSATION_TIMEOUT_MS);

  it('npm run eval:coach -- --coach openai runs the corpus against the OPENAI_* settings', async () => {
    for (let i = 0; i < 40; i++) fake.enqueue({ kind: 'text', chunks: ['Okay.'] });
    const before = fake.requests.length;
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/eval-coach.ts', '--coach', 'openai', '--only', 'skip-everything'], {
        env: { ...process.env, OPENAI_API_KEY: 'sk-test-not-a-secret', OPENAI_BASE_URL: fake.url, OPENAI_MODEL: 'fake-gpt', DATABASE_URL: '', LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let stdout = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.on('close', (code) => resolve({ code, stdout }));
    });
    // The fake model only says "Okay.", so the plan may differ; what matters is that every turn reached the model.
    expect(out.stdout).toMatch(/(PASS|FAIL) {2}skip-everything/);
    expect(out.stdout).toMatch(/1 conversations, 7 user turns, .*\(openai coach\)/);
    expect(fake.requests.length - before).toBeGreaterThanOrEqual(7);
    expect([0, 1]).toContain(out.code);
  }, CONVERSATION_TIMEOUT_MS);
});
