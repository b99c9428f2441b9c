import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../../server/http/protocol.ts';
import { decodeNotification } from '../../../server/session/notification.ts';

describe('client frame parser', () => {
  it('accepts the three client frames', () => {
    expect(parseClientFrame('{"type":"ping"}')).toEqual({ ok: true, frame: { type: 'ping' } });
    expect(parseClientFrame('{"type":"cancel"}')).toEqual({ ok: true, frame: { type: 'cancel' } });
    expect(parseClientFrame('{"type":"user.message","clientMessageId":"c1","text":"hi","extra":1}')).toEqual({
      ok: true,
      frame: { type: 'user.message', clientMessageId: 'c1', text: 'hi' },
    });
  });

  it.each([
    ['{', 'invalid_json'],
    ['42', 'invalid_frame'],
    ['"ping"', 'invalid_frame'],
    ['[{"type":"ping"}]', 'invalid_frame'],
    ['{"type":"user.message","clientMessageId":5,"text":"x"}', 'invalid_frame'],
    ['{"type":"user.message","clientMessageId":"","text":"x"}', 'invalid_frame'],
    [`{"type":"user.message","clientMessageId":"${'a'.repeat(101)}","text":"x"}`, 'invalid_frame'],
    ['{"type":"user.message","clientMessageId":"a","text":""}', 'invalid_frame'],
    [`{"type":"user.message","clientMessageId":"a","text":"${'y'.repeat(8001)}"}`, 'message_too_long'],
    ['{"type":"__proto__"}', 'unknown_type'],
    ['{}', 'unknown_type'],
  ])('rejects %s as %s', (raw, code) => {
    const r = parseClientFrame(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.code).toBe(code);
      expect(r.message.length).toBeGreaterThan(5);
    }
  });
});

describe('SL8: notification pointers', () => {
  it('decodes event, stop and run-ended pointers and stays far below 8000 bytes', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(decodeNotification(`e:${id}:42`)).toEqual({ kind: 'events', sessionId: id, seq: 42 });
    expect(decodeNotification(`s:${id}`)).toEqual({ kind: 'stop', runId: id });
    expect(decodeNotification(`r:${id}`)).toEqual({ kind: 'run_ended', sessionId: id });
    expect(Buffer.byteLength(`e:${id}:2147483647`)).toBeLessThan(100);
    for (const bad of ['', 'e:', `e:${id}`, `e:${id}:x`, 'x:1', 's:', 'r:']) expect(decodeNotification(bad)).toBeUndefined();
  });
});
