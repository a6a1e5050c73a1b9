import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ConfigError, loadConfig } from '../config.js';
import { openDatabase, type Db } from '../db/connection.js';
import { audit } from './audit.js';
import { checkPassword, generateStrongPassword } from './passwordPolicy.js';
import { hashPassword } from './passwords.js';
import { createStaffStore, ROLE_LABELS, ROLES, type Role } from './store.js';
import { removeSecondFactor } from './twoFactor.js';

// npm run staff -- <command> … : staff accounts from the command line (the admin page does the same).

const USAGE = `Usage : npm run staff -- <commande> [options]

  add --email <e-mail> --role <admin|analyst|facilitator> [--password-stdin]
                        crée un compte ; le mot de passe est demandé (terminal), lu sur l'entrée
                        standard (--password-stdin) ou, à défaut, généré et affiché une fois
  list                  liste les comptes
  disable --email <e-mail>
  enable --email <e-mail>
  reset-password --email <e-mail> [--password-stdin]
                        nouveau mot de passe (demandé, lu ou généré) ; ferme les sessions ouvertes
  reset-2fa --email <e-mail>
                        retire la double authentification (téléphone perdu) ; ferme les sessions

Un mot de passe choisi doit faire 12 caractères au moins et être difficile à deviner (estimateur
zxcvbn : ni mot de passe courant, ni suite de touches, ni l'adresse e-mail ou le nom du site).`;

export type CliIo = {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Reads a password: hidden prompt on a terminal, a line of stdin otherwise. */
  readPassword: (prompt: string, fromStdin: boolean) => Promise<string | undefined>;
};

export async function runStaffCli(argv: string[], db: Db, io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  let values: { email?: string; role?: string; 'password-stdin'?: boolean };
  try {
    values = parseArgs({
      args: rest,
      options: { email: { type: 'string' }, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
      strict: true,
    }).values;
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const store = createStaffStore(db);
  const needEmail = (): string | undefined => {
    if (!values.email || !z.email().safeParse(values.email.trim()).success) {
      io.err('Indiquez une adresse e-mail valide avec --email.');
      return undefined;
    }
    return values.email.trim().toLowerCase();
  };
  /** The account named by --email, or the exit code after saying what is wrong. */
  const existingUser = () => {
    const email = needEmail();
    if (!email) return 2;
    const user = store.byEmail(email);
    if (!user) {
      io.err(`Aucun compte pour ${email}.`);
      return 1;
    }
    return { email, user };
  };
  /** A typed password must pass the same policy as the web form; a generated one is checked too. */
  const obtainPassword = async (email: string): Promise<{ password: string; generated: boolean } | undefined> => {
    const typed = await io.readPassword('Mot de passe (laisser vide pour en générer un) : ', Boolean(values['password-stdin']));
    if (!typed) return { password: await generateStrongPassword(), generated: true };
    const verdict = await checkPassword(typed, { email });
    if (!verdict.ok) {
      io.err(`Mot de passe refusé : ${verdict.message}`);
      return undefined;
    }
    return { password: typed, generated: false };
  };

  switch (command) {
    case 'add': {
      const email = needEmail();
      if (!email) return 2;
      if (!ROLES.includes(values.role as Role)) {
        io.err(`Rôle attendu avec --role : ${ROLES.join(', ')}.`);
        return 2;
      }
      if (store.byEmail(email)) {
        io.err(`Un compte existe déjà pour ${email}.`);
        return 1;
      }
      const p = await obtainPassword(email);
      if (!p) return 2;
      store.create(email, values.role as Role, await hashPassword(p.password));
      audit(db, null, 'account.create', { email, role: values.role, via: 'cli' });
      io.out(`Compte créé : ${email} (${ROLE_LABELS[values.role as Role]}).`);
      if (p.generated) io.out(`Mot de passe (affiché une seule fois) : ${p.password}`);
      return 0;
    }
    case 'list': {
      const users = store.list();
      if (!users.length) io.out('Aucun compte.');
      for (const u of users) io.out(`${u.email}\t${u.role}\t${u.disabled ? 'désactivé' : 'actif'}\t${u.createdAt.slice(0, 10)}`);
      return 0;
    }
    case 'disable':
    case 'enable': {
      const found = existingUser();
      if (typeof found === 'number') return found;
      const { email, user } = found;
      if (command === 'disable' && user.role === 'admin' && !user.disabled && store.countAdmins() <= 1) {
        io.err('Impossible : il doit rester au moins un administrateur actif.');
        return 1;
      }
      store.setDisabled(user.id, command === 'disable');
      audit(db, null, command === 'disable' ? 'account.disable' : 'account.enable', { email, via: 'cli' });
      io.out(command === 'disable' ? `Compte désactivé : ${email}.` : `Compte réactivé : ${email}.`);
      return 0;
    }
    case 'reset-password': {
      const found = existingUser();
      if (typeof found === 'number') return found;
      const { email, user } = found;
      const p = await obtainPassword(email);
      if (!p) return 2;
      store.setPassword(user.id, await hashPassword(p.password));
      audit(db, null, 'account.password_reset', { email, via: 'cli' });
      io.out(`Mot de passe changé pour ${email} ; ses sessions ouvertes sont fermées.`);
      if (p.generated) io.out(`Mot de passe (affiché une seule fois) : ${p.password}`);
      return 0;
    }
    case 'reset-2fa': {
      const found = existingUser();
      if (typeof found === 'number') return found;
      const { email, user } = found;
      if (!removeSecondFactor(db, user.id)) {
        io.out(`${email} n’avait pas de double authentification.`);
        return 0;
      }
      db.prepare('DELETE FROM staff_sessions WHERE user_id = ?').run(user.id);
      audit(db, null, 'twofactor.reset', { email, via: 'cli' });
      io.out(`Double authentification retirée pour ${email} ; ses sessions ouvertes sont fermées.`);
      return 0;
    }
    default:
      io.err(USAGE);
      return command ? 2 : 0;
  }
}

/** Hidden prompt on a terminal; otherwise the first line of standard input (scripts, CI). */
async function readPassword(prompt: string, fromStdin: boolean): Promise<string | undefined> {
  const stdin = process.stdin;
  if (fromStdin || !stdin.isTTY) {
    if (!fromStdin) return undefined; // no terminal and no --password-stdin: generate
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] || undefined;
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let value = '';
  return new Promise((resolve) => {
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off('data', onData);
          process.stderr.write('\n');
          return resolve(value || undefined);
        }
        if (ch === '\u0003') process.exit(130);
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const config = loadConfig();
    const db = openDatabase(config.databasePath);
    const code = await runStaffCli(process.argv.slice(2), db, {
      out: (s) => console.log(s),
      err: (s) => console.error(s),
      readPassword,
    });
    db.close();
    process.exit(code);
  } catch (e) {
    console.error(e instanceof ConfigError ? e.message : (e as Error).message);
    process.exit(1);
  }
}
