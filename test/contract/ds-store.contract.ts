import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DsStore } from '../../server/ds/port.ts';
import type { AppendRequest, CreateRequest, DsChange, DsPayload } from '../../server/ds/types.ts';

export interface DsStoreFixture {
  store: DsStore;
  /** An owner id the store accepts (SQL adapters need a real user row). */
  newOwner(): Promise<string>;
  /** A live API key of `owner`, by its hash (AppendRequest.apiKeyHash). */
  newKey(owner: string): Promise<string>;
  /** Revokes the key with this hash. */
  revokeKey(keyHash: string): Promise<void>;
  /** A second store on the same storage (another server instance), if the adapter has one. */
  peer?: () => Promise<DsStore>;
  cleanup(): Promise<void>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): DsPayload => ({ data: enc.encode(s), messages: 1 });
const json = (...messages: unknown[]): DsPayload => ({ data: enc.encode(messages.map((m) => JSON.stringify(m)).join(',')), messages: messages.length });

let pathCounter = 0;
const newPath = (prefix = 's') => `${prefix}-${Date.now()}-${++pathCounter}`;

function createReq(ownerId: string, path: string, over: Partial<CreateRequest> = {}): CreateRequest {
  return { ownerId, path, contentType: 'text/plain', ttlSeconds: null, expiresAt: null, closed: false, initial: null, fork: null, ...over };
}

function appendReq(ownerId: string, path: string, text: string | null, over: Partial<AppendRequest> = {}): AppendRequest {
  return { ownerId, path, contentType: 'text/plain', payload: text === null ? null : bytes(text), close: false, streamSeq: null, producer: null, ...over };
}

async function readText(store: DsStore, ownerId: string, path: string, afterSeq = 0): Promise<string> {
  const r = await store.read({ ownerId, path, afterSeq, maxEntries: 10_000, maxBytes: 64 * 1024 * 1024, touch: false });
  if (r.kind !== 'ok') throw new Error(`read ${path}: ${r.kind}`);
  return r.entries.map((e) => dec.decode(e.data)).join('');
}

function nextChange(store: DsStore, streamId: string, tailSeq: number, timeoutMs = 3_000): Promise<DsChange> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for a change notification'));
    }, timeoutMs);
    const off = store.onChange((c) => {
      // Remote pointers for earlier commits may still be in flight; wait for this one.
      if (c.streamId !== streamId || c.tailSeq !== tailSeq) return;
      clearTimeout(timer);
      off();
      resolve(c);
    });
  });
}

