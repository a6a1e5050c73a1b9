import { ConfigError } from '../config.js';
import type { Db } from '../db/connection.js';
import { fr } from '../strings.js';
import { audit } from './audit.js';
import { checkPassword } from './passwordPolicy.js';
import { hashPassword } from './passwords.js';
import { createStaffStore } from './store.js';

/**
 * First start: with ADMIN_EMAIL/ADMIN_PASSWORD and no admin yet, create that admin. Without them,
 * say once how to create one. Never prints or logs a password. A weak ADMIN_PASSWORD (the same
 * policy as everywhere) stops the start with a ConfigError saying why.
 */
export async function ensureFirstAdmin(
  db: Db,
  opts: { email?: string; password?: string },
  log: (msg: string) => void,
): Promise<'created' | 'exists' | 'missing'> {
  const store = createStaffStore(db);
  if (store.countAdmins() > 0) return 'exists';
  if (opts.email && opts.password) {
    if (store.byEmail(opts.email)) {
      log(`Le compte ${opts.email} existe mais n’est pas administrateur actif : utilisez npm run staff.`);
      return 'missing';
    }
    const verdict = await checkPassword(opts.password, { email: opts.email });
    if (!verdict.ok) throw new ConfigError(fr.security.bootstrapWeak(verdict.message));
    store.create(opts.email, 'admin', await hashPassword(opts.password));
    audit(db, null, 'account.create', { email: opts.email.toLowerCase(), role: 'admin', via: 'ADMIN_EMAIL' });
    log(`Compte administrateur créé pour ${opts.email}.`);
    return 'created';
  }
  log(
    'Aucun compte administrateur. Pour en créer un : définissez ADMIN_EMAIL et ADMIN_PASSWORD au démarrage, ' +
      'ou lancez « npm run staff -- add --email vous@exemple.fr --role admin ».',
  );
  return 'missing';
}
