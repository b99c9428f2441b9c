import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../../server/http/protocol.ts';
import { findUnstorable, isStorableText } from '../../../server/http/text-hygiene.ts';

describe('text that PostgreSQL cannot store', () => {
  it('is NUL and lone surrogates; real astral characters are fine', () => {
    expect(isStorableText('plain, ünïcödé, 😀, 𝔘')).toBe(true);
    expect(isStorableText('a\u0000b')).toBe(false);
    expect(isStorableText('\uD83D')).toBe(false);
    expect(isStorableText('x\uDE00')).toBe(false);
    expect(isStorableText('\uDE00\uD83D')).toBe(false);
  });

  it('is found anywhere in a body, by path', () => {
    expect(findUnstorable({ title: 'ok', nested: { list: ['fine', 'bad\u0000'] } })).toBe('nested/list/1');
    expect(findUnstorable({ text: 'ok' })).toBeUndefined();
    expect(findUnstorable({ ['k\uD800']: 1 })).toBe('(key)');
    expect(findUnstorable('\u0000')).toBe('');
    expect(findUnstorable(42)).toBeUndefined();
  });
});

describe('WebSocket frames with unstorable text', () => {
  it.each([
    [{ type: 'user.message', clientMessageId: 'a', text: 'nul\u0000' }],
    [{ type: 'user.message', clientMessageId: 'a', text: 'half \uD83D' }],
    [{ type: 'user.message', clientMessageId: '\u0000', text: 'fine' }],
  ])('are refused as invalid_frame: %j', (frame) => {
    expect(parseClientFrame(JSON.stringify(frame))).toMatchObject({ ok: false, code: 'invalid_frame' });
  });

  it('real emoji pass', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'user.message', clientMessageId: 'a', text: 'plan 😀' })).ok).toBe(true);
  });
});
