// Vitest globalSetup: make sure the browser tests have a browser (test/support/find-browser.ts).
// When none is found and we run as root on Debian, install Debian's `chromium` package, and
// say so; otherwise leave it to the e2e tests to fail with a message that says what to do.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { findBrowser } from './find-browser.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The browser the e2e tests launch; '' when none was found. */
    chromePath: string;
  }
}

/** Debian (or a derivative) with apt-get, and we may install packages. */
export function canInstallDebianChromium(opts: { uid: number | undefined; debian: boolean; aptGet: boolean }): boolean {
  return opts.uid === 0 && opts.debian && opts.aptGet;
}

function installDebianChromium(): void {
  console.log('[browser-setup] No Chrome or Chromium found; installing Debian\'s "chromium" package with apt-get (set CHROME_PATH to use another browser).');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
}

export default function setup(project: TestProject): void {
  let found = findBrowser();
  if (!found && canInstallDebianChromium({ uid: process.getuid?.(), debian: existsSync('/etc/debian_version'), aptGet: existsSync('/usr/bin/apt-get') })) {
    try {
      installDebianChromium();
    } catch (err) {
      console.error(`[browser-setup] Installing chromium failed: ${(err as Error).message}`);
    }
    found = findBrowser();
    if (found) console.log(`[browser-setup] Installed: ${found.path}`);
  }
  project.provide('chromePath', found?.path ?? '');
}
