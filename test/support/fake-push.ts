// A local push service over https with its own certificate. It stores what it receives
// and, holding the subscription's private keys like a browser would, decrypts payloads
// (RFC 8291, aes128gcm) and checks the VAPID signature (RFC 8292).
import { execFileSync } from 'node:child_process';
import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes, randomUUID, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ReceivedPush {
  subscriptionId: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  at: number;
}

interface FakeSubscription {
  id: string;
  endpoint: string;
  publicKey: Buffer;
  auth: Buffer;
  ecdh: ReturnType<typeof createECDH>;
  /** What the service answers for this subscription (201 by default). */
  status: number;
}

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

export class FakePushService {
  readonly received: ReceivedPush[] = [];
  readonly agent: Agent;
  private readonly subs = new Map<string, FakeSubscription>();
  private waiters: Array<() => void> = [];

  private constructor(
    private readonly server: Server,
    readonly origin: string,
    readonly cert: Buffer,
    private readonly dir: string,
  ) {
    this.agent = new Agent({ ca: cert });
  }

  static async start(): Promise<FakePushService> {
    const dir = mkdtempSync(path.join(tmpdir(), 'fake-push-'));
    const key = path.join(dir, 'key.pem');
    const crt = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', crt, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    const cert = readFileSync(crt);
    let self: FakePushService | undefined;
    const server = createServer({ key: readFileSync(key), cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = (req.url ?? '').split('/').pop() ?? '';
        const sub = self!.subs.get(id);
        self!.received.push({ subscriptionId: id, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
        res.statusCode = sub ? sub.status : 404;
        res.end();
        self!.wake();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    self = new FakePushService(server, `https://127.0.0.1:${port}`, cert, dir);
    return self;
  }

  /** What a browser's PushManager.subscribe() would hand the page. */
  subscribe(status = 201): { id: string; endpoint: string; keys: { p256dh: string; auth: string } } {
    const id = randomUUID();
    const ecdh = createECDH('prime256v1');
    const publicKey = ecdh.generateKeys();
    const auth = randomBytes(16);
    const endpoint = `${this.origin}/push/${id}`;
    this.subs.set(id, { id, endpoint, publicKey, auth, ecdh, status });
    return { id, endpoint, keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') } };
  }

  setStatus(subscriptionId: string, status: number) {
    this.subs.get(subscriptionId)!.status = status;
  }

  for(subscriptionId: string): ReceivedPush[] {
    return this.received.filter((r) => r.subscriptionId === subscriptionId);
  }

  /** RFC 8291: the subscription's private key and auth secret turn the body back into JSON. */
  decrypt(push: ReceivedPush): any {
    const sub = this.subs.get(push.subscriptionId);
    if (!sub) throw new Error('unknown subscription');
    if (push.headers['content-encoding'] !== 'aes128gcm') throw new Error(`content-encoding is ${String(push.headers['content-encoding'])}`);
    const body = push.body;
    const salt = body.subarray(0, 16);
    const rs = body.readUInt32BE(16);
    const idLen = body[20]!;
    const asPublic = body.subarray(21, 21 + idLen);
    const ciphertext = body.subarray(21 + idLen);
    if (ciphertext.length > rs) throw new Error('more than one record');
    const ecdhSecret = sub.ecdh.computeSecret(asPublic);
    const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), sub.publicKey, asPublic]);
    const ikm = hmac(hmac(sub.auth, ecdhSecret), Buffer.concat([keyInfo, Buffer.from([1])]));
    const prk = hmac(salt, ikm);
    const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01', 'binary')).subarray(0, 16);
    const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01', 'binary')).subarray(0, 12);
    const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
    decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
    // The last record ends with the delimiter 0x02 followed by zero padding.
    let end = padded.length - 1;
    while (end >= 0 && padded[end] === 0) end--;
    if (padded[end] !== 2) throw new Error('bad padding delimiter');
    return JSON.parse(padded.subarray(0, end).toString('utf8'));
  }

  /** RFC 8292: `Authorization: vapid t=<JWT>, k=<key>`; the JWT is checked against k. */
  vapid(push: ReceivedPush): { aud: string; sub: string; exp: number; k: string } {
    const header = String(push.headers.authorization ?? '');
    const m = /^vapid t=([^,\s]+),\s*k=(\S+)$/.exec(header);
    if (!m) throw new Error(`no vapid authorization: ${header}`);
    const [h, p, sig] = m[1]!.split('.');
    const k = m[2]!;
    const pub = Buffer.from(k, 'base64url');
    const jwk = { kty: 'EC', crv: 'P-256', x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33, 65).toString('base64url') };
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key: createPublicKey({ key: jwk, format: 'jwk' }), dsaEncoding: 'ieee-p1363' }, Buffer.from(sig!, 'base64url'));
    if (!ok) throw new Error('VAPID signature does not verify');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString('utf8'));
    return { ...claims, k };
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async waitFor(pred: () => boolean, timeoutMs = 15_000, what = 'push'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${this.received.length}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
