import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm start` runs src/server.ts: the one place that reads the environment and listens.
const root = path.resolve(import.meta.dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');

function run(env: Record<string, string>) {
  const child = spawn(tsx, ['src/server.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

describe('server start', () => {
  it('stops with a clear message on a bad variable', async () => {
    const p = run({ PORT: 'quatre-mille' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('Configuration invalide');
    expect(p.output()).toContain('PORT');
  });

  it('creates the database folder, migrates and serves /healthz and the survey', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-start-'));
    const port = await freePort();
    const p = run({ PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: path.join(dir, 'nouveau', 'avenir.db') });
    try {
      let health: Response | undefined;
      for (let i = 0; i < 100 && !health; i++) {
        await new Promise((r) => setTimeout(r, 100));
        health = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
      }
      expect(health?.status).toBe(200);
      expect(await health!.json()).toMatchObject({ status: 'ok' });
      const page = await fetch(`http://127.0.0.1:${port}/questionnaire/1`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Étape 1 sur 4');
      expect(fs.existsSync(path.join(dir, 'nouveau', 'avenir.db'))).toBe(true);
      expect(fs.existsSync(path.join(dir, 'nouveau', 'avenir.db-wal'))).toBe(true);
    } finally {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  });
});
