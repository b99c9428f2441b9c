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

describe('binary bodies', () => {
  it('are not walked byte by byte (a Buffer holds no text to check)', () => {
    // Bytes that would be NULs if they were text: the check must not look at them at all.
    const zeros = Buffer.alloc(1024);
    expect(findUnstorable(zeros)).toBeUndefined();
    expect(findUnstorable(new Uint8Array(16))).toBeUndefined();
    expect(findUnstorable(new ArrayBuffer(16))).toBeUndefined();
    // Walking it would visit every own key (16 million for a 16 MB body); prove it is not
    // walked at all: a string hung on the buffer itself is never looked at.
    const tagged = Object.assign(Buffer.alloc(8), { note: 'nul\u0000' });
    expect(findUnstorable(tagged)).toBeUndefined();
    expect(findUnstorable({ note: 'nul\u0000' })).toBe('note');
  });
});
