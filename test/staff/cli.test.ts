import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { ensureFirstAdmin } from '../../src/staff/bootstrap.js';
import { runStaffCli, type CliIo } from '../../src/staff/cli.js';
import { verifyPassword } from '../../src/staff/passwords.js';
import { createStaffStore } from '../../src/staff/store.js';

function io(password?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const cli: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), readPassword: async () => password };
  return { cli, out, err };
}

describe('npm run staff', () => {
  it('adds an account with a generated password shown once, lists, disables, enables, resets', async () => {
    const db = openDatabase(':memory:');
    const a = io();
    expect(await runStaffCli(['add', '--email', 'Camille@Example.org', '--role', 'analyst'], db, a.cli)).toBe(0);
    expect(a.out[0]).toBe('Compte créé : camille@example.org (Analyste).');
    const generated = a.out[1].match(/: ([A-Za-z0-9]{20})$/)![1];
    const store = createStaffStore(db);
    expect(await verifyPassword(store.byEmail('camille@example.org')!.passwordHash, generated)).toBe(true);

    const typed = io('un-mot-de-passe-choisi');
    expect(await runStaffCli(['add', '--email', 'admin@example.org', '--role', 'admin', '--password-stdin'], db, typed.cli)).toBe(0);
    expect(typed.out).toHaveLength(1); // a typed password is never echoed
    expect(await verifyPassword(store.byEmail('admin@example.org')!.passwordHash, 'un-mot-de-passe-choisi')).toBe(true);

    const list = io();
    await runStaffCli(['list'], db, list.cli);
    expect(list.out.map((l) => l.split('\t').slice(0, 3))).toEqual([
      ['admin@example.org', 'admin', 'actif'],
      ['camille@example.org', 'analyst', 'actif'],
    ]);
    expect(await runStaffCli(['disable', '--email', 'camille@example.org'], db, io().cli)).toBe(0);
    expect(store.byEmail('camille@example.org')!.disabled).toBe(1);
    expect(await runStaffCli(['enable', '--email', 'camille@example.org'], db, io().cli)).toBe(0);
    const reset = io();
    expect(await runStaffCli(['reset-password', '--email', 'camille@example.org'], db, reset.cli)).toBe(0);
    expect(reset.out[1]).toMatch(/Mot de passe \(affiché une seule fois\) : [A-Za-z0-9]{20}$/);
    const actions = (db.prepare('SELECT action FROM audit_log').all() as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(['account.create', 'account.create', 'account.disable', 'account.enable', 'account.password_reset']);
  });

  it.each([
    [['add', '--email', 'pas-une-adresse', '--role', 'admin'], 2, 'adresse e-mail valide'],
    [['add', '--email', 'a@example.org', '--role', 'chef'], 2, 'Rôle attendu'],
    [['add', '--email', 'a@example.org', '--role', 'admin', '--inconnu'], 2, "Unknown option '--inconnu'"],
    [['disable', '--email', 'personne@example.org'], 1, 'Aucun compte'],
    [['supprimer'], 2, 'Usage : npm run staff'],
  ])('refuses %j with a clear message', async (args, code, message) => {
    const db = openDatabase(':memory:');
    const x = io();
    expect(await runStaffCli(args, db, x.cli)).toBe(code);
    expect(x.err.join('\n')).toContain(message);
  });

  it('refuses a short typed password and the last admin’s deactivation', async () => {
    const db = openDatabase(':memory:');
    const short = io('court');
    expect(await runStaffCli(['add', '--email', 'a@example.org', '--role', 'admin', '--password-stdin'], db, short.cli)).toBe(2);
    expect(short.err[0]).toContain('au moins 12 caractères');
    await runStaffCli(['add', '--email', 'a@example.org', '--role', 'admin'], db, io().cli);
    const last = io();
    expect(await runStaffCli(['disable', '--email', 'a@example.org'], db, last.cli)).toBe(1);
    expect(last.err[0]).toContain('au moins un administrateur actif');
  });
});

describe('first admin', () => {
  it('is created from ADMIN_EMAIL/ADMIN_PASSWORD once; otherwise the console says how', async () => {
    const db = openDatabase(':memory:');
    const logs: string[] = [];
    expect(await ensureFirstAdmin(db, {}, (m) => logs.push(m))).toBe('missing');
    expect(logs[0]).toContain('npm run staff -- add --email vous@exemple.fr --role admin');
    expect(await ensureFirstAdmin(db, { email: 'Chef@Example.org', password: 'mot-de-passe-initial' }, (m) => logs.push(m))).toBe('created');
    expect(logs.join('\n')).not.toContain('mot-de-passe-initial');
    expect(await ensureFirstAdmin(db, { email: 'autre@example.org', password: 'mot-de-passe-initial' }, (m) => logs.push(m))).toBe('exists');
    expect(createStaffStore(db).list().map((u) => [u.email, u.role])).toEqual([['chef@example.org', 'admin']]);
  });
});

describe('password policy in the CLI and at start', () => {
  it.each([
    ['aaaaaaaaaaaa', 'trop facile à deviner'],
    ['motdepasse123', 'trop facile à deviner'],
    ['azertyuiop12', 'lignes droites de touches'],
    ['camille@example.org', 'ne peut pas être votre adresse e-mail'],
  ])('add and reset-password refuse %s with the French reason', async (password, reason) => {
    const db = openDatabase(':memory:');
    for (const args of [
      ['add', '--email', 'camille@example.org', '--role', 'analyst', '--password-stdin'],
      ['reset-password', '--email', 'camille@example.org', '--password-stdin'],
    ]) {
      if (args[0] === 'reset-password') await runStaffCli(['add', '--email', 'camille@example.org', '--role', 'analyst'], db, io().cli);
      const before = createStaffStore(db).byEmail('camille@example.org')?.passwordHash;
      const x = io(password);
      expect(await runStaffCli(args, db, x.cli)).toBe(2);
      expect(x.err[0]).toMatch(/^Mot de passe refusé : /);
      expect(x.err[0]).toContain(reason);
      expect(createStaffStore(db).byEmail('camille@example.org')?.passwordHash).toBe(before);
    }
  });

  it('reset-2fa removes an account’s second factor and ends its sessions (lost phone of the last admin)', async () => {
    const db = openDatabase(':memory:');
    await runStaffCli(['add', '--email', 'a@example.org', '--role', 'admin'], db, io().cli);
    const user = createStaffStore(db).byEmail('a@example.org')!;
    db.prepare(`INSERT INTO staff_totp (user_id, secret, created_at, enabled_at) VALUES (?, 'v1.x', 'now', 'now')`).run(user.id);
    createStaffStore(db).createSession(user.id, Date.now());
    const x = io();
    expect(await runStaffCli(['reset-2fa', '--email', 'a@example.org'], db, x.cli)).toBe(0);
    expect(x.out[0]).toBe('Double authentification retirée pour a@example.org ; ses sessions ouvertes sont fermées.');
    expect(db.prepare('SELECT count(*) AS n FROM staff_totp').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM staff_sessions').get()).toEqual({ n: 0 });
    const again = io();
    expect(await runStaffCli(['reset-2fa', '--email', 'a@example.org'], db, again.cli)).toBe(0);
    expect(again.out[0]).toBe('a@example.org n’avait pas de double authentification.');
  });

  it('refuses a weak ADMIN_PASSWORD at start with a clear message, creating nothing', async () => {
    const db = openDatabase(':memory:');
    await expect(ensureFirstAdmin(db, { email: 'chef@example.org', password: 'azertyuiop12' }, () => {})).rejects.toThrow(
      /^ADMIN_PASSWORD refusé : Ce mot de passe est trop facile à deviner\. .+ Choisissez-en un autre et redémarrez\.$/,
    );
    await expect(ensureFirstAdmin(db, { email: 'chef@example.org', password: 'chef@example.org' }, () => {})).rejects.toThrow(
      'ADMIN_PASSWORD refusé : Le mot de passe ne peut pas être votre adresse e-mail.',
    );
    expect(createStaffStore(db).list()).toEqual([]);
  });
});
