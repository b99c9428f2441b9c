// How the browser tests find a browser: CHROME_PATH, then a system Chromium or Chrome, then
// (globalSetup, as root on Debian) Debian's chromium package.
import { describe, expect, it } from 'vitest';
import { canInstallDebianPackages } from '../support/debian-packages.ts';
import { findBrowser, type BrowserProbe } from '../support/find-browser.ts';

const probe = (executables: string[], env: Record<string, string | undefined> = {}, platform: NodeJS.Platform = 'linux'): BrowserProbe => ({
  env,
  platform,
  isExecutable: (f) => executables.includes(f),
});

describe('findBrowser', () => {
  it('CHROME_PATH wins over a system browser', () => {
    expect(findBrowser(probe(['/usr/bin/chromium', '/opt/mine/chrome'], { CHROME_PATH: '/opt/mine/chrome' }))).toEqual({ path: '/opt/mine/chrome', source: 'CHROME_PATH' });
  });

  it('a CHROME_PATH that is not an executable is an error, not a silent fallback', () => {
    expect(() => findBrowser(probe(['/usr/bin/chromium'], { CHROME_PATH: '/nope/chrome' }))).toThrow(/CHROME_PATH=\/nope\/chrome/);
  });

  it('the older CHROMIUM_PATH is read too', () => {
    expect(findBrowser(probe(['/x/chromium'], { CHROMIUM_PATH: '/x/chromium' }))?.path).toBe('/x/chromium');
  });

  it('then well-known system paths, Debian chromium first', () => {
    expect(findBrowser(probe(['/usr/bin/google-chrome', '/usr/bin/chromium']))).toEqual({ path: '/usr/bin/chromium', source: 'system' });
    expect(findBrowser(probe(['/usr/bin/google-chrome-stable']))?.path).toBe('/usr/bin/google-chrome-stable');
    expect(findBrowser(probe(['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'], {}, 'darwin'))?.path).toContain('Google Chrome.app');
  });

  it('then the PATH', () => {
    expect(findBrowser(probe(['/home/me/bin/chromium-browser'], { PATH: '/usr/local/bin:/home/me/bin' }))?.path).toBe('/home/me/bin/chromium-browser');
  });

  it('none: undefined (globalSetup may then install one)', () => {
    expect(findBrowser(probe([], { PATH: '/usr/local/bin:/usr/bin' }))).toBeUndefined();
  });
});

describe('installing Debian chromium (and nginx)', () => {
  it('only as root, on Debian, with apt-get', () => {
    expect(canInstallDebianPackages({ uid: 0, debian: true, aptGet: true })).toBe(true);
    expect(canInstallDebianPackages({ uid: 1000, debian: true, aptGet: true })).toBe(false);
    expect(canInstallDebianPackages({ uid: 0, debian: false, aptGet: true })).toBe(false);
    expect(canInstallDebianPackages({ uid: 0, debian: true, aptGet: false })).toBe(false);
    expect(canInstallDebianPackages({ uid: undefined, debian: true, aptGet: true })).toBe(false);
  });
});
