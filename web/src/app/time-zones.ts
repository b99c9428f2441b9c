// Time zones with names people recognise: "Berlin — Central European Time (GMT+1)".

/** Every IANA zone the browser knows, or a short list when it cannot say. */
export function knownTimeZones(): string[] {
  try {
    const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
    const zones = intl.supportedValuesOf?.('timeZone');
    if (zones && zones.length > 0) return zones.includes('UTC') ? zones : ['UTC', ...zones];
  } catch {
    // older browsers
  }
  return ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Sydney'];
}

function zoneNamePart(timeZone: string, style: 'long' | 'shortOffset', at: Date, locale?: string): string {
  try {
    const parts = new Intl.DateTimeFormat(locale ?? 'en-GB', { timeZone, timeZoneName: style }).formatToParts(at);
    return parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    return '';
  }
}

/** "Berlin — Central European Standard Time (GMT+1)"; "UTC — Coordinated Universal Time". */
export function friendlyZoneName(timeZone: string, at: Date = new Date(), locale?: string): string {
  const city = (timeZone.split('/').pop() ?? timeZone).replace(/_/g, ' ');
  const long = zoneNamePart(timeZone, 'long', at, locale);
  const offset = zoneNamePart(timeZone, 'shortOffset', at, locale);
  const place = timeZone === 'UTC' ? 'UTC' : city;
  const detail = [long, offset && offset !== long ? `(${offset})` : ''].filter(Boolean).join(' ');
  return detail ? `${place} — ${detail}` : place;
}
