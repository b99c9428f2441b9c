import { randomUUID } from 'node:crypto';
import { DEFAULT_CONTENT_TYPE } from './content-type.ts';
import { configMatches, cutSubOffset } from './create-rules.ts';
import type { DsStore } from './port.ts';
import { judgeProducer, streamSeqAdvances, type ProducerState } from './producer.ts';
import type {
  AppendOutcome,
  AppendRequest,
  CreateOutcome,
  CreateRequest,
  DeleteOutcome,
  DsChange,
  DsUsage,
  DsEntry,
  DsStreamInfo,
  HeadOutcome,
  ReadOutcome,
  ReadRequest,
} from './types.ts';

interface MemStream {
  id: string;
  ownerId: string;
  path: string;
  contentType: string;
  ttlSeconds: number | null;
  expiresAtMs: number | null;
  touchedAtMs: number;
  closed: boolean;
  lastStreamSeq: string | null;
  producers: Map<string, ProducerState>;
  forkedFromId: string | null;
  forkSourcePath: string | null;
  forkSeq: number | null;
  forkSubOffset: number | null;
  deleted: boolean;
  entries: DsEntry[];
}

const keyOf = (ownerId: string, path: string) => `${ownerId}\u0000${path}`;

/**
 * In-process adapter: the reference semantics for the contract suite. Each method runs
 * to completion without awaiting in the middle, which makes it as atomic as one SQL statement.
 */
export class MemoryDsStore implements DsStore {
  private readonly byKey = new Map<string, MemStream>();
  private readonly changeListeners = new Set<(c: DsChange) => void>();

  constructor(
    private readonly now: () => number = Date.now,
    /** The account of a live API key, by the key's hash (the SQL adapters read the ApiKey table). */
    private readonly keyOwner: (keyHash: string) => string | undefined = () => undefined,
  ) {}

  private info(s: MemStream): DsStreamInfo {
    return {
      id: s.id,
      path: s.path,
      contentType: s.contentType,
      tailSeq: s.entries.length,
      closed: s.closed,
      ttlSeconds: s.ttlSeconds,
      expiresAt: s.expiresAtMs === null ? null : new Date(s.expiresAtMs).toISOString(),
    };
  }

  private expired(s: MemStream): boolean {
    const now = this.now();
    if (s.expiresAtMs !== null && s.expiresAtMs <= now) return true;
    return s.ttlSeconds !== null && s.touchedAtMs + s.ttlSeconds * 1000 <= now;
  }

  private changed(streamId: string, tailSeq: number) {
    queueMicrotask(() => {
      for (const l of this.changeListeners) {
        try {
          l({ streamId, tailSeq });
        } catch {
          // one listener's bug must not starve the others
        }
      }
    });
  }

  /** A live stream, or why there is none (expired ones are purged on sight). */
  private find(ownerId: string, path: string): MemStream | 'not_found' | 'gone' {
    const s = this.byKey.get(keyOf(ownerId, path));
    if (!s) return 'not_found';
    if (s.deleted) return 'gone';
    if (this.expired(s)) {
      this.purge(s);
      return 'not_found';
    }
    return s;
  }

  /** Hard delete; then a soft-deleted parent with no forks left goes too (cascading GC). */
  private purge(s: MemStream) {
    this.byKey.delete(keyOf(s.ownerId, s.path));
    this.changed(s.id, -1);
    for (const other of this.byKey.values()) if (other.forkedFromId === s.id) other.forkedFromId = null;
    const parent = s.forkedFromId ? [...this.byKey.values()].find((p) => p.id === s.forkedFromId) : undefined;
    if (parent && parent.deleted && !this.hasForks(parent)) this.purge(parent);
  }

  private hasForks(s: MemStream): boolean {
    for (const other of this.byKey.values()) if (other.forkedFromId === s.id) return true;
    return false;
  }

  async create(req: CreateRequest): Promise<CreateOutcome> {
    const existing = this.find(req.ownerId, req.path);
    if (existing === 'gone') return { kind: 'conflict', message: 'A deleted stream still occupies this path while forks of it exist' };
    if (existing !== 'not_found') {
      return configMatches(existing, req) ? { kind: 'exists', stream: this.info(existing) } : { kind: 'conflict', message: 'The stream exists with a different configuration' };
    }

    let contentType = req.contentType ?? DEFAULT_CONTENT_TYPE;
    let ttlSeconds = req.ttlSeconds;
    let expiresAtMs = req.expiresAt?.getTime() ?? null;
    let entries: DsEntry[] = [];
    let source: MemStream | null = null;
    let forkSeq: number | null = null;
    if (req.fork) {
      const found = this.find(req.ownerId, req.fork.sourcePath);
      if (found === 'not_found') return { kind: 'source_not_found' };
      if (found === 'gone') return { kind: 'source_gone' };
      source = found;
      if (req.contentType !== null && req.contentType !== source.contentType) {
        return { kind: 'conflict', message: 'A fork must have its source’s content type' };
      }
      contentType = source.contentType;
      forkSeq = req.fork.seq ?? source.entries.length;
      if (forkSeq > source.entries.length) return { kind: 'invalid_fork', message: 'Stream-Fork-Offset is beyond the source’s tail' };
      const cut = cutSubOffset(contentType, source.entries[forkSeq], req.fork.subOffset);
      if (!cut.ok) return { kind: 'invalid_fork', message: cut.message };
      entries = source.entries.slice(0, forkSeq).map((e) => ({ ...e }));
      if (cut.partial) entries.push({ seq: entries.length + 1, ...cut.partial });
      if (ttlSeconds === null && expiresAtMs === null) {
        ttlSeconds = source.ttlSeconds;
        expiresAtMs = source.expiresAtMs;
      }
    }
    if (req.initial) entries.push({ seq: entries.length + 1, ...req.initial });

    const s: MemStream = {
      id: randomUUID(),
      ownerId: req.ownerId,
      path: req.path,
      contentType,
      ttlSeconds,
      expiresAtMs,
      touchedAtMs: this.now(),
      closed: req.closed,
      lastStreamSeq: null,
      producers: new Map(),
      forkedFromId: source?.id ?? null,
      forkSourcePath: req.fork?.sourcePath ?? null,
      forkSeq,
      forkSubOffset: req.fork ? req.fork.subOffset : null,
      deleted: false,
      entries,
    };
    this.byKey.set(keyOf(s.ownerId, s.path), s);
    return { kind: 'created', stream: this.info(s) };
  }

