// Which push endpoints the server may POST to (PUSH_ALLOWED_ORIGINS): the browsers' push
// services by default, exact origins or subdomain patterns, https only — never an address
// a user picks inside our network.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PUSH_ORIGINS, loadConfig } from '../../../server/config.ts';
import { isAllowedPushEndpoint } from '../../../server/push/endpoint-policy.ts';

describe('PUSH_ALLOWED_ORIGINS', () => {
  it('defaults to the push services of Chrome/Edge (FCM), Firefox, Safari and Windows', () => {
    const allowed = loadConfig({}).push.allowedOrigins;
    expect(allowed).toEqual(DEFAULT_PUSH_ORIGINS);
    for (const endpoint of [
      'https://fcm.googleapis.com/fcm/send/abc:APA91b',
      'https://updates.push.services.mozilla.com/wpush/v2/gAAAA',
      'https://web.push.apple.com/QGx3Zk',
      'https://api.push.apple.com/3/device/x',
      'https://wns2-by3p.notify.windows.com/w/?token=BQYAAA',
    ]) {
      expect(isAllowedPushEndpoint(endpoint, allowed), endpoint).toBe(true);
    }
  });

  it('refuses everything else: other hosts, look-alikes, http, credentials, other ports, internal addresses', () => {
    const allowed = loadConfig({}).push.allowedOrigins;
    for (const endpoint of [
      'https://fcm.googleapis.com.evil.example/x',
      'https://evilfcm.googleapis.com/x',
      'https://push.apple.com/x', // the bare domain is not a subdomain of itself
      'http://fcm.googleapis.com/fcm/send/abc',
      'https://user:pw@fcm.googleapis.com/x',
      'https://fcm.googleapis.com:8443/x',
      'https://127.0.0.1/x',
      'https://169.254.169.254/latest/meta-data',
      'https://localhost:5432/',
      'not a url',
      '',
    ]) {
      expect(isAllowedPushEndpoint(endpoint, allowed), endpoint).toBe(false);
    }
  });

  it('"default" plus more: an exact origin (port included) or every subdomain of one', () => {
    const allowed = loadConfig({ PUSH_ALLOWED_ORIGINS: 'default, https://push.internal.example:8443, https://*.push.corp.example' }).push.allowedOrigins;
    expect(allowed).toEqual([...DEFAULT_PUSH_ORIGINS, 'https://push.internal.example:8443', 'https://*.push.corp.example']);
    expect(isAllowedPushEndpoint('https://fcm.googleapis.com/x', allowed)).toBe(true);
    expect(isAllowedPushEndpoint('https://push.internal.example:8443/s/1', allowed)).toBe(true);
    expect(isAllowedPushEndpoint('https://push.internal.example/s/1', allowed)).toBe(false);
    expect(isAllowedPushEndpoint('https://eu.push.corp.example/s/1', allowed)).toBe(true);
    // Written with the default port, or in capitals, an entry still matches.
    const spelled = loadConfig({ PUSH_ALLOWED_ORIGINS: 'https://Push.Internal.Example:443,https://*.Push.Corp.Example:443' }).push.allowedOrigins;
    expect(spelled).toEqual(['https://push.internal.example', 'https://*.push.corp.example']);
    expect(isAllowedPushEndpoint('https://push.internal.example/s/1', spelled)).toBe(true);
    expect(isAllowedPushEndpoint('https://eu.push.corp.example/s/1', spelled)).toBe(true);
    // Without "default", only what is listed.
    const only = loadConfig({ PUSH_ALLOWED_ORIGINS: 'https://push.internal.example' }).push.allowedOrigins;
    expect(isAllowedPushEndpoint('https://fcm.googleapis.com/x', only)).toBe(false);
  });

  it.each(['http://push.example', 'https://push.example/path', 'push.example', 'https://*', 'https://push.example:99999'])('a bad entry stops the server, naming the variable: %s', (item) => {
    try {
      loadConfig({ PUSH_ALLOWED_ORIGINS: item });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe('PUSH_ALLOWED_ORIGINS');
    }
  });

  it('PUSH_CONTACT: PUBLIC_URL when it is https, else a mailto; anything else stops the server', () => {
    expect(loadConfig({}).push.contact).toBe('mailto:focus-coach@localhost');
    expect(loadConfig({ PUBLIC_URL: 'https://focus.example' }).push.contact).toBe('https://focus.example');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:8080' }).push.contact).toBe('mailto:focus-coach@localhost');
    expect(loadConfig({ PUSH_CONTACT: 'mailto:ops@focus.example' }).push.contact).toBe('mailto:ops@focus.example');
    expect(() => loadConfig({ PUSH_CONTACT: 'ops@focus.example' })).toThrow(ConfigError);
  });
});
