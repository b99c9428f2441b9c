/**
 * Which push endpoints the server will POST to. A subscription is a URL chosen by the
 * client, so without this check a user could aim the server at internal addresses.
 * Patterns are `https://host[:port]` or `https://*.domain[:port]` (any subdomain).
 */
export function isAllowedPushEndpoint(endpoint: string, allowedOrigins: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) return false;
  const origin = url.origin.toLowerCase();
  const host = url.host.toLowerCase();
  return allowedOrigins.some((pattern) => {
    const p = pattern.toLowerCase();
    if (!p.startsWith('https://*.')) return p === origin;
    const suffix = p.slice('https://*'.length); // ".push.apple.com[:port]"
    return host.endsWith(suffix) && host.length > suffix.length;
  });
}
