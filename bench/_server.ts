import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

// The real server in a child process, started exactly as `npm start` starts it (the command of
// package.json, without npm in between), and what /proc says about it. Used by bench/export.ts
// and bench/live-attack.ts.

const ROOT = path.resolve(import.meta.dirname, '..');

export type Server = { child: ChildProcess; pid: number; port: number; log: string[]; readyMs: number };

export async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/** The arguments of `npm start` after "node" (package.json), e.g. --max-semi-space-size=8 --import tsx src/server.ts. */
export function startArgs(): string[] {
  const script = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start;
  const [node, ...args] = script.trim().split(/\s+/);
  if (node !== 'node' || !args.includes('src/server.ts')) throw new Error(`script start inattendu : ${script}`);
  return args;
}

/** Starts the server and waits for /healthz (a first start on an old database may rebuild tables: give it time). */
export async function startServer(env: Record<string, string>, opts: { readyTimeoutMs?: number } = {}): Promise<Server> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, startArgs(), {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log: string[] = [];
  // Keep the start of the log (errors at start-up), not one line per refused stream.
  const keep = (s: string) => void (log.length < 200 && log.push(s));
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`le serveur s’est arrêté au démarrage :\n${log.join('')}`);
    const ok = await new Promise<boolean>((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: '/healthz' }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        })
        .on('error', () => resolve(false));
    });
    if (ok) break;
    if (performance.now() - t0 > readyTimeoutMs) throw new Error(`serveur pas prêt après ${Math.round(readyTimeoutMs / 60_000)} minutes`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, pid: child.pid!, port, log, readyMs: performance.now() - t0 };
}

export async function stopServer(s: Server) {
  if (s.child.exitCode !== null) return;
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Resident memory (bytes) and open file descriptors of a process, from /proc. */
export function processFootprint(pid: number): { rss: number; fds: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const rss = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
  return { rss, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
}

/** CPU time (user + system, ms) the process has used so far, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}
