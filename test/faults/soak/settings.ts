// The soak's knobs, read once from the environment (like server/config.ts for the app).
//   SOAK_SECONDS    length of the load and fault phase (default 600)
//   SOAK_SESSIONS   sessions, each with two web clients on different instances (default 50)
//   SOAK_INSTANCES  app instances, 2 to 5 (default 3)
//   SOAK_SEED       replays a run's schedule of faults and load decisions (default: random, printed)

import { randomInt } from 'node:crypto';
import type { SoakSettings } from './run-soak.ts';

function int(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return v;
}

export function soakSettings(): SoakSettings {
  return {
    seconds: int('SOAK_SECONDS', 600, 10, 86_400),
    sessions: int('SOAK_SESSIONS', 50, 1, 1_000),
    instances: int('SOAK_INSTANCES', 3, 2, 5),
    seed: int('SOAK_SEED', randomInt(1, 2 ** 31 - 1), 0, 2 ** 32 - 1),
  };
}
