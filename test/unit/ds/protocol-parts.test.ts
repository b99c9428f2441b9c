import { describe, expect, it } from 'vitest';
import { isJsonType, isTextualType, mediaTypeEssence } from '../../../server/ds/content-type.ts';
import { CURSOR_EPOCH_MS, CURSOR_INTERVAL_MS, currentCursor, nextCursor } from '../../../server/ds/cursor.ts';
import { parseExpiresAt, parseNonNegativeInt, parseTtl } from '../../../server/ds/http-headers.ts';
import { jsonArrayOf, parseJsonBatch, takeJsonMessages } from '../../../server/ds/json-body.ts';
import { formatOffset, parseOffset } from '../../../server/ds/offsets.ts';
import { sseControlEvent, sseDataEvent } from '../../../server/ds/sse.ts';
import { forkSourcePath } from '../../../server/ds/write-routes.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

describe('offsets', () => {
  it('are fixed width, so string order is seq order', () => {
    expect(formatOffset(0)).toBe('0000000000000000_0000000000000000');
    const offsets = [0, 1, 9, 10, 99, 100, 123456789].map(formatOffset);
    expect([...offsets].sort()).toEqual(offsets);
  });

  it('parse sentinels and our own format, and reject everything else', () => {
    expect(parseOffset('-1')).toEqual({ kind: 'seq', seq: 0 });
    expect(parseOffset('now')).toEqual({ kind: 'now' });
    expect(parseOffset(formatOffset(42))).toEqual({ kind: 'seq', seq: 42 });
    for (const bad of ['', '0', '0,1', '0 1', '-2', 'NOW', '0000000000000001_0000000000000001', '000000000000001_0000000000000000']) {
      expect(parseOffset(bad)).toEqual({ kind: 'invalid' });
    }
  });
});

describe('cursor', () => {
  it('is the current 20 s interval, and always moves past the client’s', () => {
    const now = CURSOR_EPOCH_MS + 1_000 * CURSOR_INTERVAL_MS + 5;
    expect(currentCursor(now)).toBe(1_000);
    expect(nextCursor(undefined, now)).toBe('1000');
    expect(nextCursor('999', now)).toBe('1000');
    expect(Number(nextCursor('1000', now, () => 0))).toBe(1_001);
    expect(Number(nextCursor('5000', now, () => 0.999))).toBeGreaterThan(5_000);
    expect(nextCursor('junk', now)).toBe('1000');
  });
});

describe('content types', () => {
  it('compare by essence, case-insensitively', () => {
    expect(mediaTypeEssence('Application/JSON; charset=UTF-8')).toBe('application/json');
    expect(mediaTypeEssence('  ')).toBeUndefined();
    expect(isJsonType('application/json')).toBe(true);
    expect(isJsonType('application/vnd.api+json')).toBe(true);
    expect(isTextualType('text/plain')).toBe(true);
    expect(isTextualType('application/octet-stream')).toBe(false);
  });
});

describe('JSON batches', () => {
  it('flatten exactly one array level and refuse empty appends and bad JSON', () => {
    const one = parseJsonBatch(enc.encode('{"a": 1}'), false);
    expect(one.ok && [one.messages, dec.decode(one.data)]).toEqual([1, '{"a":1}']);
    const two = parseJsonBatch(enc.encode('[[1,2],[3,4]]'), false);
    expect(two.ok && [two.messages, dec.decode(two.data)]).toEqual([2, '[1,2],[3,4]']);
    expect(parseJsonBatch(enc.encode('[]'), false)).toMatchObject({ ok: false, code: 'empty_array' });
    expect(parseJsonBatch(enc.encode('[]'), true)).toMatchObject({ ok: true, messages: 0 });
    expect(parseJsonBatch(enc.encode('{ nope }'), false)).toMatchObject({ ok: false, code: 'invalid_json' });
  });

  it('join entries into one array and cut a prefix of messages', () => {
    expect(dec.decode(jsonArrayOf([{ data: enc.encode('1,2') }, { data: enc.encode('{"x":3}') }]))).toBe('[1,2,{"x":3}]');
    expect(dec.decode(jsonArrayOf([]))).toBe('[]');
    const cut = takeJsonMessages(enc.encode('{"a":1},{"b":2},{"c":3}'), 2);
    expect([cut.messages, dec.decode(cut.data)]).toEqual([2, '{"a":1},{"b":2}']);
  });
});

describe('SSE framing', () => {
  it('gives every line its own data: prefix, so payloads cannot inject events', () => {
    expect(sseDataEvent('a\r\n\r\nevent: control\rb\nc')).toBe('event: data\ndata:a\ndata:\ndata:event: control\ndata:b\ndata:c\n\n');
    expect(sseDataEvent(' leading space')).toBe('event: data\ndata:  leading space\n\n');
    expect(sseControlEvent({ streamNextOffset: formatOffset(1), upToDate: true })).toBe(
      `event: control\ndata:{"streamNextOffset":"${formatOffset(1)}","upToDate":true}\n\n`,
    );
  });
});

describe('request headers', () => {
  it('Stream-TTL is a plain decimal', () => {
    expect(parseTtl('3600')).toEqual({ ok: true, value: 3600 });
    expect(parseTtl(undefined)).toEqual({ ok: true, value: null });
    for (const bad of ['-1', '+60', '060', '1.5', '1e3', 'abc', '99999999999']) expect(parseTtl(bad).ok).toBe(false);
  });

  it('Stream-Expires-At is RFC 3339', () => {
    expect(parseExpiresAt('2030-01-01T00:00:00Z')).toEqual({ ok: true, value: new Date('2030-01-01T00:00:00Z') });
    expect(parseExpiresAt('2030-01-01T01:00:00.5+01:00').ok).toBe(true);
    for (const bad of ['tomorrow', '2030-01-01', '1700000000']) expect(parseExpiresAt(bad).ok).toBe(false);
  });

  it('sub-offsets are non-negative integers', () => {
    expect(parseNonNegativeInt('0', 'x')).toEqual({ ok: true, value: 0 });
    for (const bad of ['-1', 'abc', '1.5', '05', '+1']) expect(parseNonNegativeInt(bad, 'x').ok).toBe(false);
  });

  it('Stream-Forked-From accepts the protocol path, our full path or a URL', () => {
    expect(forkSourcePath('/v1/stream/a/b')).toBe('a/b');
    expect(forkSourcePath('/ds/v1/stream/a%20b')).toBe('a b');
    expect(forkSourcePath('http://host/ds/v1/stream/x')).toBe('x');
    expect(forkSourcePath('/api/sessions/x')).toBeUndefined();
    expect(forkSourcePath('/v1/stream/')).toBeUndefined();
  });
});
