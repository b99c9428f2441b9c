// What the test setup may install itself: Debian packages the suite drives as real programs
// (Chromium for the browser tests, nginx for the load-balancer tests), and only as root on
// Debian with apt-get. Elsewhere the tests that need them fail with a message saying what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian (or a derivative) with apt-get, and we may install packages. */
export function canInstallDebianPackages(opts: { uid: number | undefined; debian: boolean; aptGet: boolean }): boolean {
  return opts.uid === 0 && opts.debian && opts.aptGet;
}

/** canInstallDebianPackages for this machine. */
export function mayInstallDebianPackages(): boolean {
  return canInstallDebianPackages({ uid: process.getuid?.(), debian: existsSync('/etc/debian_version'), aptGet: existsSync('/usr/bin/apt-get') });
}

/** apt-get install of one package (without recommends), saying why first; false when it failed. */
export function installDebianPackage(name: string, why: string, tag: string): boolean {
  console.log(`[${tag}] ${why}; installing Debian's "${name}" package with apt-get.`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', name], { stdio: 'inherit', env });
    return true;
  } catch (err) {
    console.error(`[${tag}] Installing ${name} failed: ${(err as Error).message}`);
    return false;
  }
}
