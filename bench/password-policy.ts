import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/connection.js';
import { checkPassword, stopEstimator } from '../src/staff/passwordPolicy.js';
import { hashPassword } from '../src/staff/passwords.js';
import { createStaffStore } from '../src/staff/store.js';

// Issue 9, part 8: what the password estimator (zxcvbn + French and common dictionaries) costs.
// 1. Time, in this process: the first check (loads the dictionaries) and the next ones, against
//    the ceiling every password change already pays, one argon2id hash, measured in the same run.
// 2. Memory of the real server (`npm start`'s command, child process, /proc/<pid>/status): idle,
//    then after a password change through /compte/mot-de-passe (the first check loads the
//    dictionaries, in a worker thread), after 20 more changes, and a minute later (the worker has
//    ended). Target: < 150 MiB.
//
//   npm run bench -- password-policy

const ROOT = path.resolve(import.meta.dirname, '..');
const OUT = path.join(ROOT, 'bench', 'results', 'password-policy.json');
const TARGET_MIB = 150;
const MiB = 1024 * 1024;
const mib = (b: number) => Math.round((b / MiB) * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const PASSWORDS = ['brique pluie terril vélo', 'soleil-lens-2026-crassier'];

async function timeIt<T>(fn: () => Promise<T>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

// ── 1. Time ─────────────────────────────────────────────────────────────────────────────────
const first = await timeIt(() => checkPassword('premier-essai-de-mot-de-passe', { email: 'camille@example.org' }));
const checks: number[] = [];
const hashes: number[] = [];
const samples = ['aaaaaaaaaaaa', 'motdepasse123', 'azertyuiop12', 'camille@example.org', ...PASSWORDS, 'Tr0mp3tte bleue sur le beffroi', 'x7Kq9mPz2rTw4vNb8cYd'];
for (let round = 0; round < 3; round++) {
  for (const p of samples) {
    checks.push(await timeIt(() => checkPassword(p, { email: 'camille@example.org' })));
    hashes.push(await timeIt(() => hashPassword(p)));
  }
}

await stopEstimator();

// ── 2. Memory of the real server ────────────────────────────────────────────────────────────
function rssOf(pid: number): { rss: number; hwm: number } {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}
const port = await new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => {
    const p = (s.address() as net.AddressInfo).port;
    s.close(() => resolve(p));
  });
});
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-bench-pw-'));
const dbPath = path.join(dir, 'avenir.db');
{
  const db = openDatabase(dbPath);
  createStaffStore(db).create('camille@example.org', 'analyst', await hashPassword(PASSWORDS[0]));
  db.close();
}
const start = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.start.split(' ').slice(1) as string[];
const child = spawn(process.execPath, start, { cwd: ROOT, env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: dbPath }, stdio: 'ignore' });
const base = `http://127.0.0.1:${port}`;
const jar = new Map<string, string>();
async function call(url: string, form?: Record<string, string>) {
  const res = await fetch(base + url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '), ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const i = pair.indexOf('=');
    jar.set(pair.slice(0, i), pair.slice(i + 1));
  }
  const text = await res.text();
  return { status: res.status, text, csrf: /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? '' };
}
const settle = () => new Promise((r) => setTimeout(r, 1500));
let memory: Record<string, number> = {};
try {
  for (let i = 0; i < 200; i++) {
    await new Promise((r) => setTimeout(r, 100));
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
  }
  const login = await call('/login');
  const signedIn = await call('/login', { _csrf: login.csrf, email: 'camille@example.org', password: PASSWORDS[0] });
  if (signedIn.status !== 303) throw new Error(`connexion : ${signedIn.status}`);
  await call('/equipe');
  await settle();
  const idle = rssOf(child.pid!);
  // The same argon2 work as 21 changes (a verification and a hash each) without the estimator:
  // what the changes cost apart from zxcvbn.
  for (let i = 0; i < 42; i++) {
    const p = await call('/login');
    await call('/login', { _csrf: p.csrf, email: 'camille@example.org', password: PASSWORDS[0] });
  }
  await settle();
  const afterLogins = rssOf(child.pid!);
  let current = 0;
  const change = async () => {
    const page = await call('/compte/mot-de-passe');
    const next = 1 - current;
    const r = await call('/compte/mot-de-passe', { _csrf: page.csrf, current: PASSWORDS[current], password: PASSWORDS[next], confirm: PASSWORDS[next] });
    if (r.status !== 200) throw new Error(`changement : ${r.status}`);
    current = next;
  };
  await change();
  await settle();
  const afterFirst = rssOf(child.pid!);
  for (let i = 0; i < 20; i++) await change();
  await settle();
  const afterMany = rssOf(child.pid!);
  // A minute without a check: the estimator's worker ends and its memory goes.
  await new Promise((r) => setTimeout(r, 65_000));
  await call('/equipe');
  await settle();
  const afterIdle = rssOf(child.pid!);
  memory = { idleMiB: mib(idle.rss), after42LoginsMiB: mib(afterLogins.rss), afterFirstChangeMiB: mib(afterFirst.rss), after21ChangesMiB: mib(afterMany.rss), oneMinuteLaterMiB: mib(afterIdle.rss), peakMiB: mib(afterMany.hwm) };
} finally {
  child.kill('SIGTERM');
  fs.rmSync(dir, { recursive: true, force: true });
}

const result = {
  date: new Date().toISOString(),
  node: process.version,
  firstCheckMs: Math.round(first),
  checkMedianMs: Math.round(median(checks) * 10) / 10,
  checkMaxMs: Math.round(Math.max(...checks) * 10) / 10,
  argon2HashMedianMs: Math.round(median(hashes) * 10) / 10,
  ratioCheckToHash: Math.round((median(checks) / median(hashes)) * 100) / 100,
  memory,
  targetMiB: TARGET_MIB,
};
console.log(`Vérification d’un mot de passe : 1re ${result.firstCheckMs} ms (chargement des dictionnaires), puis médiane ${result.checkMedianMs} ms (max ${result.checkMaxMs})`);
console.log(`Plafond (un hachage argon2id, même exécution) : médiane ${result.argon2HashMedianMs} ms → rapport ${result.ratioCheckToHash} (objectif ≤ 1)`);
console.log(
  `Mémoire du serveur : au repos ${memory.idleMiB} Mio, après 42 connexions (argon2 seul) ${memory.after42LoginsMiB} Mio, après le 1er changement ${memory.afterFirstChangeMiB} Mio, après 21 changements ${memory.after21ChangesMiB} Mio, une minute plus tard ${memory.oneMinuteLaterMiB} Mio (pic ${memory.peakMiB} Mio ; objectif < ${TARGET_MIB})`,
);
fs.mkdirSync(path.dirname(OUT), { recursive: true });
fs.writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
