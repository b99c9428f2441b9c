// Vitest globalSetup: make sure the browser tests have a browser (test/support/find-browser.ts).
// When none is found and we run as root on Debian, install Debian's `chromium` package, and
// say so; otherwise leave it to the e2e tests to fail with a message that says what to do.
import type { TestProject } from 'vitest/node';
import { installDebianPackage, mayInstallDebianPackages } from './debian-packages.ts';
import { findBrowser } from './find-browser.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The browser the e2e tests launch; '' when none was found. */
    chromePath: string;
  }
}

export default function setup(project: TestProject): void {
  let found = findBrowser();
  if (!found && mayInstallDebianPackages() && installDebianPackage('chromium', 'No Chrome or Chromium found (set CHROME_PATH to use another browser)', 'browser-setup')) {
    found = findBrowser();
    if (found) console.log(`[browser-setup] Installed: ${found.path}`);
  }
  project.provide('chromePath', found?.path ?? '');
}
