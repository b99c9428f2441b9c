import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../../server/db/group-commit.ts';

const limits = { maxItems: 100, maxSize: 1_000, sizeOf: (n: number) => n };

describe('GroupCommit', () => {
  it('items submitted together share one commit; items arriving during it share the next', async () => {
    const commits: number[][] = [];
    let release: () => void = () => {};
    const gc = new GroupCommit<number, string>(async (items) => {
      commits.push(items);
      if (commits.length === 1) await new Promise<void>((r) => (release = r));
      return items.map((i) => `ok ${i}`);
    }, limits);
    const first = [gc.submit(1), gc.submit(2), gc.submit(3)];
    await new Promise((r) => setImmediate(r));
    const second = [gc.submit(4), gc.submit(5)];
    expect(commits).toEqual([[1, 2, 3]]);
    expect(gc.pending).toBe(2);
    release();
    expect(await Promise.all([...first, ...second])).toEqual(['ok 1', 'ok 2', 'ok 3', 'ok 4', 'ok 5']);
    expect(commits).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('the next commit starts as soon as the previous one returns, not a turn of the event loop later', async () => {
    const commits: number[][] = [];
    let release: () => void = () => {};
    const gc = new GroupCommit<number, number>(async (items) => {
      commits.push(items);
      if (commits.length === 1) await new Promise<void>((r) => (release = r));
      return items;
    }, limits);
    const first = gc.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = gc.submit(2);
    release();
    // Callers of the first commit hear back in microtasks; by then the second has started.
    await first;
    expect(commits).toEqual([[1], [2]]);
    expect(await second).toBe(2);
    expect(gc.pending).toBe(0);
  });

  it('no caller is answered before its commit returns, and a failed commit fails every caller in it', async () => {
    const settled: string[] = [];
    let fail = true;
    const gc = new GroupCommit<number, number>(async (items) => {
      await new Promise((r) => setTimeout(r, 20));
      if (fail) throw Object.assign(new Error('boom'), { code: 'TEST_COMMIT_FAILED' });
      return items;
    }, limits);
    const batch = [1, 2, 3].map((i) =>
      gc.submit(i).then(
        () => settled.push(`ok ${i}`),
        (err: { code?: string }) => settled.push(`${err.code} ${i}`),
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    expect(settled).toEqual([]);
    await Promise.all(batch);
    expect(settled).toEqual(['TEST_COMMIT_FAILED 1', 'TEST_COMMIT_FAILED 2', 'TEST_COMMIT_FAILED 3']);
    fail = false;
    expect(await gc.submit(4)).toBe(4);
  });

  it('splits by item count and by size; an oversized item still commits, alone', async () => {
    const commits: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => (commits.push(items), items), { maxItems: 3, maxSize: 10, sizeOf: (n) => n });
    await Promise.all([1, 1, 1, 1, 6, 6, 50, 2].map((n) => gc.submit(n)));
    expect(commits).toEqual([[1, 1, 1], [1, 6], [6], [50], [2]]);
  });
});
