import { describe, expect, it } from 'vitest';
import { runSoak, type SoakOutcome } from './run-soak.ts';
import { soakSettings } from './settings.ts';

const settings = soakSettings();
/** Violations printed in full; the rest are counted by rule. */
const SHOWN = 40;
/** The schedule is a function of all four (schedule.ts), so the replay command names them all. */
const RERUN = `SOAK_SEED=${settings.seed} SOAK_SECONDS=${settings.seconds} SOAK_SESSIONS=${settings.sessions} SOAK_INSTANCES=${settings.instances} npm run test:soak`;

// Never skipped: the soak runs only when asked for (npm run test:soak, CI's fault step), and a
// soak that skips itself where PostgreSQL is missing would pass CI without having run. Without
// the server binaries startPrivateCluster fails, naming where it looked.
describe('chaos soak', () => {
  it(`SL1 SL4 SL5 SL6 SL9 SL10 SL12: ${settings.seconds} s, ${settings.sessions} sessions, faults at random (seed ${settings.seed})`, async () => {
    let out: SoakOutcome;
    try {
      out = await runSoak(settings, (line) => console.log(line));
    } catch (err) {
      // The harness itself broke (a restart that never came back, a fault that threw): still name the seed.
      throw new Error(`soak stopped with seed ${settings.seed} — rerun with ${RERUN}`, { cause: err });
    }
    console.log(out.report);
    if (out.violations.length > 0) {
      const byRule = new Map<string, number>();
      for (const v of out.violations) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
      const lines = out.violations.slice(0, SHOWN).map((v) => `  [${v.rule}] ${v.session}: ${v.detail}`);
      expect.fail(`soak failed with seed ${settings.seed} — rerun with ${RERUN}\n${[...byRule].map(([r, k]) => `${r}: ${k}`).join(', ')}\n${lines.join('\n')}`);
    }
  });
});
