// deploy/nginx.conf as the load-balancer tests run it: only the upstream servers and the
// listen address change, and a file of another shape is refused rather than half-rewritten.
// Plus the headers issue 15 is about, read from the shipped file itself.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEPLOY_NGINX_CONF, rewriteDeployConf } from '../support/nginx.ts';

const shipped = readFileSync(DEPLOY_NGINX_CONF, 'utf8');
const UPSTREAMS = ['127.0.0.1:4001', '127.0.0.1:4002'];

describe('deploy/nginx.conf', () => {
  it('forwards Host with its port and the scheme, sets X-Forwarded-Host itself, and passes WebSocket upgrades', () => {
    const directives = shipped.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
    expect(directives).toContain('proxy_set_header Host $http_host;');
    expect(directives).toContain('proxy_set_header X-Forwarded-Proto $scheme;');
    // Set, not passed through: with TRUST_PROXY=1 the app believes it as nginx's word.
    expect(directives).toContain('proxy_set_header X-Forwarded-Host $http_host;');
    expect(directives).toContain('proxy_set_header Upgrade $http_upgrade;');
    expect(directives).toContain('proxy_set_header Connection $connection_upgrade;');
    // $host drops the port: the browser's Origin would no longer match (403 origin_not_allowed).
    expect(directives.filter((d) => /proxy_set_header\s+Host\s/.test(d))).toHaveLength(1);
  });

  it('the test rewrite changes exactly the two upstream servers and the listen line', () => {
    const rewritten = rewriteDeployConf(shipped, UPSTREAMS, '127.0.0.1:4000');
    const before = shipped.split('\n');
    const after = rewritten.split('\n');
    expect(after).toHaveLength(before.length);
    const changed = before.flatMap((line, i) => (line === after[i] ? [] : [[line.trim(), after[i]!.trim()]]));
    expect(changed).toEqual([
      ['server app1:3000 max_fails=1 fail_timeout=5s;', 'server 127.0.0.1:4001 max_fails=1 fail_timeout=5s;'],
      ['server app2:3000 max_fails=1 fail_timeout=5s;', 'server 127.0.0.1:4002 max_fails=1 fail_timeout=5s;'],
      ['listen 80;', 'listen 127.0.0.1:4000;'],
    ]);
  });

  it('a file of another shape is refused, not run half-rewritten', () => {
    expect(() => rewriteDeployConf(shipped, ['127.0.0.1:4001'], '127.0.0.1:4000')).toThrow(/2 upstream servers, the test has 1/);
    const thirdReplica = shipped.replace(/^(\s*server app2:3000[^\n]*\n)/m, '$1  server app3:3000;\n');
    expect(() => rewriteDeployConf(thirdReplica, UPSTREAMS, '127.0.0.1:4000')).toThrow(/3 upstream servers/);
    expect(() => rewriteDeployConf(shipped.replace('listen 80;', 'listen 8080;'), UPSTREAMS, '127.0.0.1:4000')).toThrow(/0 "listen 80;" lines/);
  });
});
