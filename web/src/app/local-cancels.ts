// Which answers this device asked to stop, so that a cancel.requested it did not send can be
// shown as "Stopped from another device". Kept in localStorage per session (a reload is still
// this device), capped, and in memory when storage is unavailable.

import { defaultStorage } from '../session-client/environment.ts';
import type { StorageLike } from '../session-client/outbox.ts';

const KEY_PREFIX = 'focus-coach:stopped-here:';
const MAX_IDS = 50;

export class LocalCancels {
  private readonly ids: string[];
  private readonly key: string;

  constructor(
    sessionId: string,
    private readonly storage: StorageLike | null = defaultStorage(),
  ) {
    this.key = KEY_PREFIX + sessionId;
    this.ids = this.read();
  }

  add(messageId: string): void {
    if (this.ids.includes(messageId)) return;
    this.ids.push(messageId);
    if (this.ids.length > MAX_IDS) this.ids.splice(0, this.ids.length - MAX_IDS);
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.ids));
    } catch {
      // memory only
    }
  }

  has(messageId: string): boolean {
    return this.ids.includes(messageId);
  }

  private read(): string[] {
    try {
      const v: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '[]');
      return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string').slice(-MAX_IDS) : [];
    } catch {
      return [];
    }
  }
}
