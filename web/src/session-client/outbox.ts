// User messages not yet seen in the log, persisted per session so a reload while offline keeps them.
//
// Each entry's clientMessageId is generated once and reused on every retry, so the server can
// deduplicate (SL5). An entry leaves only when the log's user.message with its id arrives.
// Every change re-reads storage first, so two tabs on one session do not drop each other's entries.

export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface OutboxEntry {
  clientMessageId: string;
  text: string;
  /** Epoch ms when the user sent it. */
  queuedAt: number;
}

export const OUTBOX_KEY_PREFIX = 'focus-coach:outbox:';

export function outboxKey(sessionId: string): string {
  return OUTBOX_KEY_PREFIX + sessionId;
}

export interface OutboxOptions {
  sessionId: string;
  /** null: memory only (e.g. storage disabled). */
  storage: StorageLike | null;
  uuid?: () => string;
  now?: () => number;
}

function isEntry(v: unknown): v is OutboxEntry {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return typeof e.clientMessageId === 'string' && e.clientMessageId !== '' && typeof e.text === 'string' && typeof e.queuedAt === 'number';
}

export class Outbox {
  private readonly key: string;
  private readonly storage: StorageLike | null;
  private readonly uuid: () => string;
  private readonly now: () => number;
  /** Memory copy; the source of truth when storage fails. */
  private entries: OutboxEntry[];
  /** The last write failed: memory holds entries storage lacks, so memory wins. */
  private unsaved = false;

  constructor(opts: OutboxOptions) {
    this.key = outboxKey(opts.sessionId);
    this.storage = opts.storage;
    this.uuid = opts.uuid ?? (() => crypto.randomUUID());
    this.now = opts.now ?? Date.now;
    this.entries = this.read() ?? [];
  }

  /** Queued entries, oldest first. */
  list(): readonly OutboxEntry[] {
    return this.entries;
  }

  get size(): number {
    return this.entries.length;
  }

  has(clientMessageId: string): boolean {
    return this.entries.some((e) => e.clientMessageId === clientMessageId);
  }

  /** Picks up entries another tab (or an earlier page) wrote. */
  reload(): readonly OutboxEntry[] {
    const stored = this.unsaved ? null : this.read();
    if (stored) this.entries = stored;
    return this.entries;
  }

  enqueue(text: string): OutboxEntry {
    const entry: OutboxEntry = { clientMessageId: this.uuid(), text, queuedAt: this.now() };
    this.update((list) => [...list, entry]);
    return entry;
  }

  /** Returns true if it was queued. */
  remove(clientMessageId: string): boolean {
    const had = this.has(clientMessageId);
    this.update((list) => list.filter((e) => e.clientMessageId !== clientMessageId));
    return had;
  }

  private update(change: (list: OutboxEntry[]) => OutboxEntry[]): void {
    const base = this.unsaved ? this.entries : (this.read() ?? this.entries);
    this.entries = change(base);
    this.write();
  }

  private read(): OutboxEntry[] | null {
    if (!this.storage) return null;
    let raw: string | null;
    try {
      raw = this.storage.getItem(this.key);
    } catch {
      return null;
    }
    if (raw === null) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed) ? parsed.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  private write(): void {
    if (!this.storage) return;
    try {
      if (this.entries.length === 0) this.storage.removeItem(this.key);
      else this.storage.setItem(this.key, JSON.stringify(this.entries));
      this.unsaved = false;
    } catch {
      this.unsaved = true;
      // Quota or privacy mode: the memory copy still delivers them while the page lives.
    }
  }
}
