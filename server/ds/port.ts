import type {
  AppendOutcome,
  AppendRequest,
  CreateOutcome,
  CreateRequest,
  DeleteOutcome,
  DsChange,
  DsUsage,
  HeadOutcome,
  ReadOutcome,
  ReadRequest,
} from './types.ts';

/**
 * The Durable Streams store port. Adapters: memory (reference semantics) and SQL
 * (PostgreSQL and PGlite); both pass test/contract/ds-store.contract.ts.
 *
 * Streams are keyed by (owner, path). Expired streams read as not found and are purged
 * lazily and by `sweepExpired`.
 */
export interface DsStore {
  create(req: CreateRequest): Promise<CreateOutcome>;
  /** Validation (closure, content type, Stream-Seq, producer fencing), counter bump and insert are atomic. */
  append(req: AppendRequest): Promise<AppendOutcome>;
  read(req: ReadRequest): Promise<ReadOutcome>;
  head(ownerId: string, path: string): Promise<HeadOutcome>;
  /** Soft-deletes while forks exist; the last fork's removal garbage-collects it. */
  delete(ownerId: string, path: string): Promise<DeleteOutcome>;
  /** What an account holds: its streams (soft-deleted ones too: they still occupy storage) and their bytes. */
  usage(ownerId: string): Promise<DsUsage>;
  /** Removes expired streams; returns how many. */
  sweepExpired(): Promise<number>;
  /** Local and remote tail changes (pointers only; readers re-read). */
  onChange(listener: (change: DsChange) => void): () => void;
  /** The change feed was interrupted: every live reader must re-read. */
  onResync(listener: () => void): () => void;
  close(): Promise<void>;
}