  async append(req: AppendRequest): Promise<AppendOutcome> {
    const ownerId = req.apiKeyHash === undefined ? req.ownerId : this.keyOwner(req.apiKeyHash);
    if (ownerId === undefined) return { kind: 'invalid_key' };
    const s = this.find(ownerId, req.path);
    if (s === 'not_found') return { kind: 'not_found' };
    if (s === 'gone') return { kind: 'gone' };
    const closeOnly = req.payload === null;
    if (req.producer) {
      const verdict = judgeProducer(s.producers.get(req.producer.id), req.producer);
      if (verdict.kind === 'duplicate') return { kind: 'duplicate', stream: this.info(s), epoch: verdict.epoch, highestSeq: verdict.highestSeq };
      if (verdict.kind !== 'accept') return verdict;
    }
    if (s.closed && !(closeOnly && !req.producer)) return { kind: 'closed', stream: this.info(s) };
    if (!closeOnly && req.contentType !== s.contentType) return { kind: 'content_type_mismatch', streamContentType: s.contentType };
    if (req.streamSeq !== null && !streamSeqAdvances(s.lastStreamSeq, req.streamSeq)) return { kind: 'stream_seq_conflict' };
    if (req.payload && req.maxOwnerBytes !== undefined) {
      const used = this.bytesOf(ownerId);
      if (used + req.payload.data.length > req.maxOwnerBytes) return { kind: 'quota_exceeded', usedBytes: used };
    }

    if (req.payload) s.entries.push({ seq: s.entries.length + 1, ...req.payload });
    if (req.close) s.closed = true;
    if (req.streamSeq !== null) s.lastStreamSeq = req.streamSeq;
    if (req.producer) s.producers.set(req.producer.id, { epoch: req.producer.epoch, seq: req.producer.seq });
    s.touchedAtMs = this.now();
    this.changed(s.id, s.entries.length);
    return { kind: 'appended', stream: this.info(s) };
  }

  async read(req: ReadRequest): Promise<ReadOutcome> {
    const s = this.find(req.ownerId, req.path);
    if (s === 'not_found') return { kind: 'not_found' };
    if (s === 'gone') return { kind: 'gone' };
    if (req.touch && s.ttlSeconds !== null) s.touchedAtMs = this.now();
    const entries: DsEntry[] = [];
    if (req.afterSeq !== 'tail') {
      let bytes = 0;
      for (const e of s.entries.slice(Math.max(0, req.afterSeq), Math.max(0, req.afterSeq) + req.maxEntries)) {
        if (entries.length > 0 && bytes >= req.maxBytes) break;
        entries.push(e);
        bytes += e.data.length;
      }
    }
    return { kind: 'ok', stream: this.info(s), entries };
  }

  async usage(ownerId: string): Promise<DsUsage> {
    let streams = 0;
    for (const s of this.byKey.values()) if (s.ownerId === ownerId) streams++;
    return { streams, bytes: this.bytesOf(ownerId) };
  }

  private bytesOf(ownerId: string): number {
    let bytes = 0;
    for (const s of this.byKey.values()) if (s.ownerId === ownerId) for (const e of s.entries) bytes += e.data.length;
    return bytes;
  }

  async head(ownerId: string, path: string): Promise<HeadOutcome> {
    const s = this.find(ownerId, path);
    if (s === 'not_found') return { kind: 'not_found' };
    if (s === 'gone') return { kind: 'gone' };
    return { kind: 'ok', stream: this.info(s) };
  }

  async delete(ownerId: string, path: string): Promise<DeleteOutcome> {
    const s = this.find(ownerId, path);
    if (s === 'not_found') return { kind: 'not_found' };
    if (s === 'gone') return { kind: 'gone' };
    if (this.hasForks(s)) {
      s.deleted = true;
      this.changed(s.id, -1);
      return { kind: 'soft_deleted' };
    }
    this.purge(s);
    return { kind: 'deleted' };
  }

  async sweepExpired(): Promise<number> {
    let n = 0;
    for (const s of [...this.byKey.values()]) {
      if (!s.deleted && this.byKey.has(keyOf(s.ownerId, s.path)) && this.expired(s)) {
        this.purge(s);
        n++;
      }
    }
    return n;
  }

  onChange(listener: (c: DsChange) => void) {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onResync(_listener: () => void) {
    // Nothing to lose in process.
    return () => {};
  }

  async close(): Promise<void> {
    this.changeListeners.clear();
  }
}
