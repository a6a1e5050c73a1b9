import crypto from 'node:crypto';
import type { Request, Response } from 'express';
import type { Db } from '../db/connection.js';
import { cookieOptions } from '../http/cookies.js';
import { createRateLimiter } from '../http/rateLimit.js';

/**
 * Sign-in throttling that an attacker elsewhere cannot turn against the account's owner.
 *
 * - Failures are counted per account *and* client (address): 5 in 15 minutes block that pair
 *   only. The owner at another address is not affected.
 * - A browser that signed in to the account before carries a signed « appareil connu » cookie
 *   (OWASP's device-cookie pattern): it has its own counter and ignores the address and
 *   untrusted-client blocks, so the owner gets in from their usual browser even behind the
 *   attacker's address.
 * - Untrusted clients together get 20 failures per account in 15 minutes (a distributed guess
 *   from many addresses); known browsers still get in.
 * - Every attempt refused by a block costs no password check and counts against the address,
 *   which therefore stays blocked as long as it keeps trying.
 *
 * Keys are emails as typed (trimmed, lower case) whether or not the account exists, so unknown
 * emails lock exactly like known ones. Counters live in memory only (hashed keys, see
 * rateLimit.ts): no address is ever stored; a restart forgets them.
 */
export const LOGIN_MAX_FAILURES = 5;
export const LOGIN_LOCK_MINUTES = 15;
export const LOGIN_IP_MAX_FAILURES = 30;
export const LOGIN_UNTRUSTED_MAX_FAILURES = 20;

export const DEVICE_COOKIE = 'avenir_appareil';
const DEVICE_MAX_AGE_MS = 180 * 24 * 3600 * 1000;
const DEVICE_KEY_SETTING = 'login_device_key';

export type LoginAttempt = {
  email: string;
  /** clientKey(req): the address as Express computed it. */
  client: string;
  /** The nonce of a valid « appareil connu » cookie for this email, if the browser has one. */
  device?: string;
};

export type Refusal = { reason: 'network' | 'account'; retryAfterMs: number };

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The device-cookie key, created once and kept in `settings` so known browsers survive restarts. */
function deviceKey(db: Db): Buffer {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(DEVICE_KEY_SETTING) as { value: string } | undefined;
  if (row) return Buffer.from(row.value, 'hex');
  const key = crypto.randomBytes(32);
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(DEVICE_KEY_SETTING, key.toString('hex'));
  return Buffer.from((db.prepare('SELECT value FROM settings WHERE key = ?').get(DEVICE_KEY_SETTING) as { value: string }).value, 'hex');
}

export function createLoginThrottle(db: Db, now: () => number) {
  const windowMs = LOGIN_LOCK_MINUTES * 60_000;
  const limiter = (max: number) => createRateLimiter({ windowMs, max, now });
  const byAddress = limiter(LOGIN_IP_MAX_FAILURES);
  const byAccountClient = limiter(LOGIN_MAX_FAILURES);
  const byAccountDevice = limiter(LOGIN_MAX_FAILURES);
  const byAccountUntrusted = limiter(LOGIN_UNTRUSTED_MAX_FAILURES);
  const key = deviceKey(db);
  const mac = (nonce: string, email: string) => crypto.createHmac('sha256', key).update(`${nonce}|${normaliseEmail(email)}`).digest('base64url');

  const pair = (a: LoginAttempt) => `${normaliseEmail(a.email)}\n${a.client}`;
  const device = (a: LoginAttempt) => `${normaliseEmail(a.email)}\n${a.device}`;
  const account = (a: LoginAttempt) => normaliseEmail(a.email);

  return {
    /** The nonce of the browser's device cookie if it was issued for this email (no DB, no argon2). */
    knownDevice(req: Request, email: string): string | undefined {
      const value = req.cookies?.[DEVICE_COOKIE];
      if (typeof value !== 'string' || value.length > 100) return undefined;
      const [nonce, sig] = value.split('.');
      if (!nonce || !sig || !/^[A-Za-z0-9_-]{22}$/.test(nonce)) return undefined;
      const expected = Buffer.from(mac(nonce, email));
      const sent = Buffer.from(sig);
      return expected.length === sent.length && crypto.timingSafeEqual(expected, sent) ? nonce : undefined;
    },

    /** A new « appareil connu » cookie at each successful sign-in (a fresh nonce: a fresh counter). */
    rememberDevice(req: Request, res: Response, email: string) {
      const nonce = crypto.randomBytes(16).toString('base64url');
      res.cookie(DEVICE_COOKIE, `${nonce}.${mac(nonce, email)}`, { ...cookieOptions(req), maxAge: DEVICE_MAX_AGE_MS });
    },

    /** Why this attempt is refused before any password check, or undefined if it may go on. */
    refusal(a: LoginAttempt): Refusal | undefined {
      if (a.device) {
        if (!byAccountDevice.allowed(device(a))) return { reason: 'account', retryAfterMs: byAccountDevice.retryAfterMs(device(a)) };
        return undefined;
      }
      if (!byAddress.allowed(a.client)) return { reason: 'network', retryAfterMs: byAddress.retryAfterMs(a.client) };
      if (!byAccountClient.allowed(pair(a))) return { reason: 'account', retryAfterMs: byAccountClient.retryAfterMs(pair(a)) };
      if (!byAccountUntrusted.allowed(account(a))) return { reason: 'account', retryAfterMs: byAccountUntrusted.retryAfterMs(account(a)) };
      return undefined;
    },

    /** A refused attempt still counts against its address. */
    refused(a: LoginAttempt) {
      byAddress.hit(a.client);
    },

    /** A wrong password (or unknown or disabled account): counted; says whether this one locked. */
    failed(a: LoginAttempt): Refusal | undefined {
      byAddress.hit(a.client);
      if (a.device) byAccountDevice.hit(device(a));
      else {
        byAccountClient.hit(pair(a));
        byAccountUntrusted.hit(account(a));
      }
      const r = this.refusal(a);
      return r?.reason === 'account' ? r : undefined;
    },

    /** The right password: this client's and this browser's counters for the account start again. */
    succeeded(a: LoginAttempt) {
      byAccountClient.reset(pair(a));
      if (a.device) byAccountDevice.reset(device(a));
    },

    /** An admin reset the password: whoever holds the new one may try at once. */
    clearAccount(email: string) {
      byAccountUntrusted.reset(normaliseEmail(email));
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
