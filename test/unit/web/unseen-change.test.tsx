// @vitest-environment jsdom
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import { useUnseenChange } from '../../../web/src/app/unseen-change.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

function Probe({ version, visible }: { version: number | null; visible: boolean }) {
  return <p>{useUnseenChange(version, visible) ? 'updated' : 'seen'}</p>;
}

describe('the closed plan drawer flags a plan that changed out of sight', () => {
  it('is set by a newer version while hidden and cleared when shown', () => {
    const host = document.createElement('div');
    const root = createRoot(host);
    const show = (version: number | null, visible: boolean) => {
      act(() => root.render(<Probe version={version} visible={visible} />));
      return host.textContent;
    };
    expect(show(null, false)).toBe('seen');
    // The first plan is the baseline, not news.
    expect(show(3, false)).toBe('seen');
    expect(show(4, false)).toBe('updated');
    expect(show(5, false)).toBe('updated');
    expect(show(5, true)).toBe('seen');
    expect(show(5, false)).toBe('seen');
    // Changes seen while open are not news once it closes.
    expect(show(6, true)).toBe('seen');
    expect(show(6, false)).toBe('seen');
    expect(show(7, false)).toBe('updated');
    act(() => root.unmount());
  });
});
