// The web app's zone math must agree with the server's rules (server/plan/week.ts), DST included.
import { describe, expect, it } from 'vitest';
import * as server from '../../../server/plan/week.ts';
import { instantToLocal, localToInstant, nextWeekKey, previousWeekKey, weekEnd } from '../../../web/src/app/week/zoned-time.ts';

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC'];
// Weeks with DST changes in March/April and October/November, and a year boundary.
const WEEKS = ['2026-W13', '2026-W14', '2026-W44', '2026-W45', '2026-W53', '2027-W01'];

describe('web zone math agrees with the server', () => {
  it('local ↔ instant, week ends and neighbouring weeks, across DST changes', () => {
    for (const tz of ZONES) {
      for (const week of WEEKS) {
        if (!server.parseWeekKey(week)) continue;
        expect(weekEnd(week, tz)).toBe(server.weekBounds(week, tz).end);
        expect(nextWeekKey(week)).toBe(server.nextWeekKey(week));
        expect(previousWeekKey(week)).toBe(server.previousWeekKey(week));
        for (let day = 0; day < 7; day++) {
          for (const hhmm of ['00:00', '01:30', '02:30', '09:15', '23:45']) {
            const instant = localToInstant(week, day, hhmm, tz);
            expect(instant, `${tz} ${week} ${day} ${hhmm}`).toBe(server.localToInstant(week, day, hhmm, tz));
            expect(instantToLocal(instant, tz)).toEqual(server.instantToLocal(instant, tz));
          }
        }
      }
    }
  });
});
