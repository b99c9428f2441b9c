import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../../server/http/protocol.ts';
import { decodeNotice, encodeWeekChanged, HEADS_PER_NOTICE, NOTICE_PREFIX } from '../../../server/db/notify-registry.ts';

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

describe('SL8: notification pointers (the NOTIFY registry)', () => {
  const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
  it('decodes head, stop, run-ended, stream and presence payloads', () => {
    expect(decodeNotice(`h:abc123|${id}:42|${id}:43`)).toEqual({
      kind: 'session_heads',
      origin: 'abc123',
      heads: [
        { sessionId: id, seq: 42 },
        { sessionId: id, seq: 43 },
      ],
    });
    expect(decodeNotice(`e:${id}:42`)).toEqual({ kind: 'session_heads', origin: null, heads: [{ sessionId: id, seq: 42 }] });
    expect(decodeNotice(`s:${id}`)).toEqual({ kind: 'run_stop', runId: id });
    expect(decodeNotice(`r:${id}`)).toEqual({ kind: 'run_ended', sessionId: id });
    expect(decodeNotice(`x:${id}:-1`)).toEqual({ kind: 'stream_moved', streamId: id, tailSeq: -1 });
    expect(decodeNotice(`x:abc123|${id}:7|${id}:9`)).toEqual({
      kind: 'streams_moved',
      origin: 'abc123',
      heads: [
        { streamId: id, tailSeq: 7 },
        { streamId: id, tailSeq: 9 },
      ],
    });
    expect(decodeNotice('p:{"i":1}')).toEqual({ kind: 'presence', body: '{"i":1}' });
  });

  it('week pointers (w:) are encoded and decoded here too, with who changed the week', () => {
    const device = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
    for (const p of [
      { userId: id, weekKey: '2026-W48', by: { kind: 'coach' as const } },
      { userId: id, weekKey: '2026-W48', by: { kind: 'user' as const } },
      { userId: id, weekKey: '2026-W48', by: { kind: 'user' as const, deviceId: device } },
    ]) {
      const payload = encodeWeekChanged(p);
      expect(payload.startsWith(NOTICE_PREFIX.weekChanged)).toBe(true);
      expect(decodeNotice(payload)).toEqual({ kind: 'week_changed', ...p });
    }
    for (const bad of ['w:', `w:${id}`, `w:${id} 2026-W48`, `w:${id} 2026-W48 robot`, `w:${id} 2026-W48 coach ${device}`, `w:${id} 2026-W48 user ${device} extra`]) {
      expect(decodeNotice(bad), bad).toBeUndefined();
    }
  });

  it('every prefix is two characters and distinct', () => {
    const prefixes = Object.values(NOTICE_PREFIX);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const p of prefixes) expect(p).toMatch(/^[a-z]:$/);
  });

  it('rejects malformed payloads', () => {
    for (const bad of ['', 'e:', `e:${id}`, `e:${id}:x`, 'x:1', 'x:o|', `x:|${id}:1`, `x:o|${id}:x`, 's:', 'r:', 'h:', 'h:abc', `h:|${id}:1`, `h:o|${id}:x`, 'p:', 'z:1']) {
      expect(decodeNotice(bad)).toBeUndefined();
    }
  });

  it('a full group-commit payload stays below the 8000-byte limit', () => {
    const heads = Array.from({ length: HEADS_PER_NOTICE }, () => `${id}:2147483647`).join('|');
    expect(Buffer.byteLength(`h:${'f'.repeat(12)}|${heads}`)).toBeLessThan(8000);
  });
});
