import { describe, expect, it } from 'vitest';
import { encodeClientFrame, parseServerFrame } from '../../../web/src/session-client/protocol.ts';

describe('parseServerFrame', () => {
  it('parses each known persisted event with exactly its fields', () => {
    expect(parseServerFrame('{"seq":1,"type":"user.message","at":"2026-11-25T12:00:00Z","data":{"clientMessageId":"c1","text":"hi","extra":1}}')).toEqual({
      kind: 'event',
      event: { seq: 1, type: 'user.message', at: '2026-11-25T12:00:00Z', data: { clientMessageId: 'c1', text: 'hi' } },
    });
    expect(parseServerFrame({ seq: 7, type: 'assistant.end', at: 'x', data: { messageId: 'm', status: 'failed', text: '', reason: 'boom' } })).toEqual({
      kind: 'event',
      event: { seq: 7, type: 'assistant.end', at: 'x', data: { messageId: 'm', status: 'failed', text: '', reason: 'boom' } },
    });
    const delta = parseServerFrame({ seq: 2, type: 'assistant.delta', at: 'x', data: { messageId: 'm', text: '' } });
    expect(delta).toMatchObject({ kind: 'event', event: { type: 'assistant.delta', data: { text: '' } } });
  });

  it('turns unknown and malformed persisted events into "unknown" events that keep their seq', () => {
    expect(parseServerFrame({ seq: 3, type: 'mood.logged', at: 'x', data: { a: 1 } })).toEqual({
      kind: 'event',
      event: { seq: 3, type: 'unknown', rawType: 'mood.logged', at: 'x', data: { a: 1 } },
    });
    const bad = parseServerFrame({ seq: 4, type: 'assistant.end', at: 'x', data: { messageId: 'm', status: 'done', text: '' } });
    expect(bad).toMatchObject({ kind: 'event', event: { seq: 4, type: 'unknown', rawType: 'assistant.end', malformed: 'bad status' } });
  });

  it('rejects frames with a bad seq or not JSON as invalid', () => {
    expect(parseServerFrame('{nope').kind).toBe('invalid');
    expect(parseServerFrame('[1,2]').kind).toBe('invalid');
    expect(parseServerFrame({ seq: 0, type: 'user.message', data: {} })).toMatchObject({ kind: 'invalid', reason: 'seq must be a positive integer' });
    expect(parseServerFrame({ seq: 1.5, type: 'user.message', data: {} }).kind).toBe('invalid');
    expect(parseServerFrame({ seq: '2', type: 'user.message', data: {} }).kind).toBe('invalid');
    expect(parseServerFrame({ seq: 2, data: {} }).kind).toBe('invalid');
  });

  it('parses ephemeral frames', () => {
    expect(parseServerFrame('{"type":"ready","lastSeq":12}')).toEqual({ kind: 'ready', lastSeq: 12 });
    expect(parseServerFrame('{"type":"ready","lastSeq":0}')).toEqual({ kind: 'ready', lastSeq: 0 });
    expect(parseServerFrame('{"type":"ready"}').kind).toBe('invalid');
    expect(parseServerFrame('{"type":"pong"}')).toEqual({ kind: 'pong' });
    expect(parseServerFrame('{"type":"error","code":"rate_limited","message":"slow down"}')).toEqual({
      kind: 'error',
      code: 'rate_limited',
      message: 'slow down',
    });
    expect(parseServerFrame('{"type":"presence","devices":2}')).toEqual({ kind: 'presence', raw: { type: 'presence', devices: 2 } });
    expect(parseServerFrame('{"type":"typing"}')).toEqual({ kind: 'ignored', type: 'typing' });
  });

  it('does not let "__proto__"-like types reach the known-type table', () => {
    expect(parseServerFrame({ seq: 1, type: 'toString', at: 'x', data: {} })).toMatchObject({ kind: 'event', event: { type: 'unknown', rawType: 'toString' } });
  });
});

describe('encodeClientFrame', () => {
  it('encodes the three client frames', () => {
    expect(encodeClientFrame({ type: 'user.message', clientMessageId: 'c', text: 't' })).toBe('{"type":"user.message","clientMessageId":"c","text":"t"}');
    expect(encodeClientFrame({ type: 'cancel' })).toBe('{"type":"cancel"}');
    expect(encodeClientFrame({ type: 'ping' })).toBe('{"type":"ping"}');
  });
});
