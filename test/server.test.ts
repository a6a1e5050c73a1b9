import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm start` runs src/server.ts: the one place that reads the environment and listens.
const root = path.resolve(import.meta.dirname, '..');
// Exactly what `npm start` runs: one node process (a SIGKILL leaves no orphan child behind).
const nodeArgs = ['--import', 'tsx'];

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, [...nodeArgs, 'src/server.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

  it('stops with a clear message on a weak ADMIN_PASSWORD, creating no account', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-start-'));
    const p = run({ DATABASE_PATH: path.join(dir, 'avenir.db'), ADMIN_EMAIL: 'chef@example.org', ADMIN_PASSWORD: 'aaaaaaaaaaaa' });
    expect(await p.exited).toBe(1);
    expect(p.output()).toContain('ADMIN_PASSWORD refusé : Ce mot de passe est trop facile à deviner.');
    expect(p.output()).not.toContain('    at '); // a message, not a stack trace
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

describe('npm run backup', () => {
  it('writes a copy of the database named on the command line, and refuses to overwrite one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-backup-cli-'));
    const { openDatabase } = await import('../src/db/connection.js');
    openDatabase(path.join(dir, 'avenir.db')).close();
    const runCli = (args: string[]) => {
      const child = spawn(process.execPath, [...nodeArgs, 'src/db/backup-cli.ts', ...args], {
        cwd: root,
        env: { ...process.env, DATABASE_PATH: path.join(dir, 'avenir.db') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      return new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
    };
    const ok = await runCli([path.join(dir, 'sauvegardes', 'copie.db')]);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('Sauvegarde écrite');
    expect(fs.existsSync(path.join(dir, 'sauvegardes', 'copie.db'))).toBe(true);
    const again = await runCli([path.join(dir, 'sauvegardes', 'copie.db')]);
    expect(again.code).toBe(1);
    expect(again.out).toContain('existe déjà');
    const usage = await runCli([]);
    expect(usage.code).toBe(2);
    expect(usage.out).toContain('Usage : npm run backup -- <fichier-de-sauvegarde.db>');
  });
});
