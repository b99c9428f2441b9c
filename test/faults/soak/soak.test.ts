import { describe, expect, it } from 'vitest';
import { PRIVATE_POSTGRES_AVAILABLE } from '../../support/private-postgres.ts';
import { runSoak } from './run-soak.ts';
import { soakSettings } from './settings.ts';

const settings = soakSettings();
/** Violations printed in full; the rest are counted by rule. */
const SHOWN = 40;

describe.skipIf(!PRIVATE_POSTGRES_AVAILABLE)('chaos soak', () => {
  it(`SL1 SL4 SL5 SL6 SL9 SL10 SL12: ${settings.seconds} s, ${settings.sessions} sessions, faults at random (seed ${settings.seed})`, async () => {
    const out = await runSoak(settings, (line) => console.log(line));
    console.log(out.report);
    if (out.violations.length > 0) {
      const byRule = new Map<string, number>();
      for (const v of out.violations) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
      const lines = out.violations.slice(0, SHOWN).map((v) => `  [${v.rule}] ${v.session}: ${v.detail}`);
      expect.fail(
        `soak failed with seed ${settings.seed} — rerun with SOAK_SEED=${settings.seed} SOAK_SECONDS=${settings.seconds} SOAK_SESSIONS=${settings.sessions}\n` +
          `${[...byRule].map(([r, k]) => `${r}: ${k}`).join(', ')}\n${lines.join('\n')}`,
      );
    }
  });
});
