// Timestamps on messages: "14:05" today, "Tue 14:05" this week, "3 Nov, 14:05" before.

const DAY_MS = 86_400_000;

export function messageTime(iso: string | null, now: Date = new Date(), locale?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
  const sameDay = d.toDateString() === now.toDateString();
  if (sameDay) return time;
  if (Math.abs(now.getTime() - d.getTime()) < 6 * DAY_MS) return `${d.toLocaleDateString(locale, { weekday: 'short' })} ${time}`;
  return `${d.toLocaleDateString(locale, { day: 'numeric', month: 'short' })}, ${time}`;
}

/** The full date and time, for a tooltip and for screen readers. */
export function messageDateTime(iso: string | null, locale?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString(locale, { dateStyle: 'full', timeStyle: 'short' });
}
