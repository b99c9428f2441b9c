import { describe, expect, it, vi } from 'vitest';
import { eventFrame, eventsFrame, storedEvent } from '../../../server/session/frames.ts';
import { isoAt } from '../../../server/session/sql-log.ts';

describe('event frames from stored text', () => {
  it('a stored event equals its parsed form, and its frame is the stored text', () => {
    const dataText = '{"text": "say \\"hi\\"\\n", "messageId": "m", "n": 1.50}';
    const e = storedEvent(7, 'assistant.delta', '2026-11-26T01:06:30.120Z', dataText);
    const plain = { seq: 7, type: 'assistant.delta', at: '2026-11-26T01:06:30.120Z', data: { text: 'say "hi"\n', messageId: 'm', n: 1.5 } };
    expect(e).toEqual(plain);
    expect({ ...e }).toEqual(plain);
    expect(eventFrame(e)).toBe(`{"seq":7,"type":"assistant.delta","at":"2026-11-26T01:06:30.120Z","data":${dataText}}`);
    expect(JSON.parse(eventFrame(e))).toEqual(plain);
    expect(JSON.parse(eventsFrame([e, plain]))).toEqual({ type: 'events', events: [plain, plain] });
    // A plain event's frame is its serialization, cached per object.
    expect(eventFrame(plain)).toBe(JSON.stringify(plain));
    expect(eventFrame(plain)).toBe(eventFrame(plain));
  });

  it('a stored event parses its data once, on first read, not to build or send its frame', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      const e = storedEvent(3, 'plan.updated', '2026-11-26T01:06:30.120Z', '{"a": [1, 2]}');
      eventFrame(e);
      eventsFrame([e]);
      expect(parse).not.toHaveBeenCalled();
      const data = e.data;
      expect(data).toEqual({ a: [1, 2] });
      expect(e.data).toBe(data);
      expect(parse).toHaveBeenCalledTimes(1);
      e.data = { b: 1 };
      expect(e.data).toEqual({ b: 1 });
    } finally {
      parse.mockRestore();
    }
  });

  it('isoAt turns the JSON text of a UTC timestamp into the ISO form with milliseconds truncated', () => {
    expect(isoAt('"2026-11-26T01:06:30"')).toBe('2026-11-26T01:06:30.000Z');
    expect(isoAt('"2026-11-26T01:06:30.1"')).toBe('2026-11-26T01:06:30.100Z');
    expect(isoAt('"2026-11-26T01:06:30.12"')).toBe('2026-11-26T01:06:30.120Z');
    expect(isoAt('"2026-11-26T01:06:30.123"')).toBe('2026-11-26T01:06:30.123Z');
    expect(isoAt('"2026-11-26T01:06:30.123999"')).toBe('2026-11-26T01:06:30.123Z');
    expect(isoAt('"2026-11-26T01:06:30.000001"')).toBe('2026-11-26T01:06:30.000Z');
  });
});
