// @vitest-environment jsdom
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { ReviewEditor } from '../../../web/src/app/week/PlanSections.tsx';
import type { PlanEdit, PlanEditor } from '../../../web/src/app/week/use-plan-editor.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const plan: WeekPlan = { weekKey: '2026-W48', timeZone: 'Europe/Berlin', version: 1, review: null, vision: null, rocks: [], blocks: [], environment: [], reflections: [] };

function setInput(el: HTMLInputElement, value: string) {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

describe('the review slot editor', () => {
  it('says what is wrong with an empty or backwards time instead of sending it (or throwing)', () => {
    const sent: PlanEdit[] = [];
    const editor = { plan, run: (e: PlanEdit) => sent.push(e) } as unknown as PlanEditor;
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    act(() => root.render(<ReviewEditor editor={editor} slot={{ start: '2026-11-27T15:00:00.000Z', end: '2026-11-27T15:30:00.000Z' }} />));
    // From (the To field keeps 15:30 throughout).
    const from = host.querySelector<HTMLInputElement>('input[type="time"]')!;
    const submit = () => act(() => host.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true })));

    act(() => setInput(from, ''));
    expect(() => submit()).not.toThrow();
    expect(host.querySelector('[role="alert"]')?.textContent).toBe('Use times like 16:00.');
    act(() => setInput(from, '17:00'));
    submit();
    expect(host.querySelector('[role="alert"]')?.textContent).toBe('The review must end after it starts.');
    expect(sent).toHaveLength(0);

    act(() => setInput(from, '15:00'));
    submit();
    expect(host.querySelector('[role="alert"]')).toBeNull();
    expect(sent.map((e) => e.request)).toEqual([{ method: 'PUT', path: '/review', body: { start: '2026-11-27T14:00:00.000Z', end: '2026-11-27T15:30:00.000Z' } }]);
    act(() => root.unmount());
    host.remove();
  });
});
