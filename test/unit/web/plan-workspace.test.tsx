// @vitest-environment jsdom
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { describe, expect, it } from 'vitest';
import type { WeekPlan } from '../../../server/plan/types.ts';
import { PlanWorkspace } from '../../../web/src/app/week/PlanWorkspace.tsx';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const plan: WeekPlan = { weekKey: '2026-W48', timeZone: 'Europe/Berlin', version: 1, review: null, vision: null, rocks: [], blocks: [], environment: [], reflections: [] };

describe('the week page after a time zone change', () => {
  it('says the week is shown in the zone it was planned in, and where the zone is changed', () => {
    const host = document.createElement('div');
    document.body.append(host);
    const root = createRoot(host);
    act(() => root.render(<PlanWorkspace plan={plan} viewerZone="America/New_York" />));
    expect(host.querySelector('[data-testid="zone-note"]')?.textContent).toMatch(/planned in Berlin time and is shown in it; your time zone is now New York/);
    act(() => root.render(<PlanWorkspace plan={plan} viewerZone="Europe/Berlin" />));
    expect(host.querySelector('[data-testid="zone-note"]')).toBeNull();
    act(() => root.unmount());
    host.remove();
  });
});
