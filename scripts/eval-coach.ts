// npm run eval:coach [-- --coach offline|openai] [--dir <corpus folder>] [--only <name>] [--verbose]
// Replays every conversation of the corpus against the chosen coach over the real WebSocket
// contract and prints, per conversation, whether the final plan equals the expected one and
// which turn went wrong. Exits non-zero if any conversation fails.
// --coach openai uses the OPENAI_* settings (see README); the offline coach needs nothing.

import { loadConfig } from '../server/config.ts';
import { CORPUS_DIR, formatResult, loadCorpus, runConversation, startEvalServer } from '../test/support/coach-eval.ts';
import { openTestDatabase } from '../test/support/db.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const coach = (arg('coach') ?? 'offline') as 'offline' | 'openai';
if (coach !== 'offline' && coach !== 'openai') {
  console.error('--coach must be "offline" or "openai"');
  process.exit(2);
}
const config = loadConfig();
if (coach === 'openai' && !config.openai.apiKey) {
  console.error('--coach openai needs OPENAI_API_KEY (and OPENAI_BASE_URL / OPENAI_MODEL for other servers).');
  process.exit(2);
}
const only = arg('only');
const corpus = loadCorpus(arg('dir') ?? CORPUS_DIR).filter((c) => !only || c.name.includes(only));
const { db, cleanup } = await openTestDatabase();
const ev = await startEvalServer(db, { coach, openai: config.openai });
let passed = 0;
let turns = 0;
const started = Date.now();
try {
  for (const conv of corpus) {
    const r = await runConversation(ev, conv);
    turns += r.turns;
    if (r.pass) passed++;
    console.log(formatResult(r));
    if (process.argv.includes('--verbose')) for (const t of r.log) console.log(`        [${t.turn}] > ${t.user}\n            ${t.reply.replace(/\n+/g, ' / ')}`);
  }
} finally {
  await ev.close();
  await cleanup();
}
console.log(`\n${corpus.length} conversations, ${turns} user turns, ${((Date.now() - started) / 1000).toFixed(1)} s (${coach} coach)`);
console.log(`${passed} passed, ${corpus.length - passed} failed`);
process.exit(passed === corpus.length ? 0 : 1);
