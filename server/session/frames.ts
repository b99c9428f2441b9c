import type { SessionEvent } from './types.ts';

/**
 * The wire text of events (the `event` and `events` frames). An event read from the SQL log
 * carries its stored JSON text (`data::text`) and its commit time already formatted, so
 * its frame is concatenated from those strings: a replay of 10,000 events does not
 * re-serialize their data. Any other event is serialized once and cached — the hub hands
 * the same object to every subscriber of a session.
 */
const frames = new WeakMap<SessionEvent, string>();
/** `"type"` as JSON, per event type (a handful of values). */
const typeJson = new Map<string, string>();

function quotedType(type: string): string {
  let q = typeJson.get(type);
  if (q === undefined) typeJson.set(type, (q = JSON.stringify(type)));
  return q;
}

/**
 * An event read from stored text: `dataText` is JSON (a jsonb column's text), `at` the ISO
 * time (no characters JSON would escape). Its frame is that text, concatenated, and its
 * `data` is parsed only when something reads it: a replay sends frames, so parsing 10,000
 * objects (and collecting them) would be work nobody uses. `data` is an own enumerable
 * accessor, so the event still compares, spreads and serializes like a plain SessionEvent;
 * the rest lives in private fields, which are not keys. A class rather than WeakMap
 * entries: 10,000 WeakMap keys per replay cost more in GC than the work they save.
 */
class StoredEvent implements SessionEvent {
  readonly #frame: string;
  readonly #dataText: string;
  #data: Record<string, unknown> | undefined;
  declare data: Record<string, unknown>;

  constructor(
    readonly seq: number,
    readonly type: string,
    readonly at: string,
    dataText: string,
  ) {
    this.#dataText = dataText;
    this.#frame = `{"seq":${seq},"type":${quotedType(type)},"at":"${at}","data":${dataText}}`;
    Object.defineProperty(this, 'data', LAZY_DATA);
  }

  static frameOf(e: SessionEvent): string | undefined {
    return #frame in e ? (e as StoredEvent).#frame : undefined;
  }

  static dataOf(e: StoredEvent): Record<string, unknown> {
    return (e.#data ??= JSON.parse(e.#dataText) as Record<string, unknown>);
  }

  static setData(e: StoredEvent, data: Record<string, unknown>): void {
    e.#data = data;
  }
}

/** One descriptor shared by every stored event, so they all keep one object shape. */
const LAZY_DATA: PropertyDescriptor = {
  get(this: StoredEvent) {
    return StoredEvent.dataOf(this);
  },
  set(this: StoredEvent, data: Record<string, unknown>) {
    StoredEvent.setData(this, data);
  },
  enumerable: true,
  configurable: true,
};

export function storedEvent(seq: number, type: string, at: string, dataText: string): SessionEvent {
  return new StoredEvent(seq, type, at, dataText);
}

/** The JSON text of one event frame. */
export function eventFrame(e: SessionEvent): string {
  let f = StoredEvent.frameOf(e) ?? frames.get(e);
  if (f === undefined) frames.set(e, (f = JSON.stringify(e)));
  return f;
}

/**
 * The `events` frame of a replay batch. Replayed events are sent once, so their
 * serialization (when not stored text) is not cached.
 */
export function eventsFrame(events: readonly SessionEvent[]): string {
  let out = '{"type":"events","events":[';
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    if (i > 0) out += ',';
    out += StoredEvent.frameOf(e) ?? frames.get(e) ?? JSON.stringify(e);
  }
  return `${out}]}`;
}
