import { describe, expect, it } from 'vitest';
import { authorLabel } from '../../../web/src/app/MessageList.tsx';
import { parsePresence, presenceEntries, showsHandoffBar } from '../../../web/src/app/presence.ts';
import { parseRoute } from '../../../web/src/app/route.ts';
import { parseServerFrame, type SessionEvent } from '../../../web/src/session-client/protocol.ts';
import { applyEvents, createTranscript, type UserMessage } from '../../../web/src/session-client/transcript.ts';

const alex = { userId: 'u-alex', displayName: 'Alex', role: 'partner' as const };
const sam = { userId: 'u-sam', displayName: 'Sam', role: 'owner' as const };

function events(raw: object[]): SessionEvent[] {
  return raw.map((r) => {
    const f = parseServerFrame(JSON.stringify(r));
    if (f.kind !== 'event') throw new Error(`not an event: ${JSON.stringify(r)}`);
    return f.event;
  });
}

describe('handoff in the web client', () => {
  it('SL19: handoff.started sets who holds the session, handoff.ended clears it; authors are kept', () => {
    const at = '2026-11-27T17:00:00.000Z';
    const t = applyEvents(
      createTranscript(),
      events([
        { seq: 1, at, type: 'user.message', data: { clientMessageId: 'a', text: 'hi', author: sam } },
        { seq: 2, at, type: 'handoff.started', data: { by: alex } },
        { seq: 3, at, type: 'user.message', data: { clientMessageId: 'b', text: 'Alex here', author: alex } },
      ]),
    ).transcript;
    expect(t.handoff).toEqual(alex);
    const fromAlex = t.byId.get('user:b') as UserMessage;
    expect(fromAlex.author).toEqual(alex);
    expect(authorLabel(fromAlex, 'u-sam')).toBe('Alex (partner)');
    expect(authorLabel(fromAlex, 'u-alex')).toBeNull();
    expect(authorLabel(t.byId.get('user:a') as UserMessage, 'u-alex')).toBe('Sam');
    const back = applyEvents(t, events([{ seq: 4, at, type: 'handoff.ended', data: { by: sam } }])).transcript;
    expect(back.handoff).toBeNull();
  });

  it('a handoff event without a valid author is counted as unknown, not applied', () => {
    const t = applyEvents(createTranscript(), events([{ seq: 1, at: '2026-11-27T17:00:00.000Z', type: 'handoff.started', data: { by: { userId: 'x', role: 'boss' } } }])).transcript;
    expect(t.handoff).toBeNull();
    expect(t.ignoredEvents).toBe(1);
  });

  it('notification and invite links route to the right screens', () => {
    expect(parseRoute('', '/sessions/3f0c')).toEqual({ name: 'chat', sessionId: '3f0c' });
    expect(parseRoute('', '/invite/ABCDEFGHJKMNPQRS')).toEqual({ name: 'invite', code: 'ABCDEFGHJKMNPQRS' });
    expect(parseRoute('', '/start/review')).toEqual({ name: 'start', kind: 'review' });
    expect(parseRoute('', '/start/plan')).toEqual({ name: 'start', kind: 'plan' });
    expect(parseRoute('#/', '/start/other')).toEqual({ name: 'sessions' });
  });

  it("presence names someone else's devices with their role, and keeps your own device labels", () => {
    const p = parsePresence({
      you: 'd1',
      devices: [
        { deviceId: 'd1', label: 'Chrome on Linux', connections: 1, userId: 'u-sam', name: 'Sam', role: 'owner' },
        { deviceId: 'd2', label: 'Sam’s phone', connections: 1, userId: 'u-sam', name: 'Sam', role: 'owner' },
        { deviceId: 'd3', label: 'Firefox on Mac', connections: 1, userId: 'u-alex', name: 'Alex', role: 'partner' },
      ],
    });
    expect(presenceEntries(p).map((e) => e.name)).toEqual(['This device', 'Alex (partner)', 'Sam’s phone']);
  });

  it('the handoff bar (Take over) shows only when a human can answer: held, for a partner, or with another person present', () => {
    const alone = parsePresence({
      you: 'd1',
      devices: [
        { deviceId: 'd1', label: 'Chrome on Linux', connections: 1, userId: 'u-sam', name: 'Sam', role: 'owner' },
        { deviceId: 'd2', label: 'Sam’s phone', connections: 1, userId: 'u-sam', name: 'Sam', role: 'owner' },
      ],
    });
    const withAlex = parsePresence({
      you: 'd1',
      devices: [
        { deviceId: 'd1', label: 'Chrome on Linux', connections: 1, userId: 'u-sam', name: 'Sam', role: 'owner' },
        { deviceId: 'd3', label: 'Firefox on Mac', connections: 1, userId: 'u-alex', name: 'Alex', role: 'partner' },
      ],
    });
    // The owner alone, on one device or two, or before presence arrived: no bar, no "Take over".
    expect(showsHandoffBar({ held: false, viewerIsPartner: false, presence: alone })).toBe(false);
    expect(showsHandoffBar({ held: false, viewerIsPartner: false, presence: null })).toBe(false);
    expect(showsHandoffBar({ held: false, viewerIsPartner: false, presence: withAlex })).toBe(true);
    expect(showsHandoffBar({ held: false, viewerIsPartner: true, presence: null })).toBe(true);
    expect(showsHandoffBar({ held: true, viewerIsPartner: false, presence: alone })).toBe(true);
  });
});
