// The runner reads a turn's context (kind, week, time zone) once; the offline coach uses it and
// reads nothing of its own. Without a context it still asks, so agents driven elsewhere work.
import { describe, expect, it } from 'vitest';
import { createOfflineCoach } from '../../../server/coach/offline-coach.ts';
import { createMemoryPlanStore } from '../../../server/plan/memory-store.ts';
import { createPlanToolbox } from '../../../server/plan/tools.ts';
import { Chat } from './chat-harness.ts';

// Sunday evening in Berlin: by default the coach plans the coming week, 2026-W48.
const SUNDAY_EVENING = '2026-11-22T18:00:00.000Z';

function setup() {
  const store = createMemoryPlanStore();
  const tools = createPlanToolbox(store, { now: () => new Date(SUNDAY_EVENING) });
  const reads: string[] = [];
  const coach = createOfflineCoach({
    tools,
    store,
    paceMs: 0,
    now: () => new Date(SUNDAY_EVENING),
    timeZoneFor: () => {
      reads.push('timeZoneFor');
      return 'Europe/Berlin';
    },
    sessionFor: () => {
      reads.push('sessionFor');
      return undefined;
    },
  });
  return { chat: new Chat(coach, 'user-1', SUNDAY_EVENING), reads };
}

describe('offline coach: the turn context', () => {
  it('uses the context the runner read: its week, and no reads of its own', async () => {
    const { chat, reads } = setup();
    chat.context = { userId: 'user-1', sessionId: 's1', kind: 'plan', weekKey: '2026-W49', timeZone: 'Europe/Berlin' };
    expect(await chat.say("Hi! Let's plan my week.")).toContain('week 2026-W49');
    expect(reads).toEqual([]);
  });

  it('without a context it reads the time zone and the session itself (control)', async () => {
    const { chat, reads } = setup();
    expect(await chat.say("Hi! Let's plan my week.")).toContain('week 2026-W48');
    expect(reads).toEqual(['timeZoneFor', 'sessionFor']);
  });
});
