import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ClientCommand, ClientReply } from '../clients/ws-clients.ts';

const CLIENT_SCRIPT = fileURLToPath(new URL('../clients/ws-clients.ts', import.meta.url));

/** A bench client process (bench/clients/ws-clients.ts) and a typed request/reply over IPC. */
export class ClientProcess {
  private constructor(private readonly proc: ChildProcess) {}

  static start(): ClientProcess {
    const proc = fork(CLIENT_SCRIPT, [], { execArgv: ['--import', 'tsx', '--max-old-space-size=2048'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new ClientProcess(proc);
  }

  request<T extends ClientReply['type']>(cmd: ClientCommand, expect: T, timeoutMs = 120_000): Promise<Extract<ClientReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`bench client: no ${expect} in ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (m: ClientReply) => {
        if (m.type !== expect) return;
        clearTimeout(timer);
        this.proc.off('message', onMessage);
        resolve(m as Extract<ClientReply, { type: T }>);
      };
      this.proc.on('message', onMessage);
      this.proc.send(cmd);
    });
  }

  async close(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const exited = new Promise((r) => this.proc.once('exit', r));
    await this.request({ cmd: 'close' }, 'closed', 10_000).catch(() => this.proc.kill('SIGKILL'));
    await exited;
  }
}
