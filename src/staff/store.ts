import crypto from 'node:crypto';
import type { Db } from '../db/connection.js';

export const ROLES = ['admin', 'analyst', 'facilitator'] as const;
export type Role = (typeof ROLES)[number];
export const ROLE_LABELS: Record<Role, string> = {
  admin: 'Administrateur',
  analyst: 'Analyste',
  facilitator: 'Animateur',
};

export type StaffUser = {
  id: string;
  email: string;
  role: Role;
  disabled: number;
  createdAt: string;
  failedLogins: number;
  lockedUntil: number | null;
};

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const userColumns = `id, email, role, disabled, created_at AS createdAt, failed_logins AS failedLogins, locked_until AS lockedUntil`;

export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;
/** Why a token stopped working: its owner revoked it, or something about the account changed. */
export type TokenRevocation = 'owner' | 'password' | 'role' | 'disabled';

export type TokenRow = {
  id: string;
  label: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedOn: string | null;
  revokedAt: string | null;
  revokedReason: TokenRevocation | null;
};

/** Staff accounts, sessions and API tokens. Secrets are stored hashed, never in clear. */
export function createStaffStore(db: Db) {
  const revokeAll = (userId: string, reason: TokenRevocation, now: Date) =>
    db
      .prepare(`UPDATE api_tokens SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL`)
      .run(now.toISOString(), reason, userId);
  return {
    countAdmins(): number {
      return (db.prepare(`SELECT count(*) AS n FROM staff_users WHERE role = 'admin' AND disabled = 0`).get() as { n: number }).n;
    },
    list(): StaffUser[] {
      return db.prepare(`SELECT ${userColumns} FROM staff_users ORDER BY email`).all() as StaffUser[];
    },
    byEmail(email: string): (StaffUser & { passwordHash: string }) | undefined {
      return db.prepare(`SELECT ${userColumns}, password_hash AS passwordHash FROM staff_users WHERE email = ?`).get(email.trim()) as
        | (StaffUser & { passwordHash: string })
        | undefined;
    },
    byId(id: string): StaffUser | undefined {
      return db.prepare(`SELECT ${userColumns} FROM staff_users WHERE id = ?`).get(id) as StaffUser | undefined;
    },
    create(email: string, role: Role, passwordHash: string, now = new Date()): StaffUser {
      const id = crypto.randomUUID();
      db.prepare(`INSERT INTO staff_users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)`).run(
        id,
        email.trim().toLowerCase(),
        passwordHash,
        role,
        now.toISOString(),
      );
      return this.byId(id)!;
    },
    /** Every password change (admin reset, CLI, own change) goes through here. */
    setPassword(id: string, passwordHash: string, now = new Date()) {
      db.transaction(() => {
        db.prepare(`UPDATE staff_users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`).run(passwordHash, id);
        // A new password ends every open session of the account, and its tokens: whoever had
        // the old password may have made one.
        db.prepare(`DELETE FROM staff_sessions WHERE user_id = ?`).run(id);
        revokeAll(id, 'password', now);
      })();
    },
    setDisabled(id: string, disabled: boolean, now = new Date()) {
      db.transaction(() => {
        db.prepare(`UPDATE staff_users SET disabled = ? WHERE id = ?`).run(disabled ? 1 : 0, id);
        if (disabled) {
          db.prepare(`DELETE FROM staff_sessions WHERE user_id = ?`).run(id);
          revokeAll(id, 'disabled', now);
        }
      })();
    },
    /** A token was made for what the role allowed then: a new role needs new tokens. */
    setRole(id: string, role: Role, now = new Date()) {
      db.transaction(() => {
        const changed = db.prepare(`UPDATE staff_users SET role = ? WHERE id = ? AND role <> ?`).run(role, id, role).changes;
        if (changed) revokeAll(id, 'role', now);
      })();
    },
    recordFailure(id: string, maxFailures: number, lockMs: number, now: number): { locked: boolean } {
      const row = db
        .prepare(`UPDATE staff_users SET failed_logins = failed_logins + 1 WHERE id = ? RETURNING failed_logins AS n`)
        .get(id) as { n: number };
      if (row.n >= maxFailures) {
        db.prepare(`UPDATE staff_users SET locked_until = ?, failed_logins = 0 WHERE id = ?`).run(now + lockMs, id);
        return { locked: true };
      }
      return { locked: false };
    },
    clearFailures(id: string) {
      db.prepare(`UPDATE staff_users SET failed_logins = 0, locked_until = NULL WHERE id = ?`).run(id);
    },

    // Sessions
    createSession(userId: string, now: number): string {
      const token = crypto.randomBytes(32).toString('base64url');
      db.prepare(`INSERT INTO staff_sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)`).run(
        sha256(token),
        userId,
        now,
        now,
      );
      return token;
    },
    /** The session's user if the session exists, is not idle for too long and the account is active. */
    touchSession(token: string, now: number, idleMs: number, maxAgeMs: number): StaffUser | undefined {
      const hash = sha256(token);
      const s = db.prepare(`SELECT user_id AS userId, created_at AS createdAt, last_seen_at AS lastSeen FROM staff_sessions WHERE id_hash = ?`).get(hash) as
        | { userId: string; createdAt: number; lastSeen: number }
        | undefined;
      if (!s) return undefined;
      if (now - s.lastSeen > idleMs || now - s.createdAt > maxAgeMs) {
        db.prepare(`DELETE FROM staff_sessions WHERE id_hash = ?`).run(hash);
        return undefined;
      }
      const user = this.byId(s.userId);
      if (!user || user.disabled) return undefined;
      // Write at most once a minute: a dashboard polling every second shouldn't write every second.
      if (now - s.lastSeen > 60_000) db.prepare(`UPDATE staff_sessions SET last_seen_at = ? WHERE id_hash = ?`).run(now, hash);
      return user;
    },
    deleteSession(token: string) {
      db.prepare(`DELETE FROM staff_sessions WHERE id_hash = ?`).run(sha256(token));
    },
    purgeSessions(now: number, idleMs: number, maxAgeMs: number) {
      db.prepare(`DELETE FROM staff_sessions WHERE last_seen_at < ? OR created_at < ?`).run(now - idleMs, now - maxAgeMs);
    },

    // API tokens
    /** A token valid `days` days (1 to TOKEN_MAX_DAYS; the route validates what people choose). */
    createToken(userId: string, label: string, now = new Date(), days = TOKEN_DEFAULT_DAYS): { id: string; token: string; expiresAt: string } {
      const id = crypto.randomUUID();
      const token = `maa_${crypto.randomBytes(30).toString('base64url')}`;
      const expiresAt = new Date(now.getTime() + Math.min(Math.max(1, days), TOKEN_MAX_DAYS) * 86_400_000).toISOString();
      db.prepare(`INSERT INTO api_tokens (id, user_id, label, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`).run(
        id,
        userId,
        label,
        sha256(token),
        now.toISOString(),
        expiresAt,
      );
      return { id, token, expiresAt };
    },
    listTokens(userId: string): TokenRow[] {
      return db
        .prepare(
          `SELECT id, label, created_at AS createdAt, expires_at AS expiresAt, last_used_on AS lastUsedOn,
                  revoked_at AS revokedAt, revoked_reason AS revokedReason
           FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC`,
        )
        .all(userId) as TokenRow[];
    },
    /** 'revoked' (now or before) for the owner's own token; 'unknown' for anyone else's or none. */
    revokeToken(userId: string, tokenId: string, now = new Date()): 'revoked' | 'already' | 'unknown' {
      const row = db.prepare(`SELECT revoked_at AS revokedAt FROM api_tokens WHERE id = ? AND user_id = ?`).get(tokenId, userId) as
        | { revokedAt: string | null }
        | undefined;
      if (!row) return 'unknown';
      if (row.revokedAt) return 'already';
      db.prepare(`UPDATE api_tokens SET revoked_at = ?, revoked_reason = 'owner' WHERE id = ? AND user_id = ?`).run(now.toISOString(), tokenId, userId);
      return 'revoked';
    },
    /** The token's owner, if the token exists, is neither revoked nor expired, and the account is active. */
    userForToken(token: string, now = new Date()): StaffUser | undefined {
      if (!token.startsWith('maa_') || token.length > 100) return undefined;
      const row = db
        .prepare(`SELECT id, user_id AS userId, expires_at AS expiresAt FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`)
        .get(sha256(token)) as { id: string; userId: string; expiresAt: string | null } | undefined;
      if (!row) return undefined;
      if (!row.expiresAt || Date.parse(row.expiresAt) <= now.getTime()) return undefined;
      const user = this.byId(row.userId);
      if (!user || user.disabled) return undefined;
      const day = now.toISOString().slice(0, 10);
      db.prepare(`UPDATE api_tokens SET last_used_on = ? WHERE id = ? AND coalesce(last_used_on, '') <> ?`).run(day, row.id, day);
      return user;
    },
  };
}

export type StaffStore = ReturnType<typeof createStaffStore>;
