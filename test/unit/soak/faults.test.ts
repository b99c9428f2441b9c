import { describe, expect, it } from 'vitest';
import { instanceToStop } from '../../faults/soak/faults.ts';

const up = (...ids: number[]) => (i: number) => ids.includes(i);

describe('soak: which instance a kill or SIGTERM stops', () => {
  it('the planned one when it is up', () => {
    expect(instanceToStop(1, 3, up(0, 1, 2))).toBe(1);
    expect(instanceToStop(1, 3, up(1))).toBe(1);
  });

  it('the next one up when the planned one is down, in index order, wrapping', () => {
    expect(instanceToStop(1, 3, up(0, 2))).toBe(2);
    expect(instanceToStop(2, 3, up(0, 1))).toBe(0);
    expect(instanceToStop(0, 5, up(3, 4))).toBe(3);
  });

  it('never the last instance up in place of one that is down', () => {
    expect(instanceToStop(0, 3, up(2))).toBeUndefined();
    expect(instanceToStop(0, 2, up(1))).toBeUndefined();
    expect(instanceToStop(0, 3, up())).toBeUndefined();
  });
});