/** ONE contract for every Durable Streams store adapter (memory, PGlite, Postgres). */
export function dsStoreContract(name: string, makeFixture: () => Promise<DsStoreFixture>) {
  describe(`ds store contract: ${name}`, () => {
    let fx: DsStoreFixture;
    let owner: string;
    beforeAll(async () => {
      fx = await makeFixture();
      owner = await fx.newOwner();
    });
    afterAll(async () => {
      await fx?.cleanup();
    });

    it('create is idempotent for the same configuration and conflicts otherwise', async () => {
      const path = newPath();
      const a = await fx.store.create(createReq(owner, path, { ttlSeconds: 3600, initial: bytes('hi') }));
      expect(a.kind).toBe('created');
      if (a.kind !== 'created') return;
      expect(a.stream).toMatchObject({ path, contentType: 'text/plain', tailSeq: 1, closed: false, ttlSeconds: 3600, expiresAt: null });
      expect((await fx.store.create(createReq(owner, path, { ttlSeconds: 3600 }))).kind).toBe('exists');
      expect((await fx.store.create(createReq(owner, path, { ttlSeconds: 7200 }))).kind).toBe('conflict');
      expect((await fx.store.create(createReq(owner, path, { contentType: 'application/json', ttlSeconds: 3600 }))).kind).toBe('conflict');
    });

    it('streams are per owner: another owner sees nothing at the same path', async () => {
      const path = newPath();
      const other = await fx.newOwner();
      await fx.store.create(createReq(owner, path, { initial: bytes('mine') }));
      expect((await fx.store.head(other, path)).kind).toBe('not_found');
      expect((await fx.store.create(createReq(other, path, { initial: bytes('theirs') }))).kind).toBe('created');
      expect(await readText(fx.store, owner, path)).toBe('mine');
      expect(await readText(fx.store, other, path)).toBe('theirs');
    });

    it('appends get seq 1, 2, 3… with no gaps under concurrent writers (and peers)', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      const writers = [fx.store];
      if (fx.peer) writers.push(await fx.peer());
      const results = await Promise.all(Array.from({ length: 30 }, (_, i) => writers[i % writers.length]!.append(appendReq(owner, path, `<${i}>`))));
      const seqs = results.map((r) => (r.kind === 'appended' ? r.stream.tailSeq : -1)).sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      const text = await readText(fx.store, owner, path);
      for (let i = 0; i < 30; i++) expect(text).toContain(`<${i}>`);
    });

    it('read pages by entries and bytes, returns at least one entry, and reads from an offset', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      for (const t of ['aaaa', 'bbbb', 'cccc', 'dddd']) await fx.store.append(appendReq(owner, path, t));
      const byCount = await fx.store.read({ ownerId: owner, path, afterSeq: 1, maxEntries: 2, maxBytes: 1_000, touch: false });
      expect(byCount.kind === 'ok' && byCount.entries.map((e) => e.seq)).toEqual([2, 3]);
      const byBytes = await fx.store.read({ ownerId: owner, path, afterSeq: 0, maxEntries: 100, maxBytes: 6, touch: false });
      expect(byBytes.kind === 'ok' && byBytes.entries.map((e) => e.seq)).toEqual([1, 2]);
      const tiny = await fx.store.read({ ownerId: owner, path, afterSeq: 0, maxEntries: 100, maxBytes: 1, touch: false });
      expect(tiny.kind === 'ok' && tiny.entries.length).toBe(1);
      const tail = await fx.store.read({ ownerId: owner, path, afterSeq: 'tail', maxEntries: 100, maxBytes: 1_000, touch: true });
      expect(tail.kind === 'ok' && [tail.entries.length, tail.stream.tailSeq]).toEqual([0, 4]);
      expect(await readText(fx.store, owner, path, 2)).toBe('ccccdddd');
    });

    it('binary data round-trips byte for byte', async () => {
      const path = newPath();
      const data = new Uint8Array([0, 1, 2, 127, 128, 254, 255, 10, 13]);
      await fx.store.create(createReq(owner, path, { contentType: 'application/octet-stream', initial: { data, messages: 1 } }));
      const r = await fx.store.read({ ownerId: owner, path, afterSeq: 0, maxEntries: 10, maxBytes: 1_000, touch: false });
      expect(r.kind === 'ok' && Array.from(r.entries[0]!.data)).toEqual(Array.from(data));
    });

    it('rejects a content-type mismatch and a Stream-Seq that does not advance byte-wise', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      expect(await fx.store.append(appendReq(owner, path, 'x', { contentType: 'application/json' }))).toEqual({ kind: 'content_type_mismatch', streamContentType: 'text/plain' });
      expect((await fx.store.append(appendReq(owner, path, 'a', { streamSeq: '2' }))).kind).toBe('appended');
      expect((await fx.store.append(appendReq(owner, path, 'b', { streamSeq: '10' }))).kind).toBe('stream_seq_conflict');
      expect((await fx.store.append(appendReq(owner, path, 'c', { streamSeq: '2' }))).kind).toBe('stream_seq_conflict');
      expect((await fx.store.append(appendReq(owner, path, 'd', { streamSeq: '3' }))).kind).toBe('appended');
    });

    it('concurrent appends with the same Stream-Seq: exactly one wins', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => fx.store.append(appendReq(owner, path, `w${i}`, { streamSeq: 'seq-1' }))));
      expect(results.filter((r) => r.kind === 'appended')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'stream_seq_conflict')).toHaveLength(5);
    });

    it('producers: duplicates, gaps, epoch bumps and zombie fencing', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      const send = (epoch: number, seq: number, text = `e${epoch}s${seq}`) => fx.store.append(appendReq(owner, path, text, { producer: { id: 'coach', epoch, seq } }));
      expect((await send(0, 0)).kind).toBe('appended');
      expect((await send(0, 1)).kind).toBe('appended');
      expect(await send(0, 0)).toMatchObject({ kind: 'duplicate', epoch: 0, highestSeq: 1 });
      expect(await send(0, 3)).toEqual({ kind: 'seq_gap', expected: 2, received: 3 });
      expect(await send(1, 4)).toEqual({ kind: 'bad_epoch_seq' });
      expect((await send(1, 0)).kind).toBe('appended');
      // The old instance (epoch 0) is a zombie now.
      expect(await send(0, 2)).toEqual({ kind: 'stale_epoch', currentEpoch: 1 });
      expect(await fx.store.append(appendReq(owner, path, 'x', { producer: { id: 'fresh', epoch: 0, seq: 5 } }))).toEqual({ kind: 'seq_gap', expected: 0, received: 5 });
      expect(await readText(fx.store, owner, path)).toBe('e0s0e0s1e1s0');
    });

    it('producers: racing retries of one batch append it exactly once', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      const writers = [fx.store];
      if (fx.peer) writers.push(await fx.peer());
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => writers[i % writers.length]!.append(appendReq(owner, path, 'once', { producer: { id: 'p', epoch: 0, seq: 0 } }))),
      );
      expect(results.filter((r) => r.kind === 'appended')).toHaveLength(1);
      expect(results.filter((r) => r.kind === 'duplicate')).toHaveLength(7);
      expect(await readText(fx.store, owner, path)).toBe('once');
    });

    it('close: final append and close are atomic; later appends are rejected; close-only is idempotent', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      const closed = await fx.store.append(appendReq(owner, path, 'last', { close: true }));
      expect(closed).toMatchObject({ kind: 'appended', stream: { closed: true, tailSeq: 1 } });
      expect(await fx.store.append(appendReq(owner, path, 'more'))).toMatchObject({ kind: 'closed', stream: { tailSeq: 1 } });
      expect(await fx.store.append(appendReq(owner, path, null, { close: true, contentType: null }))).toMatchObject({ kind: 'appended', stream: { closed: true } });
      const created = await fx.store.create(createReq(owner, newPath(), { closed: true, initial: bytes('x') }));
      expect(created).toMatchObject({ kind: 'created', stream: { closed: true, tailSeq: 1 } });
    });

    it('close with producer headers: the same tuple is a duplicate, another gets closed', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path));
      const claim = { id: 'p', epoch: 0, seq: 0 };
      expect((await fx.store.append(appendReq(owner, path, 'A', { close: true, producer: claim }))).kind).toBe('appended');
      expect(await fx.store.append(appendReq(owner, path, 'B', { close: true, producer: claim }))).toMatchObject({ kind: 'duplicate', stream: { closed: true } });
      expect((await fx.store.append(appendReq(owner, path, 'C', { close: true, producer: { id: 'p', epoch: 0, seq: 1 } }))).kind).toBe('closed');
      expect((await fx.store.append(appendReq(owner, path, 'D', { close: true, producer: { id: 'q', epoch: 0, seq: 0 } }))).kind).toBe('closed');
      expect(await readText(fx.store, owner, path)).toBe('A');
    });

    it('JSON entries keep their message counts', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path, { contentType: 'application/json', initial: json({ a: 1 }, { b: 2 }) }));
      await fx.store.append(appendReq(owner, path, null, { contentType: 'application/json', payload: json([1, 2]) }));
      const r = await fx.store.read({ ownerId: owner, path, afterSeq: 0, maxEntries: 10, maxBytes: 1_000, touch: false });
      expect(r.kind === 'ok' && r.entries.map((e) => [e.messages, dec.decode(e.data)])).toEqual([
        [2, '{"a":1},{"b":2}'],
        [1, '[1,2]'],
      ]);
    });

    it('fork: inherits a prefix (at head by default), then diverges from its source', async () => {
      const src = newPath('src');
      await fx.store.create(createReq(owner, src, { initial: bytes('A') }));
      await fx.store.append(appendReq(owner, src, 'B'));
      const atHead = newPath('fork');
      expect(await fx.store.create(createReq(owner, atHead, { contentType: null, fork: { sourcePath: src, seq: null, subOffset: 0 } }))).toMatchObject({
        kind: 'created',
        stream: { tailSeq: 2, contentType: 'text/plain' },
      });
      const atOne = newPath('fork');
      await fx.store.create(createReq(owner, atOne, { fork: { sourcePath: src, seq: 1, subOffset: 0 }, initial: bytes('x') }));
      await fx.store.append(appendReq(owner, src, 'C'));
      await fx.store.append(appendReq(owner, atHead, 'F'));
      expect(await readText(fx.store, owner, src)).toBe('ABC');
      expect(await readText(fx.store, owner, atHead)).toBe('ABF');
      expect(await readText(fx.store, owner, atOne)).toBe('Ax');
      // Offsets are shared with the source: reading the fork past the fork point shows only its own data.
      expect(await readText(fx.store, owner, atHead, 2)).toBe('F');
      // A second level forks the fork.
      const level2 = newPath('fork2');
      await fx.store.create(createReq(owner, level2, { fork: { sourcePath: atHead, seq: null, subOffset: 0 } }));
      expect(await readText(fx.store, owner, level2)).toBe('ABF');
    });

    it('fork: sub-offsets cut bytes or JSON messages of the next append, and are validated', async () => {
      const bin = newPath('src');
      await fx.store.create(createReq(owner, bin, { initial: bytes('hello') }));
      const f = newPath('fork');
      expect((await fx.store.create(createReq(owner, f, { fork: { sourcePath: bin, seq: 0, subOffset: 3 }, initial: bytes('XY') }))).kind).toBe('created');
      expect(await readText(fx.store, owner, f)).toBe('helXY');
      expect((await fx.store.create(createReq(owner, f, { fork: { sourcePath: bin, seq: 0, subOffset: 3 } }))).kind).toBe('exists');
      expect((await fx.store.create(createReq(owner, f, { fork: { sourcePath: bin, seq: 0, subOffset: 2 } }))).kind).toBe('conflict');
      expect((await fx.store.create(createReq(owner, newPath(), { fork: { sourcePath: bin, seq: 0, subOffset: 6 } }))).kind).toBe('invalid_fork');
      expect((await fx.store.create(createReq(owner, newPath(), { fork: { sourcePath: bin, seq: 1, subOffset: 1 } }))).kind).toBe('invalid_fork');
      expect((await fx.store.create(createReq(owner, newPath(), { fork: { sourcePath: bin, seq: 2, subOffset: 0 } }))).kind).toBe('invalid_fork');

      const js = newPath('src');
      await fx.store.create(createReq(owner, js, { contentType: 'application/json', initial: json({ a: 1 }, { b: 2 }, { c: 3 }) }));
      const jf = newPath('fork');
      await fx.store.create(createReq(owner, jf, { contentType: null, fork: { sourcePath: js, seq: 0, subOffset: 2 } }));
      const r = await fx.store.read({ ownerId: owner, path: jf, afterSeq: 0, maxEntries: 10, maxBytes: 1_000, touch: false });
      expect(r.kind === 'ok' && r.entries.map((e) => [e.messages, dec.decode(e.data)])).toEqual([[2, '{"a":1},{"b":2}']]);
      expect((await fx.store.create(createReq(owner, newPath(), { contentType: null, fork: { sourcePath: js, seq: 0, subOffset: 4 } }))).kind).toBe('invalid_fork');
    });

    it('fork: missing or mismatched sources are refused', async () => {
      expect((await fx.store.create(createReq(owner, newPath(), { fork: { sourcePath: newPath('nope'), seq: null, subOffset: 0 } }))).kind).toBe('source_not_found');
      const src = newPath('src');
      await fx.store.create(createReq(owner, src));
      expect((await fx.store.create(createReq(owner, newPath(), { contentType: 'application/json', fork: { sourcePath: src, seq: null, subOffset: 0 } }))).kind).toBe('conflict');
    });

    it('delete: soft while forks exist (gone, path blocked), cascading GC when the last fork goes', async () => {
      const l0 = newPath('l0');
      const l1 = newPath('l1');
      const l2 = newPath('l2');
      await fx.store.create(createReq(owner, l0, { initial: bytes('A') }));
      await fx.store.create(createReq(owner, l1, { fork: { sourcePath: l0, seq: null, subOffset: 0 } }));
      await fx.store.create(createReq(owner, l2, { fork: { sourcePath: l1, seq: null, subOffset: 0 } }));
      expect((await fx.store.delete(owner, l0)).kind).toBe('soft_deleted');
      expect((await fx.store.delete(owner, l1)).kind).toBe('soft_deleted');
      expect((await fx.store.head(owner, l0)).kind).toBe('gone');
      expect((await fx.store.delete(owner, l0)).kind).toBe('gone');
      expect((await fx.store.append(appendReq(owner, l0, 'x'))).kind).toBe('gone');
      expect((await fx.store.read({ ownerId: owner, path: l0, afterSeq: 0, maxEntries: 1, maxBytes: 1, touch: true })).kind).toBe('gone');
      expect((await fx.store.create(createReq(owner, l0))).kind).toBe('conflict');
      expect((await fx.store.create(createReq(owner, newPath(), { fork: { sourcePath: l0, seq: null, subOffset: 0 } }))).kind).toBe('source_gone');
      expect(await readText(fx.store, owner, l2)).toBe('A');
      expect((await fx.store.delete(owner, l2)).kind).toBe('deleted');
      expect((await fx.store.head(owner, l2)).kind).toBe('not_found');
      expect((await fx.store.head(owner, l1)).kind).toBe('not_found');
      expect((await fx.store.head(owner, l0)).kind).toBe('not_found');
      // The path is free again, for a brand-new stream.
      expect(await fx.store.create(createReq(owner, l0))).toMatchObject({ kind: 'created', stream: { tailSeq: 0 } });
    });

    it('delete without forks frees the path at once', async () => {
      const path = newPath();
      await fx.store.create(createReq(owner, path, { initial: bytes('old') }));
      expect((await fx.store.delete(owner, path)).kind).toBe('deleted');
      expect((await fx.store.delete(owner, path)).kind).toBe('not_found');
      await fx.store.create(createReq(owner, path, { initial: bytes('new') }));
      expect(await readText(fx.store, owner, path)).toBe('new');
    });

    it('TTL slides on reads and writes but not on head; Expires-At is absolute; expired streams are gone', async () => {
      const ttl = newPath('ttl');
      const abs = newPath('abs');
      await fx.store.create(createReq(owner, ttl, { ttlSeconds: 1 }));
      await fx.store.create(createReq(owner, abs, { expiresAt: new Date(Date.now() + 1_000) }));
      await new Promise((r) => setTimeout(r, 600));
      await fx.store.append(appendReq(owner, ttl, 'keep'));
      await fx.store.read({ ownerId: owner, path: abs, afterSeq: 0, maxEntries: 1, maxBytes: 1, touch: true });
      await new Promise((r) => setTimeout(r, 600));
      expect((await fx.store.head(owner, ttl)).kind).toBe('ok');
      expect((await fx.store.head(owner, abs)).kind).toBe('not_found');
      await new Promise((r) => setTimeout(r, 1_100));
      expect((await fx.store.head(owner, ttl)).kind).toBe('not_found');
      expect((await fx.store.append(appendReq(owner, ttl, 'late'))).kind).toBe('not_found');
      expect((await fx.store.create(createReq(owner, ttl))).kind).toBe('created');
    });

    it('sweepExpired removes expired streams', async () => {
      const path = newPath('sweep');
      await fx.store.create(createReq(owner, path, { expiresAt: new Date(Date.now() + 200) }));
      await new Promise((r) => setTimeout(r, 400));
      expect(await fx.store.sweepExpired()).toBeGreaterThanOrEqual(1);
      expect((await fx.store.head(owner, path)).kind).toBe('not_found');
    });

    it('concurrent appends to several streams are all acknowledged, gap-free, each answer its own entry', async () => {
      const paths = [newPath('gc'), newPath('gc'), newPath('gc')];
      for (const p of paths) await fx.store.create(createReq(owner, p));
      const writes = paths.flatMap((p) => Array.from({ length: 20 }, (_, i) => ({ p, text: `${p}#${i};` })));
      const outcomes = await Promise.all(writes.map((w) => fx.store.append(appendReq(owner, w.p, w.text))));
      for (const p of paths) {
        const mine = outcomes.filter((_, i) => writes[i]!.p === p);
        const seqs = mine.map((o) => (o.kind === 'appended' ? o.stream.tailSeq : -1));
        expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        // Each caller's offset is where its own bytes were stored.
        const r = await fx.store.read({ ownerId: owner, path: p, afterSeq: 0, maxEntries: 100, maxBytes: 1 << 20, touch: false });
        if (r.kind !== 'ok') throw new Error(r.kind);
        const bySeq = new Map(r.entries.map((e) => [e.seq, dec.decode(e.data)]));
        const texts = writes.filter((w) => w.p === p).map((w) => w.text);
        seqs.forEach((seq, k) => expect(bySeq.get(seq)).toBe(texts[k]));
        expect(r.entries.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      }
    });

    it('usage counts streams and stored bytes, from every kind of write and inherited by forks', async () => {
      const o = await fx.newOwner();
      const path = newPath('usage');
      await fx.store.create(createReq(o, path, { initial: bytes('abc') }));
      await fx.store.append(appendReq(o, path, 'de'));
      await Promise.all([fx.store.append(appendReq(o, path, 'f')), fx.store.append(appendReq(o, path, 'gh', { producer: { id: 'p', epoch: 0, seq: 0 } }))]);
      expect(await fx.store.usage(o)).toEqual({ streams: 1, bytes: 8 });
      await fx.store.create(createReq(o, newPath('usage-fork'), { fork: { sourcePath: path, seq: 2, subOffset: 0 }, initial: bytes('x') }));
      expect(await fx.store.usage(o)).toEqual({ streams: 2, bytes: 8 + 5 + 1 });
    });

    it('an append past the owner byte quota is refused and stores nothing; concurrent ones never pass it together', async () => {
      const o = await fx.newOwner();
      const path = newPath('quota');
      await fx.store.create(createReq(o, path, { initial: bytes('12345') }));
      expect((await fx.store.append(appendReq(o, path, '678', { maxOwnerBytes: 8 }))).kind).toBe('appended');
      expect(await fx.store.append(appendReq(o, path, '9', { maxOwnerBytes: 8 }))).toEqual({ kind: 'quota_exceeded', usedBytes: 8 });
      const together = await Promise.all(['a', 'b', 'c', 'd'].map((t) => fx.store.append(appendReq(o, path, t, { maxOwnerBytes: 10 }))));
      expect(together.filter((r) => r.kind === 'appended')).toHaveLength(2);
      expect(together.filter((r) => r.kind === 'quota_exceeded')).toHaveLength(2);
      expect(await fx.store.usage(o)).toEqual({ streams: 1, bytes: 10 });
      // A close-only request carries no bytes and is never refused for the quota.
      expect((await fx.store.append(appendReq(o, path, null, { close: true, contentType: null, maxOwnerBytes: 10 }))).kind).toBe('appended');
    });

    it('an append named by an API key goes to the live key’s account, checked in its own commit; an unknown or revoked key is invalid_key', async () => {
      const o = await fx.newOwner();
      const other = await fx.newOwner();
      const path = newPath('bykey');
      await fx.store.create(createReq(o, path));
      await fx.store.create(createReq(other, path, { initial: bytes('theirs;') }));
      const key = await fx.newKey(o);
      const byKey = (text: string | null, over: Partial<AppendRequest> = {}) => appendReq('', path, text, { apiKeyHash: key, ...over });
      // Plain appends (grouped), and one with more to check (a producer), in one batch.
      const together = await Promise.all([byKey('a;'), byKey('b;'), byKey('c;', { producer: { id: 'p', epoch: 0, seq: 0 } })].map((r) => fx.store.append(r)));
      expect(together.map((r) => r.kind)).toEqual(['appended', 'appended', 'appended']);
      expect((await readText(fx.store, o, path)).split(';').sort()).toEqual(['', 'a', 'b', 'c']);
      expect(await readText(fx.store, other, path)).toBe('theirs;');
      // Outcomes other than success are judged for the key's account, quota included.
      expect(await fx.store.append(byKey('x', { contentType: 'application/json' }))).toEqual({ kind: 'content_type_mismatch', streamContentType: 'text/plain' });
      expect((await fx.store.append(appendReq('', newPath('missing'), 'x', { apiKeyHash: key }))).kind).toBe('not_found');
      expect(await fx.store.append(byKey('12345', { maxOwnerBytes: 8 }))).toEqual({ kind: 'quota_exceeded', usedBytes: 6 });
      // An unknown key and, from the next request on, a revoked one write nothing, plain or checked.
      expect(await fx.store.append(byKey('u;', { apiKeyHash: 'f'.repeat(64) }))).toEqual({ kind: 'invalid_key' });
      await fx.store.append(byKey('last;'));
      await fx.revokeKey(key);
      const revoked = await Promise.all(
        [byKey('r1;'), byKey('r2;'), byKey('r3;', { producer: { id: 'p', epoch: 0, seq: 1 } }), byKey(null, { close: true, contentType: null })].map((r) => fx.store.append(r)),
      );
      expect(revoked).toEqual([{ kind: 'invalid_key' }, { kind: 'invalid_key' }, { kind: 'invalid_key' }, { kind: 'invalid_key' }]);
      expect((await readText(fx.store, o, path)).split(';').sort()).toEqual(['', 'a', 'b', 'c', 'last']);
      const head = await fx.store.head(o, path);
      expect(head.kind === 'ok' && head.stream.closed).toBe(false);
    });

    it('concurrent producer appends keep their order and fencing', async () => {
      const path = newPath('gcp');
      await fx.store.create(createReq(owner, path));
      const producer = (seq: number) => ({ producer: { id: 'p1', epoch: 0, seq } });
      // Submitted together, in order: each is judged against the state its predecessors left.
      const outcomes = await Promise.all([0, 1, 2, 2, 4].map((seq) => fx.store.append(appendReq(owner, path, `${seq};`, producer(seq)))));
      expect(outcomes.map((o) => o.kind)).toEqual(['appended', 'appended', 'appended', 'duplicate', 'seq_gap']);
      expect(await readText(fx.store, owner, path)).toBe('0;1;2;');
    });

    it('announces every tail change, to peers as well', async () => {
      const path = newPath();
      const created = await fx.store.create(createReq(owner, path));
      if (created.kind !== 'created') throw new Error(created.kind);
      const id = created.stream.id;
      const local = nextChange(fx.store, id, 1);
      await fx.store.append(appendReq(owner, path, 'x'));
      expect(await local).toMatchObject({ streamId: id, tailSeq: 1 });
      if (fx.peer) {
        const peer = await fx.peer();
        const remote = nextChange(peer, id, 2);
        await fx.store.append(appendReq(owner, path, 'y'));
        expect(await remote).toMatchObject({ streamId: id, tailSeq: 2 });
      }
      const deleted = nextChange(fx.store, id, -1);
      await fx.store.delete(owner, path);
      expect(await deleted).toEqual({ streamId: id, tailSeq: -1 });
    });
  });
}
