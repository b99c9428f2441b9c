// Vitest globalSetup: the load-balancer tests run deploy/nginx.conf with Debian's nginx
// (test/support/nginx.ts). They need PostgreSQL (two replicas share it), so only when
// DATABASE_URL is set: when nginx is not installed and we run as root on Debian, install
// Debian's `nginx` package, as browser-setup.ts does for Chromium. Otherwise those tests fail
// with a message that says what to install.
import type { TestProject } from 'vitest/node';
import { loadConfig } from '../../server/config.ts';
import { installDebianPackage, mayInstallDebianPackages } from './debian-packages.ts';
import { findNginx } from './nginx.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The nginx the load-balancer tests run; '' when none was found. */
    nginxPath: string;
  }
}

export default function setup(project: TestProject): void {
  let found = findNginx();
  if (!found && loadConfig().databaseUrl && mayInstallDebianPackages() && installDebianPackage('nginx', 'No nginx found for the load-balancer tests', 'nginx-setup')) {
    found = findNginx();
    if (found) console.log(`[nginx-setup] Installed: ${found}`);
  }
  project.provide('nginxPath', found ?? '');
}
