import { describe, expect, it } from 'vitest';
import { checkPassword, estimatorRunning, generateStrongPassword, MIN_SCORE, stopEstimator, userInputs } from '../../src/staff/passwordPolicy.js';

const EMAIL = 'camille.dupont@exemple.fr';

// What is refused, and the French help that comes with it (zxcvbn's feedback, translated).
const weak: { password: string; why: string; says: string[] }[] = [
  { password: 'court', why: 'too short', says: ['au moins 12 caractères (il en a 5)'] },
  { password: 'aaaaaaaaaaaa', why: 'one repeated character', says: ['trop facile à deviner', 'Les caractères répétés comme'] },
  { password: 'motdepasse123', why: '"password123" in French', says: ['trop facile à deviner', 'Ajoutez des mots moins courants.'] },
  { password: 'azertyuiop12', why: 'the top row of a French keyboard', says: ['trop facile à deviner', 'lignes droites de touches'] },
  { password: 'qwertyuiop123', why: 'the top row of an English keyboard', says: ['trop facile à deviner'] },
  { password: EMAIL, why: 'the email itself', says: ['ne peut pas être votre adresse e-mail'] },
  { password: EMAIL.toUpperCase(), why: 'the email in capitals', says: ['ne peut pas être votre adresse e-mail'] },
  { password: 'camille.dupont1', why: 'the email’s local part', says: ['données personnelles ou liées au site'] },
  { password: 'MonAvenirEnArtois2026', why: 'the site’s name and a year', says: ['données personnelles ou liées au site'] },
  { password: 'password1234', why: 'a top common password', says: ['trop facile à deviner'] },
  { password: '123456789012', why: 'a digit sequence', says: ['trop facile à deviner'] },
  { password: 'x'.repeat(201), why: 'too long', says: ['au plus 200 caractères'] },
];

const strong = [
  'un-mot-de-passe-solide',
  'Tr0mp3tte bleue sur le beffroi',
  'correct horse battery staple',
  'soleil-lens-2026-crassier',
  'brique pluie terril vélo',
];

describe('password policy (zxcvbn, French feedback)', () => {
  it.each(weak)('refuses $password ($why) with a French message that helps', async ({ password, says }) => {
    const verdict = await checkPassword(password, { email: EMAIL });
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    for (const s of says) expect(verdict.message).toContain(s);
    // Never an English key or an untranslated placeholder.
    expect(verdict.message).not.toMatch(/\b(warnings|suggestions)\.|undefined|null/);
    // Whole sentences: zxcvbn's warnings get their full stop ("…à deviner. Ajoutez…").
    expect(verdict.message).not.toMatch(/[a-zéèà'] [A-ZÉ]/);
    expect(verdict.message).toMatch(/[.]$/);
  });

  it.each(strong)('accepts %s', async (password) => {
    expect(await checkPassword(password, { email: EMAIL })).toEqual({ ok: true });
  });

  it('feeds the email, its parts and the site’s name to the estimator', () => {
    const inputs = userInputs(EMAIL);
    for (const x of [EMAIL, 'camille.dupont', 'camille', 'dupont', 'exemple', 'mon avenir en artois', 'monavenirenartois', 'artois']) {
      expect(inputs).toContain(x);
    }
    expect(MIN_SCORE).toBe(3);
  });

  it('generates passwords that pass the policy (admin pages, CLI)', async () => {
    for (let i = 0; i < 10; i++) {
      const p = await generateStrongPassword();
      expect(p).toMatch(/^[a-zA-Z2-9]{20}$/);
      expect(await checkPassword(p, { email: EMAIL })).toEqual({ ok: true });
    }
  });

  it('runs the estimator in a worker started on first use, and starts it again after it ended', async () => {
    await stopEstimator();
    expect(estimatorRunning()).toBe(false);
    expect((await checkPassword('azertyuiop12')).ok).toBe(false);
    expect(estimatorRunning()).toBe(true);
    await stopEstimator();
    expect((await checkPassword('brique pluie terril vélo')).ok).toBe(true);
    // Length rules need no estimator.
    await stopEstimator();
    expect((await checkPassword('court')).ok).toBe(false);
    expect(estimatorRunning()).toBe(false);
  });
});
