import { Worker } from 'node:worker_threads';
import { fr } from '../strings.js';
import { generatePassword, MIN_PASSWORD_LENGTH } from './passwords.js';

// The one rule for every new staff password, wherever it is chosen: the change-password page,
// the admin pages (generated passwords), ADMIN_PASSWORD at start and `npm run staff`.
// Strength is estimated by zxcvbn (common passwords, French words and names, keyboard rows,
// repeats, dates, the person's own email and the site's name), not by composition rules.

export const MAX_PASSWORD_LENGTH = 200;
/** zxcvbn's scale: 3 = "safely unguessable: moderate protection from offline slow-hash attacks". */
export const MIN_SCORE = 3;

export type PasswordVerdict = { ok: true } | { ok: false; message: string };

// The estimator runs in a worker thread started on the first check and ended after a minute
// without any: its dictionaries (~20-30 MB of RSS once used) are not kept by a server where
// nobody is choosing a password (measured by `npm run bench -- password-policy`).
const WORKER_FILE = new URL('./passwordEstimator.worker.mjs', import.meta.url);
const IDLE_MS = 60_000;
type Estimate = { score: number; warning: string | null; suggestions: string[] };
let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const pending = new Map<number, { resolve: (e: Estimate) => void; reject: (e: Error) => void }>();

function estimatorWorker(): Worker {
  if (worker) return worker;
  // execArgv []: the worker is plain JavaScript, it doesn't need the TypeScript loader.
  // A small young generation (like the server's --max-semi-space-size=8) keeps its RSS down.
  const w = new Worker(WORKER_FILE, { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 96 } });
  w.on('message', (m: Estimate & { id: number; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(new Error(m.error));
    else p?.resolve(m);
    if (pending.size === 0) w.unref();
  });
  const fail = (e: Error) => {
    if (worker === w) worker = undefined;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', () => fail(new Error('estimateur de mots de passe arrêté')));
  worker = w;
  return w;
}

function estimate(password: string, inputs: string[]): Promise<Estimate> {
  const w = estimatorWorker();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (worker === w && pending.size === 0) {
      worker = undefined;
      void w.terminate();
    }
  }, IDLE_MS).unref();
  const id = nextId++;
  w.ref(); // keep the process up while a check is running
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    w.postMessage({ id, password, inputs });
  });
}

/** Whether the estimator (and its dictionaries) is in memory right now. */
export function estimatorRunning(): boolean {
  return worker !== undefined;
}

/** Ends the estimator now (tests, shutdown); the next check starts it again. */
export async function stopEstimator(): Promise<void> {
  const w = worker;
  worker = undefined;
  clearTimeout(idleTimer);
  if (w) await w.terminate();
}

/** What zxcvbn should treat as known to an attacker: the email, its parts, the site's name. */
export function userInputs(email?: string): string[] {
  const inputs = new Set<string>();
  const add = (s: string) => {
    const v = s.trim().toLowerCase();
    if (v.length >= 3) inputs.add(v);
  };
  for (const name of [fr.siteName, fr.organiser]) {
    add(name);
    add(name.replace(/[\s’'-]+/g, ''));
    name.split(/[\s’'-]+/).forEach(add);
  }
  if (email) {
    add(email);
    const [local, domain = ''] = email.split('@');
    add(local);
    local.split(/[._+-]+/).forEach(add);
    domain.split('.').forEach(add);
  }
  return [...inputs];
}

/**
 * Checks a new password. The French message says what is wrong and how to do better (zxcvbn's
 * own feedback, in its French translation).
 */
export async function checkPassword(password: string, opts: { email?: string } = {}): Promise<PasswordVerdict> {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return { ok: false, message: fr.security.passwordTooShort(MIN_PASSWORD_LENGTH, length) };
  if (length > MAX_PASSWORD_LENGTH) return { ok: false, message: fr.security.passwordTooLong(MAX_PASSWORD_LENGTH) };
  const email = opts.email?.trim().toLowerCase();
  if (email && password.trim().toLowerCase() === email) return { ok: false, message: fr.security.passwordIsEmail };
  const result = await estimate(password, userInputs(email));
  if (result.score >= MIN_SCORE) return { ok: true };
  // zxcvbn's warnings have no final full stop, its suggestions do: one sentence each.
  const hints = [result.warning, ...result.suggestions]
    .filter((s): s is string => Boolean(s))
    .map((s) => (/[.!?]$/.test(s.trim()) ? s.trim() : `${s.trim()}.`));
  return { ok: false, message: fr.security.passwordWeak(hints.length ? hints : [fr.security.passwordWeakDefaultHint]) };
}

/** A generated password (admin pages, CLI) that passes the policy, checked rather than assumed. */
export async function generateStrongPassword(): Promise<string> {
  for (;;) {
    const candidate = generatePassword();
    if ((await checkPassword(candidate)).ok) return candidate;
  }
}
