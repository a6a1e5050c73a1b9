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

/** Staff accounts, sessions and API tokens. Secrets are stored hashed, never in clear. */
export function createStaffStore(db: Db) {
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
    setPassword(id: string, passwordHash: string) {
      db.transaction(() => {
        db.prepare(`UPDATE staff_users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?`).run(passwordHash, id);
        // A new password ends every open session of the account.
        db.prepare(`DELETE FROM staff_sessions WHERE user_id = ?`).run(id);
      })();
    },
    setDisabled(id: string, disabled: boolean) {
      db.transaction(() => {
        db.prepare(`UPDATE staff_users SET disabled = ? WHERE id = ?`).run(disabled ? 1 : 0, id);
        if (disabled) {
          db.prepare(`DELETE FROM staff_sessions WHERE user_id = ?`).run(id);
          db.prepare(`UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE user_id = ?`).run(new Date().toISOString(), id);
        }
      })();
    },
    setRole(id: string, role: Role) {
      db.prepare(`UPDATE staff_users SET role = ? WHERE id = ?`).run(role, id);
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
    createToken(userId: string, label: string, now = new Date()): { id: string; token: string } {
      const id = crypto.randomUUID();
      const token = `maa_${crypto.randomBytes(30).toString('base64url')}`;
      db.prepare(`INSERT INTO api_tokens (id, user_id, label, token_hash, created_at) VALUES (?, ?, ?, ?, ?)`).run(
        id,
        userId,
        label,
        sha256(token),
        now.toISOString(),
      );
      return { id, token };
    },
    listTokens(userId: string) {
      return db
        .prepare(
          `SELECT id, label, created_at AS createdAt, last_used_on AS lastUsedOn, revoked_at AS revokedAt
           FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC`,
        )
        .all(userId) as { id: string; label: string; createdAt: string; lastUsedOn: string | null; revokedAt: string | null }[];
    },
    revokeToken(userId: string, tokenId: string, now = new Date()): boolean {
      return (
        db.prepare(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`).run(now.toISOString(), tokenId, userId)
          .changes === 1
      );
    },
    userForToken(token: string, now = new Date()): StaffUser | undefined {
      if (!token.startsWith('maa_') || token.length > 100) return undefined;
      const row = db.prepare(`SELECT id, user_id AS userId FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`).get(sha256(token)) as
        | { id: string; userId: string }
        | undefined;
      if (!row) return undefined;
      const user = this.byId(row.userId);
      if (!user || user.disabled) return undefined;
      db.prepare(`UPDATE api_tokens SET last_used_on = ? WHERE id = ?`).run(now.toISOString().slice(0, 10), row.id);
      return user;
    },
  };
}

export type StaffStore = ReturnType<typeof createStaffStore>;
