import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Output chunks kept per process (for error messages): a long soak must not hold every log line. */
const KEPT_OUTPUT_CHUNKS = 500;
/** stop(): SIGTERM, then SIGKILL if the process has not exited after this. */
const STOP_TIMEOUT_MS = 30_000;

export interface ServerProcess {
  url: string;
  wsUrl: string;
  proc: ChildProcess;
  output: string[];
  /** SIGKILL: the instance dies without any cleanup, like a crashed machine. */
  kill(): void;
  /** SIGTERM (graceful shutdown), resolved when the process has exited. */
  stop(): Promise<void>;
}

/** Starts `server/main.ts` as a separate OS process (another server instance). */
export function spawnServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SERVE_WEB: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`server did not start in ${timeoutMs} ms:\n${output.join('')}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const m = /Focus Coach on (http:\/\/[\d.:]+)/.exec(output.join(''));
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off('data', onData);
      const keep = (c: Buffer) => {
        output.push(c.toString());
        if (output.length > KEPT_OUTPUT_CHUNKS) output.splice(0, output.length - KEPT_OUTPUT_CHUNKS);
      };
      proc.stdout!.on('data', keep);
      proc.stderr!.off('data', onStartupError);
      proc.stderr!.on('data', keep);
      resolve({
        url: m[1]!,
        wsUrl: m[1]!.replace(/^http/, 'ws'),
        proc,
        output,
        kill: () => proc.kill('SIGKILL'),
        stop: () =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return done();
            // A shutdown that hangs (its database is gone, say) ends as a crash would.
            const force = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
            proc.once('exit', () => {
              clearTimeout(force);
              done();
            });
            proc.kill('SIGTERM');
          }),
      });
    };
    proc.stdout!.on('data', onData);
    const onStartupError = (c: Buffer) => output.push(c.toString());
    proc.stderr!.on('data', onStartupError);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.join('')}`));
    });
  });
}
