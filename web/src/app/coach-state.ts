// What the coach is doing, derived on the client from the transcript (docs/protocol.md):
// thinking — an assistant.start arrived and no delta yet;
// writing  — deltas are arriving;
// stalled  — still streaming, but nothing new for STALLED_AFTER_MS;
// idle     — no answer is streaming.

import { useEffect, useState } from 'react';
import type { SessionClient } from '../session-client/session-client.ts';
import { useSessionSelector } from '../session-client/use-session.ts';

export const STALLED_AFTER_MS = 8_000;

export type CoachState = 'idle' | 'thinking' | 'writing' | 'stalled';

export function deriveCoachState(input: {
  streaming: boolean;
  hasText: boolean;
  /** When the streaming message last changed here (its start or its latest delta), epoch ms. */
  lastActivityAt: number;
  now: number;
  stalledAfterMs?: number;
}): CoachState {
  if (!input.streaming) return 'idle';
  if (input.now - input.lastActivityAt >= (input.stalledAfterMs ?? STALLED_AFTER_MS)) return 'stalled';
  return input.hasText ? 'writing' : 'thinking';
}

export const COACH_STATE_LABEL: Record<CoachState, string> = {
  idle: 'Coach is ready',
  thinking: 'Coach is thinking…',
  writing: 'Coach is writing…',
  stalled: 'Coach has gone quiet…',
};

/**
 * The coach's state for a client. It subscribes to the streaming message only, and
 * re-renders on transitions (not on every token): each change of the message restarts
 * a stall timer instead.
 */
export function useCoachState(client: SessionClient, stalledAfterMs = STALLED_AFTER_MS): CoachState {
  const activeId = useSessionSelector(client, (s) => s.transcript.activeMessageId);
  const [state, setState] = useState<CoachState>('idle');

  useEffect(() => {
    if (activeId === null) {
      setState('idle');
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = client.getMessage(activeId);
    const evaluate = () => {
      const m = client.getMessage(activeId);
      const streaming = m?.kind === 'assistant' && m.status === 'streaming';
      setState(deriveCoachState({ streaming, hasText: (m?.text ?? '') !== '', lastActivityAt: Date.now(), now: Date.now() }));
      clearTimeout(timer);
      if (streaming) timer = setTimeout(() => setState('stalled'), stalledAfterMs);
    };
    evaluate();
    const off = client.subscribeMessage(activeId, () => {
      const m = client.getMessage(activeId);
      if (m === last) return;
      last = m;
      evaluate();
    });
    return () => {
      off();
      clearTimeout(timer);
    };
  }, [client, activeId, stalledAfterMs]);

  return state;
}
