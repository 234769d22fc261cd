/**
 * The control listener of the local STAC API's child process: a second loopback HTTP server, started
 * only for the bench harness, that answers `GET /cpu` with the CPU time the process has used so
 * far. The bench files run in vitest's forked processes, which cannot reach the IPC channel of the
 * process that started the server; a loopback URL passed in the bench's provided info can.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ControlListener {
  /** `http://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

/** What `GET /cpu` answers. */
export interface CpuAnswer {
  /** User + system CPU seconds of the whole process since it started. */
  cpu_seconds: number;
}

export async function startControlListener(): Promise<ControlListener> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/cpu') {
      const cpu = process.cpuUsage();
      const body: CpuAnswer = { cpu_seconds: (cpu.user + cpu.system) / 1e6 };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The CPU seconds the server's process has used so far, read through its control listener. */
export async function readServerCpu(controlUrl: string): Promise<number> {
  const res = await fetch(`${controlUrl}/cpu`);
  if (!res.ok) throw new Error(`${controlUrl}/cpu: HTTP ${res.status}`);
  const body = (await res.json()) as Partial<CpuAnswer>;
  if (typeof body.cpu_seconds !== 'number' || !Number.isFinite(body.cpu_seconds))
    throw new Error(`${controlUrl}/cpu: no cpu_seconds in the answer`);
  return body.cpu_seconds;
}
