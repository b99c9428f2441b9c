import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../server/http/log-redaction.ts';

describe('redactUrl', () => {
  it.each([
    ['/pair/ABCDE12345', '/pair/[redacted]'],
    ['/PAIR/ABCDE12345', '/PAIR/[redacted]'],
    ['/pair/ABCDE12345?x=1', '/pair/[redacted]?x=1'],
    ['/api/feeds/Zm9vYmFyYmF6cXV4.ics', '/api/feeds/[redacted].ics'],
    ['/api/feeds/Zm9vYmFy/extra', '/api/feeds/[redacted]/extra'],
    ['/%70air/ABCDE12345', '/pair/[redacted]'],
    ['/api/sessions/abc?token=s3cret&after=2', '/api/sessions/abc?token=[redacted]&after=2'],
    ['/x?code=SECRET&Api_Key=k', '/x?code=[redacted]&Api_Key=[redacted]'],
    ['/api/sessions/1b4e28ba-2fa1-11d2-883f-0016d3cca427/events?after=3', '/api/sessions/1b4e28ba-2fa1-11d2-883f-0016d3cca427/events?after=3'],
    ['/%E0%A4%A', '/%E0%A4%A'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
