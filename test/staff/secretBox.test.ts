import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { secretBoxFor } from '../../src/staff/secretBox.js';

describe('TOTP secrets encrypted at rest', () => {
  it('with SESSION_SECRET: the same secret opens what it sealed, another one does not (no crash)', () => {
    const a = secretBoxFor({ sessionSecret: 'a'.repeat(32), databaseFile: ':memory:' });
    const sealed = a.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(a.seal('JBSWY3DPEHPK3PXP')).not.toBe(sealed); // random IV
    expect(secretBoxFor({ sessionSecret: 'a'.repeat(32), databaseFile: ':memory:' }).open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(secretBoxFor({ sessionSecret: 'b'.repeat(32), databaseFile: ':memory:' }).open(sealed)).toBeUndefined();
    expect(a.open(sealed.slice(0, -2) + 'xx')).toBeUndefined(); // tampered
    expect(a.open('en clair')).toBeUndefined();
  });

  it('without it: a key file beside the database, created on first use only, mode 600, reused after a restart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-key-'));
    const db = path.join(dir, 'avenir.db');
    const box = secretBoxFor({ databaseFile: db });
    expect(fs.existsSync(`${db}.key`)).toBe(false);
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(fs.statSync(`${db}.key`).mode & 0o777).toBe(0o600);
    expect(secretBoxFor({ databaseFile: db }).open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
