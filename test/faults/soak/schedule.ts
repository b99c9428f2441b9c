// The soak's fault schedule: a pure function of the seed and the run's shape, so a failing seed
// replays the same faults at the same offsets against the same targets.

import { between, deriveRng, expGap, randInt, type Rng } from './random.ts';

export type FaultKind = 'kill' | 'sigterm' | 'pg-restart' | 'listen-cut' | 'socket-drop' | 'slow-client';
export const FAULT_KINDS: readonly FaultKind[] = ['kill', 'sigterm', 'pg-restart', 'listen-cut', 'socket-drop', 'slow-client'];

export interface PlannedFault {
  /** Offset from the start of the load phase. */
  atMs: number;
  kind: FaultKind;
  /** kill, sigterm: which instance. listen-cut: which listener backend (modulo how many there are). */
  target: number;
  /** kill: down time before the restart. pg-restart: the outage. slow-client: how long it stops reading. */
  durationMs: number;
}

export interface ScheduleShape {
  seed: number;
  durationMs: number;
  instances: number;
  clients: number;
}

/** Mean time between two faults of a kind (a Poisson process each; they overlap freely). */
export function meanGapMs(kind: FaultKind, clients: number): number {
  switch (kind) {
    case 'kill':
      return 30_000;
    case 'sigterm':
      return 80_000;
    case 'pg-restart':
      return 150_000;
    case 'listen-cut':
      return 45_000;
    // Each client loses its socket every ~2.5 minutes and stalls every ~10.
    case 'socket-drop':
      return 150_000 / clients;
    case 'slow-client':
      return 600_000 / clients;
  }
}

/** No fault starts in the first and last seconds of the load phase. */
const QUIET_START_MS = 3_000;
const QUIET_END_MS = 5_000;
/** Runs at least this long get every kind of fault at least once. */
const EVERY_KIND_FROM_MS = 60_000;
const ALWAYS: readonly FaultKind[] = ['kill', 'sigterm', 'pg-restart', 'listen-cut'];

function targetAndDuration(rng: Rng, kind: FaultKind, shape: ScheduleShape): Pick<PlannedFault, 'target' | 'durationMs'> {
  switch (kind) {
    case 'kill':
      return { target: randInt(rng, 0, shape.instances - 1), durationMs: Math.round(between(rng, 0, 3_000)) };
    case 'sigterm':
      return { target: randInt(rng, 0, shape.instances - 1), durationMs: 0 };
    case 'pg-restart':
      return { target: 0, durationMs: Math.round(between(rng, 500, 4_000)) };
    case 'listen-cut':
      return { target: randInt(rng, 0, 1_000), durationMs: 0 };
    case 'socket-drop':
      return { target: randInt(rng, 0, shape.clients - 1), durationMs: 0 };
    case 'slow-client':
      return { target: randInt(rng, 0, shape.clients - 1), durationMs: Math.round(between(rng, 2_000, 20_000)) };
  }
}

export function planFaults(shape: ScheduleShape): PlannedFault[] {
  const from = QUIET_START_MS;
  const to = shape.durationMs - QUIET_END_MS;
  const plan: PlannedFault[] = [];
  if (to <= from) return plan;
  for (const kind of FAULT_KINDS) {
    const rng = deriveRng(shape.seed, kind);
    const mean = meanGapMs(kind, shape.clients);
    for (let at = from + expGap(rng, mean); at < to; at += expGap(rng, mean)) {
      plan.push({ atMs: Math.round(at), kind, ...targetAndDuration(rng, kind, shape) });
    }
    if (shape.durationMs >= EVERY_KIND_FROM_MS && ALWAYS.includes(kind) && !plan.some((f) => f.kind === kind)) {
      plan.push({ atMs: Math.round(between(rng, from, to)), kind, ...targetAndDuration(rng, kind, shape) });
    }
  }
  // Deliberate overlap: half the database outages also lose an instance, and the listeners are cut
  // as the database comes back.
  const rng = deriveRng(shape.seed, 'overlap');
  for (const outage of plan.filter((f) => f.kind === 'pg-restart')) {
    if (rng() < 0.5) {
      plan.push({ atMs: outage.atMs + Math.round(between(rng, 0, outage.durationMs)), kind: 'kill', ...targetAndDuration(rng, 'kill', shape) });
    }
    plan.push({ atMs: outage.atMs + outage.durationMs + Math.round(between(rng, 0, 2_000)), kind: 'listen-cut', ...targetAndDuration(rng, 'listen-cut', shape) });
  }
  return plan.sort((x, y) => x.atMs - y.atMs || FAULT_KINDS.indexOf(x.kind) - FAULT_KINDS.indexOf(y.kind));
}

/** One line per kind: how many are planned. */
export function describePlan(plan: readonly PlannedFault[]): string {
  return FAULT_KINDS.map((k) => `${k} ${plan.filter((f) => f.kind === k).length}`).join(', ');
}
