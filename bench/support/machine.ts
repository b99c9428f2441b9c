import os from 'node:os';

export interface MachineInfo {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  postgres: string;
  platform: string;
  /** 1/5/15-minute load averages when the run started (the machine is shared). */
  loadAvg: number[];
}

export function machineInfo(postgresVersion: string): MachineInfo {
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres: postgresVersion,
    platform: `${os.type()} ${os.release()}`,
    loadAvg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}
