import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Encrypts small secrets (TOTP keys) before they reach the database: AES-256-GCM, key derived
 * (HKDF-SHA-256) from SESSION_SECRET when set, otherwise from a random key file written once
 * beside the database (mode 600). Either way the key is not in the database, so a copy of the
 * database or of a backup does not give anyone the second factors.
 */
export type SecretBox = { seal(plain: string): string; open(sealed: string): string | undefined };

export function createSecretBox(keyMaterial: Buffer): SecretBox {
  const key = Buffer.from(crypto.hkdfSync('sha256', keyMaterial, Buffer.alloc(0), 'mon-avenir-en-artois/totp/v1', 32));
  return {
    seal(plain) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      try {
        if (!sealed.startsWith('v1.')) return undefined;
        const raw = Buffer.from(sealed.slice(3), 'base64url');
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        // Another key (SESSION_SECRET changed, key file lost): unreadable, never a crash.
        return undefined;
      }
    },
  };
}

/**
 * The key material: SESSION_SECRET if configured; else `<database>.key` (created on first use);
 * for an in-memory database (tests, tools), a random key for the life of the process.
 */
export function secretBoxFor(opts: { sessionSecret?: string; databaseFile: string }): SecretBox {
  // Lazily: no key file appears beside a database whose staff never set up a second factor.
  let box: SecretBox | undefined;
  const get = () => (box ??= makeBox(opts));
  return { seal: (plain) => get().seal(plain), open: (sealed) => get().open(sealed) };
}

function makeBox(opts: { sessionSecret?: string; databaseFile: string }): SecretBox {
  if (opts.sessionSecret) return createSecretBox(Buffer.from(opts.sessionSecret, 'utf8'));
  if (!opts.databaseFile || opts.databaseFile === ':memory:') return createSecretBox(crypto.randomBytes(32));
  const file = `${path.resolve(opts.databaseFile)}.key`;
  try {
    return createSecretBox(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const material = crypto.randomBytes(32);
  // 'wx': never overwrite a key another process has just written.
  try {
    fs.writeFileSync(file, material.toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    return createSecretBox(material);
  } catch {
    return createSecretBox(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64url'));
  }
}
