import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApi, type SessionSummary } from '../../../web/src/app/api.ts';
import { connectionLabel } from '../../../web/src/app/connection-label.ts';
import { isoWeekKey, mondayOfWeek, weekLabel } from '../../../web/src/app/iso-week.ts';
import { blocksByWeekday, zonedWeekdayTime } from '../../../web/src/app/plan-format.ts';
import { chatHref, parseRoute } from '../../../web/src/app/route.ts';
import { groupByIsoWeek } from '../../../web/src/app/SessionsView.tsx';

describe('ISO weeks', () => {
  it('computes week keys across year boundaries and time zones', () => {
    expect(isoWeekKey(new Date('2026-11-25T12:00:00Z'), 'UTC')).toBe('2026-W48');
    expect(isoWeekKey(new Date('2021-01-03T12:00:00Z'), 'UTC')).toBe('2020-W53');
    expect(isoWeekKey(new Date('2024-12-30T12:00:00Z'), 'UTC')).toBe('2025-W01');
    // Sunday 23:30 UTC is already Monday in Berlin.
    expect(isoWeekKey(new Date('2026-11-29T23:30:00Z'), 'UTC')).toBe('2026-W48');
    expect(isoWeekKey(new Date('2026-11-29T23:30:00Z'), 'Europe/Berlin')).toBe('2026-W49');
  });

  it('finds the Monday of a week and labels it', () => {
    expect(mondayOfWeek(2026, 48).toISOString().slice(0, 10)).toBe('2026-11-23');
    expect(mondayOfWeek(2020, 53).toISOString().slice(0, 10)).toBe('2020-12-28');
    expect(weekLabel('2026-W48')).toBe('Week 48 · 23–29 Nov 2026');
    expect(weekLabel('2026-W49')).toBe('Week 49 · 30 Nov – 6 Dec 2026');
    expect(weekLabel('nonsense')).toBe('nonsense');
  });

  it('groups sessions by ISO week, newest first', () => {
    const s = (id: string, createdAt: string): SessionSummary => ({ id, title: id, kind: 'plan', weekKey: null, createdAt, lastSeq: 0 });
    const groups = groupByIsoWeek(
      [s('a', '2026-11-16T09:00:00Z'), s('b', '2026-11-27T09:00:00Z'), s('c', '2026-11-23T09:00:00Z')],
      'UTC',
    );
    expect(groups.map((g) => [g.weekKey, g.sessions.map((x) => x.id)])).toEqual([
      ['2026-W48', ['b', 'c']],
      ['2026-W47', ['a']],
    ]);
  });
});

describe('plan layout', () => {
  it('places blocks on Monday–Sunday in the plan time zone, sorted by start', () => {
    expect(zonedWeekdayTime('2026-11-23T08:00:00Z', 'Europe/Berlin')).toEqual({ day: 0, time: '09:00' });
    expect(zonedWeekdayTime('2026-11-29T23:30:00Z', 'Europe/Berlin')).toEqual({ day: 0, time: '00:30' });
    expect(zonedWeekdayTime('bad', 'UTC')).toBeNull();
    expect(zonedWeekdayTime('2026-11-23T08:00:00Z', 'Not/AZone')).toBeNull();
    const block = (id: string, start: string, end: string) => ({ id, kind: 'deep_work' as const, title: id, start, end, rockId: null });
    const days = blocksByWeekday(
      [
        block('tue-late', '2026-11-24T15:00:00Z', '2026-11-24T17:00:00Z'),
        block('tue-early', '2026-11-24T07:00:00Z', '2026-11-24T09:00:00Z'),
        block('sun', '2026-11-29T10:00:00Z', '2026-11-29T11:00:00Z'),
      ],
      'UTC',
    );
    expect(days.map((d) => d.map((b) => b.block.id))).toEqual([[], ['tue-early', 'tue-late'], [], [], [], [], ['sun']]);
    expect(days[1]?.[0]).toMatchObject({ start: '07:00', end: '09:00' });
  });
});

describe('connection badge', () => {
  it('labels each state', () => {
    expect(connectionLabel({ status: 'live' }, 0).text).toBe('Live');
    expect(connectionLabel({ status: 'reconnecting', attempt: 3, retryAt: null }, 0).text).toBe('Reconnecting (attempt 3)');
    expect(connectionLabel({ status: 'offline', reason: 'network', attempt: 0 }, 2).text).toBe('Offline — 2 queued');
    expect(connectionLabel({ status: 'offline', reason: 'unreachable', attempt: 9, retryAt: 1 }, 0).text).toBe('Offline — 0 queued');
    expect(connectionLabel({ status: 'denied', code: 4404, reason: '' }, 0).text).toBe('Not found');
  });
});

describe('routes', () => {
  it('parses and builds hash routes', () => {
    expect(parseRoute('')).toEqual({ name: 'sessions' });
    expect(parseRoute('#/')).toEqual({ name: 'sessions' });
    expect(parseRoute(chatHref('a b/c'))).toEqual({ name: 'chat', sessionId: 'a b/c' });
    expect(parseRoute('#/s/%E0%A4%A')).toEqual({ name: 'sessions' });
  });
});

describe('api wrapper', () => {
  it('sends JSON with cookies and maps error bodies to ApiError', async () => {
    const fetch = vi.fn(async (url: string, init?: RequestInit) => {
      if (url === '/api/me') return new Response(JSON.stringify({ error: { code: 'unauthorized', message: 'Log in' } }), { status: 401 });
      if (url === '/api/sessions' && init?.method === 'POST')
        return new Response(JSON.stringify({ id: 's1', title: 't', kind: 'plan', createdAt: 'x' }), { status: 201 });
      return new Response(JSON.stringify({ error: { code: 'email_taken', message: 'That email is taken' } }), { status: 409 });
    });
    const api = createApi('', fetch);
    expect(await api.me()).toBeNull();
    expect(await api.createSession({ kind: 'plan' })).toMatchObject({ id: 's1' });
    expect(fetch).toHaveBeenLastCalledWith('/api/sessions', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: '{"kind":"plan"}',
    });
    const err = await api.signup('a@b.c', 'password1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'email_taken', message: 'That email is taken' });
    expect(api.planIcsUrl('2026-W48')).toBe('/api/weeks/2026-W48/plan.ics');
  });

  it('reports a network failure as ApiError status 0', async () => {
    const api = createApi('', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(api.listSessions()).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});
