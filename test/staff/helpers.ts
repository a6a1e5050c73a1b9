import request from 'supertest';
import type { Db } from '../../src/db/connection.js';
import { hashPassword } from '../../src/staff/passwords.js';
import { createStaffStore, type Role } from '../../src/staff/store.js';
import { csrfFrom, formBody, type TestApp } from '../helpers.js';

export const PASSWORD = 'un-mot-de-passe-solide';

let cachedHash: Promise<string> | undefined;
/** Creates an account (the argon2 hash of the shared test password is computed once). */
export async function addStaff(db: Db, email: string, role: Role) {
  cachedHash ??= hashPassword(PASSWORD);
  return createStaffStore(db).create(email, role, await cachedHash);
}

/** A browser that went through GET /login and POST /login. */
export async function signIn(app: TestApp['app'], email: string, password = PASSWORD) {
  const agent = request.agent(app);
  const page = await agent.get('/login');
  const res = await agent.post('/login').type('form').send(formBody({ _csrf: csrfFrom(page.text), email, password }));
  return { agent, res };
}

/** The CSRF token of the agent's cookie, read from any page with a form. */
export async function tokenOf(agent: ReturnType<typeof request.agent>, page = '/login') {
  return csrfFrom((await agent.get(page)).text);
}

export function auditActions(db: Db): string[] {
  return (db.prepare('SELECT action FROM audit_log ORDER BY id').all() as { action: string }[]).map((r) => r.action);
}
