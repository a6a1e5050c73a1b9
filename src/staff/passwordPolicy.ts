import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
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

// Dictionaries cost ~15 MB of heap and ~0.2 s to load: loaded on the first check only, once per
// process (a server where nobody changes a password never pays for them).
let estimator: Promise<ZxcvbnFactory> | undefined;
function loadEstimator(): Promise<ZxcvbnFactory> {
  estimator ??= (async () => {
    const [{ ZxcvbnFactory }, common, french] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-fr'),
    ]);
    // No Levenshtein matching: it multiplies the cost of a check by ~15 (100+ ms of CPU each)
    // for little gain once the exact, l33t and reversed matches are in.
    return new ZxcvbnFactory({
      dictionary: { ...common.dictionary, ...french.dictionary },
      graphs: common.adjacencyGraphs,
      translations: french.translations,
    });
  })();
  estimator.catch(() => (estimator = undefined));
  return estimator;
}

/** Whether the estimator's dictionaries are in memory (for the memory measurement). */
export function estimatorLoaded(): boolean {
  return estimator !== undefined;
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
  const result = (await loadEstimator()).check(password, userInputs(email));
  if (result.score >= MIN_SCORE) return { ok: true };
  const hints = [result.feedback.warning, ...result.feedback.suggestions].filter((s): s is string => Boolean(s));
  return { ok: false, message: fr.security.passwordWeak(hints.length ? hints : [fr.security.passwordWeakDefaultHint]) };
}

/** A generated password (admin pages, CLI) that passes the policy, checked rather than assumed. */
export async function generateStrongPassword(): Promise<string> {
  for (;;) {
    const candidate = generatePassword();
    if ((await checkPassword(candidate)).ok) return candidate;
  }
}
