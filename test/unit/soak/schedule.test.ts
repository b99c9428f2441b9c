import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, planFaults } from '../../faults/soak/schedule.ts';

const shape = { seed: 1234, durationMs: 120_000, instances: 3, clients: 60 };

describe('soak fault schedule', () => {
  it('the same seed gives the same schedule; another seed another one', () => {
    expect(planFaults(shape)).toEqual(planFaults({ ...shape }));
    expect(planFaults({ ...shape, seed: 1235 })).not.toEqual(planFaults(shape));
  });

  it('a 2-minute run gets every instance and database fault at least once, inside the run, in time order', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const plan = planFaults({ ...shape, seed });
      for (const kind of ['kill', 'sigterm', 'pg-restart', 'listen-cut'] as const) expect(plan.some((f) => f.kind === kind)).toBe(true);
      expect(plan.every((f) => f.atMs >= 3_000 && f.atMs <= shape.durationMs)).toBe(true);
      expect(plan.map((f) => f.atMs)).toEqual([...plan.map((f) => f.atMs)].sort((a, b) => a - b));
      expect(plan.every((f) => FAULT_KINDS.includes(f.kind))).toBe(true);
      for (const f of plan.filter((x) => x.kind === 'kill' || x.kind === 'sigterm')) expect(f.target).toBeLessThan(shape.instances);
      for (const f of plan.filter((x) => x.kind === 'socket-drop' || x.kind === 'slow-client')) expect(f.target).toBeLessThan(shape.clients);
    }
  });

  it('faults overlap: some database outages also lose an instance', () => {
    const overlapping = Array.from({ length: 20 }, (_, i) => planFaults({ ...shape, seed: i + 1 })).filter((plan) =>
      plan.some((o) => o.kind === 'pg-restart' && plan.some((k) => k.kind === 'kill' && k.atMs >= o.atMs && k.atMs <= o.atMs + o.durationMs)),
    );
    expect(overlapping.length).toBeGreaterThan(0);
  });
});
