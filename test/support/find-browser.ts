// Which Chrome or Chromium the browser tests drive, found in this order:
//   1. CHROME_PATH (CHROMIUM_PATH is read too, for older setups);
//   2. a system Chromium or Chrome (well-known paths, then the PATH);
//   3. one the test command provides: as root on Debian, globalSetup installs Debian's
//      `chromium` package (see test/support/browser-setup.ts).
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';

export interface FoundBrowser {
  path: string;
  source: 'CHROME_PATH' | 'system';
}

export interface BrowserProbe {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  /** Is this an executable file? */
  isExecutable: (file: string) => boolean;
}

const SYSTEM_PATHS: Partial<Record<NodeJS.Platform, string[]>> = {
  linux: ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/snap/bin/chromium', '/opt/google/chrome/chrome'],
  darwin: ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'],
  win32: ['C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe'],
};
const PATH_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

export const realProbe = (): BrowserProbe => ({
  env: process.env,
  platform: process.platform,
  isExecutable: (file) => {
    try {
      accessSync(file, constants.X_OK);
      return existsSync(file);
    } catch {
      return false;
    }
  },
});

/**
 * The browser to use, or undefined. A CHROME_PATH that does not point at an executable is
 * an error, not a reason to fall back: the person who set it wants that browser.
 */
export function findBrowser(probe: BrowserProbe = realProbe()): FoundBrowser | undefined {
  const configured = probe.env.CHROME_PATH || probe.env.CHROMIUM_PATH;
  if (configured) {
    if (!probe.isExecutable(configured)) throw new Error(`CHROME_PATH=${configured} is not an executable file`);
    return { path: configured, source: 'CHROME_PATH' };
  }
  for (const candidate of SYSTEM_PATHS[probe.platform] ?? []) if (probe.isExecutable(candidate)) return { path: candidate, source: 'system' };
  const dirs = (probe.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    for (const name of PATH_NAMES) {
      const file = path.join(dir, probe.platform === 'win32' ? `${name}.exe` : name);
      if (probe.isExecutable(file)) return { path: file, source: 'system' };
    }
  }
  return undefined;
}

export const NO_BROWSER_MESSAGE =
  'No Chrome or Chromium found for the browser tests. Set CHROME_PATH to one, install Chromium ' +
  '(Debian: apt-get install chromium), or run `npm test` as root on Debian to have it installed.';
