import crypto from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import type { Db } from '../db/connection.js';
import { fr } from '../strings.js';
import type { SecretBox } from './secretBox.js';
import type { StaffUser } from './store.js';

// The second factor of staff accounts: TOTP (RFC 6238) as every authenticator app reads it —
// SHA-1, 6 digits, 30 s — accepted one step either side (clock drift), each step once; plus
// ten single-use recovery codes. Plain functions over the database; routes are in
// twoFactorRoutes.ts.

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;
/** The half-done sign-in (password right, code still due). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
export const CHALLENGE_MAX_ATTEMPTS = 3;
export const CHALLENGE_COOKIE = 'avenir_code';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const SETTINGS_KEY = 'security';

export type TwoFactorStatus = { enabled: false; pending: boolean } | { enabled: true; enabledAt: string; recoveryLeft: number };
export type CodeCheck = { ok: true; via: 'totp' | 'recovery' } | { ok: false };

/** Recovery codes as shown: 10 characters in two groups, no look-alikes (~50 bits each). */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const chars = Array.from(crypto.randomBytes(10), (b) => alphabet[b % alphabet.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}
/** What a person may type for a recovery code: any case, spaces or dashes anywhere. */
const normaliseRecovery = (s: string) => s.toLowerCase().replace(/[\s-]+/g, '');

export function createTwoFactor(deps: { db: Db; box: SecretBox; now: () => Date }) {
  const { db, box } = deps;
  const totpFor = (secretBase32: string, email: string) =>
    new OTPAuth.TOTP({
      issuer: fr.siteName,
      label: email,
      algorithm: 'SHA1',
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD,
      secret: OTPAuth.Secret.fromBase32(secretBase32),
    });
  const row = (userId: string) =>
    db.prepare('SELECT secret, enabled_at AS enabledAt, last_step AS lastStep FROM staff_totp WHERE user_id = ?').get(userId) as
      | { secret: string; enabledAt: string | null; lastStep: number }
      | undefined;

  /** The step a valid code belongs to, if it is valid now and newer than the last one used. */
  const acceptTotp = (userId: string, email: string, code: string, requireEnabled: boolean): boolean => {
    if (!/^\d{6}$/.test(code)) return false;
    const r = row(userId);
    if (!r || (requireEnabled && !r.enabledAt)) return false;
    const secret = box.open(r.secret);
    if (!secret) return false;
    const timestamp = deps.now().getTime();
    const delta = totpFor(secret, email).validate({ token: code, timestamp, window: TOTP_WINDOW });
    if (delta === null) return false;
    const step = Math.floor(timestamp / 1000 / TOTP_PERIOD) + delta;
    // Replay: a step at or before the last accepted one is refused (conditional update, so two
    // simultaneous posts of the same code can't both pass).
    return db.prepare('UPDATE staff_totp SET last_step = ? WHERE user_id = ? AND last_step < ?').run(step, userId, step).changes === 1;
  };

  const replaceRecoveryCodes = (userId: string): string[] => {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    db.transaction(() => {
      db.prepare('DELETE FROM staff_recovery_codes WHERE user_id = ?').run(userId);
      const insert = db.prepare('INSERT INTO staff_recovery_codes (user_id, code_hash) VALUES (?, ?)');
      for (const c of codes) insert.run(userId, sha256(normaliseRecovery(c)));
    })();
    return codes;
  };

  return {
    status(userId: string): TwoFactorStatus {
      const r = row(userId);
      if (!r?.enabledAt) return { enabled: false, pending: Boolean(r) };
      const left = (db.prepare('SELECT count(*) AS n FROM staff_recovery_codes WHERE user_id = ? AND used_at IS NULL').get(userId) as { n: number }).n;
      return { enabled: true, enabledAt: r.enabledAt, recoveryLeft: left };
    },
    isEnabled(userId: string): boolean {
      return Boolean(db.prepare('SELECT 1 FROM staff_totp WHERE user_id = ? AND enabled_at IS NOT NULL').get(userId));
    },

    /** Starts (or restarts) set-up: a fresh secret, not active until confirmed. */
    begin(userId: string) {
      if (this.isEnabled(userId)) return;
      const secret = new OTPAuth.Secret({ size: 20 }).base32;
      db.prepare(
        `INSERT INTO staff_totp (user_id, secret, created_at) VALUES (?, ?, ?)
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at, enabled_at = NULL, last_step = 0`,
      ).run(userId, box.seal(secret), deps.now().toISOString());
    },
    /** What the set-up page shows while set-up is pending: the key as text and as an SVG QR code. */
    async pendingSetup(user: Pick<StaffUser, 'id' | 'email'>): Promise<{ secret: string; uri: string; svg: string } | undefined> {
      const r = row(user.id);
      if (!r || r.enabledAt) return undefined;
      const secret = box.open(r.secret);
      if (!secret) return undefined;
      const uri = totpFor(secret, user.email).toString();
      const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      return { secret, uri, svg };
    },
    cancel(userId: string) {
      db.prepare('DELETE FROM staff_totp WHERE user_id = ? AND enabled_at IS NULL').run(userId);
    },
    /** The first valid code turns it on; returns the recovery codes to show once. */
    confirm(user: Pick<StaffUser, 'id' | 'email'>, code: string): string[] | undefined {
      const r = row(user.id);
      if (!r || r.enabledAt) return undefined;
      if (!acceptTotp(user.id, user.email, code.replace(/\s+/g, ''), false)) return undefined;
      db.prepare('UPDATE staff_totp SET enabled_at = ? WHERE user_id = ?').run(deps.now().toISOString(), user.id);
      return replaceRecoveryCodes(user.id);
    },
    /** A TOTP code (once per step) or an unused recovery code (then spent). */
    verify(user: Pick<StaffUser, 'id' | 'email'>, input: string): CodeCheck {
      const compact = input.replace(/\s+/g, '');
      if (/^\d{6}$/.test(compact)) return acceptTotp(user.id, user.email, compact, true) ? { ok: true, via: 'totp' } : { ok: false };
      const recovery = normaliseRecovery(input);
      if (!/^[a-z0-9]{10}$/.test(recovery) || !this.isEnabled(user.id)) return { ok: false };
      const spent = db
        .prepare('UPDATE staff_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL')
        .run(deps.now().toISOString(), user.id, sha256(recovery)).changes;
      return spent === 1 ? { ok: true, via: 'recovery' } : { ok: false };
    },
    regenerateRecoveryCodes(userId: string): string[] | undefined {
      return this.isEnabled(userId) ? replaceRecoveryCodes(userId) : undefined;
    },
    /** Turns it off (by the owner, or by an admin for a lost phone): secret and codes deleted. */
    remove(userId: string) {
      removeSecondFactor(db, userId);
    },

    // Admin setting: second factor mandatory for admins.
    requiredForAdmins(): boolean {
      const r = db.prepare('SELECT value FROM settings WHERE key = ?').get(SETTINGS_KEY) as { value: string } | undefined;
      return r ? (JSON.parse(r.value) as { adminsRequireTwoFactor?: boolean }).adminsRequireTwoFactor === true : false;
    },
    setRequiredForAdmins(on: boolean) {
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
        SETTINGS_KEY,
        JSON.stringify({ adminsRequireTwoFactor: on }),
      );
    },
    /** An admin who must set it up before reaching anything else. */
    mustEnrol(user: Pick<StaffUser, 'id' | 'role'>): boolean {
      return user.role === 'admin' && this.requiredForAdmins() && !this.isEnabled(user.id);
    },

    // The half-done sign-in: a random id in a cookie, its hash here, 5 minutes, 3 attempts.
    openChallenge(userId: string, retour: string): string {
      const token = crypto.randomBytes(32).toString('base64url');
      const now = deps.now().getTime();
      db.transaction(() => {
        db.prepare('DELETE FROM staff_login_challenges WHERE user_id = ? OR created_at < ?').run(userId, now - CHALLENGE_TTL_MS);
        db.prepare('INSERT INTO staff_login_challenges (id_hash, user_id, created_at, retour) VALUES (?, ?, ?, ?)').run(sha256(token), userId, now, retour);
      })();
      return token;
    },
    challenge(token: unknown): { userId: string; retour: string; attempts: number } | undefined {
      if (typeof token !== 'string' || token.length > 100) return undefined;
      const r = db
        .prepare('SELECT user_id AS userId, retour, attempts, created_at AS createdAt FROM staff_login_challenges WHERE id_hash = ?')
        .get(sha256(token)) as { userId: string; retour: string; attempts: number; createdAt: number } | undefined;
      if (!r) return undefined;
      if (deps.now().getTime() - r.createdAt > CHALLENGE_TTL_MS || r.attempts >= CHALLENGE_MAX_ATTEMPTS) {
        this.closeChallenge(token);
        return undefined;
      }
      return { userId: r.userId, retour: r.retour, attempts: r.attempts };
    },
    /** Counts a wrong code; true when the challenge is used up (back to the password step). */
    failChallenge(token: string): boolean {
      const r = db.prepare('UPDATE staff_login_challenges SET attempts = attempts + 1 WHERE id_hash = ? RETURNING attempts').get(sha256(token)) as
        | { attempts: number }
        | undefined;
      if (!r || r.attempts >= CHALLENGE_MAX_ATTEMPTS) {
        this.closeChallenge(token);
        return true;
      }
      return false;
    },
    closeChallenge(token: string) {
      db.prepare('DELETE FROM staff_login_challenges WHERE id_hash = ?').run(sha256(token));
    },
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;

/** Deletes an account's second factor (also used by `npm run staff -- reset-2fa`). */
export function removeSecondFactor(db: Db, userId: string): boolean {
  return db.transaction(() => {
    const had = db.prepare('DELETE FROM staff_totp WHERE user_id = ?').run(userId).changes > 0;
    db.prepare('DELETE FROM staff_recovery_codes WHERE user_id = ?').run(userId);
    db.prepare('DELETE FROM staff_login_challenges WHERE user_id = ?').run(userId);
    return had;
  })();
}
