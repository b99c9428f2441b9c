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

/** SL15: the coach answers the same message again, in place of this answer. No user message is added. */
export function retryAnswer(client: SessionClient, messageId: string): boolean {
  return client.requestTurn('retry', messageId) !== null;
}

/** SL15: the coach goes on with a stopped answer, in the same bubble. No user message is added. */
export function continueAnswer(client: SessionClient, messageId: string): boolean {
  return client.requestTurn('continue', messageId) !== null;
}

/** Which of Retry / Continue an answer offers: only the latest answer, once ended; Continue only if it did not complete. */
export function answerActions(m: { kind: string; status: string }, isLatestAnswer: boolean): { retry: boolean; continue: boolean } {
  if (m.kind !== 'assistant' || !isLatestAnswer || m.status === 'streaming') return { retry: false, continue: false };
  return { retry: true, continue: m.status !== 'complete' };
}
