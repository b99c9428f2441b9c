// Chat actions shared by the composer, the keyboard shortcut and the message rows.

import type { SessionClient } from '../session-client/session-client.ts';
import { LocalCancels } from './local-cancels.ts';

const cancelsByClient = new WeakMap<SessionClient, LocalCancels>();

/** The answers this device stopped, for one client's session. */
export function localCancels(client: SessionClient): LocalCancels {
  let c = cancelsByClient.get(client);
  if (!c) cancelsByClient.set(client, (c = new LocalCancels(client.sessionId)));
  return c;
}

/** Stops the streaming answer (remembering that this device asked). Returns false if nothing streams. */
export function stopAnswer(client: SessionClient): boolean {
  const id = client.getSnapshot().transcript.activeMessageId;
  if (id === null) return false;
  localCancels(client).add(id);
  client.cancel();
  return true;
}

export const CONTINUE_TEXT = 'Please continue.';

/** The text of the last user message before `messageId` (for Retry). */
export function userTextBefore(client: SessionClient, messageId: string): string | null {
  const { messages } = client.getSnapshot().transcript;
  const i = messages.findIndex((m) => m.id === messageId);
  const before = i < 0 ? messages : messages.slice(0, i);
  const m = before.findLast((x) => x.kind === 'user');
  return m?.kind === 'user' ? m.text : null;
}
