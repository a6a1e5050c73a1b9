import { describe, expect, it } from 'vitest';
import { findPersonalData, screen } from '../../src/privacy/screening.js';

// The screening table: French free text as young people type it. Each row says what must come out.
const TABLE: [string, string][] = [
  // Phones
  ['appelle moi au 06 12 34 56 78 stp', 'appelle moi au [téléphone] stp'],
  ['0612345678', '[téléphone]'],
  ['06.12.34.56.78', '[téléphone]'],
  ['06-12-34-56-78', '[téléphone]'],
  ['+33 6 12 34 56 78', '[téléphone]'],
  ['+33612345678', '[téléphone]'],
  ['0033 6 12 34 56 78', '[téléphone]'],
  ['+33 (0)6 12 34 56 78', '[téléphone]'],
  ['fixe : 03 21 00 00 00', 'fixe : [téléphone]'],
  // E-mails and handles
  ['écris-moi : lucas.martin62@gmail.com', 'écris-moi : [e-mail]'],
  ['mon mail Emma_D@hotmail.fr merci', 'mon mail [e-mail] merci'],
  ['suivez @lucas_62 sur insta', 'suivez [pseudo] sur insta'],
  ['snap : emma.lns', 'snap : [pseudo]'],
  ['mon insta c’est lucas62', 'mon insta c’est [pseudo]'],
  ['https://www.instagram.com/lucas_62', '[lien]'],
  ['tiktok.com/@emma.lns', '[lien]'],
  // Addresses
  ['j’habite 12 rue Jean Jaurès à Lens', 'j’habite [adresse] à Lens'],
  ['3 bis avenue de la République', '[adresse]'],
  ['45 bd Basly', '[adresse]'],
  ['au 7 place du Cantin', 'au [adresse]'],
  // Names
  ['je suis Lucas Martin de Liévin', 'je suis [nom] de Liévin'],
  ['Emma DUPONT, 16 ans', '[nom], 16 ans'],
  ['demandez à Inès B.', 'demandez à [nom]'],
  ['je m’appelle Kevin', 'je m’appelle [nom]'],
  ['moi c’est Rose', 'moi c’est [nom]'],
];

// Text that must come out unchanged: no false positive on ordinary answers.
const CLEAN = [
  'Plus de bus le soir et le week-end',
  'Rose est une couleur que j’aime', // a first name that is a word, not introduced
  'France Travail devrait aider les jeunes',
  'Il y a 12 usines et 3 lycées',
  'Le stade Bollaert-Delelis et le Louvre-Lens',
  'Pierre de Coubertin', // a capitalised word after an ambiguous first name, not introduced
  'né en 2006, 17 ans, 1 500 € par mois',
  'Mission Locale de Lens-Liévin',
  'Rue très sale près de la gare', // a street type without a number
  'email@', // not an address
];

// Known misses, kept in the table so the README says the truth.
const MISSED = [
  'lucas martin', // names without capitals
  'zéro six douze trente-quatre', // numbers in words
  'Kevin', // a first name alone, not introduced
  '6 12 34 56 78', // a phone without its leading 0
];

describe('personal data screening', () => {
  it.each(TABLE)('masks %j', (input, expected) => {
    expect(screen(input).text).toBe(expected);
  });

  it.each(CLEAN)('leaves %j alone', (input) => {
    expect(findPersonalData(input)).toEqual([]);
  });

  it.each(MISSED)('does not catch %j (documented in the README)', (input) => {
    expect(findPersonalData(input)).toEqual([]);
  });

  it('lists what it masked, with the kind and the exact text', () => {
    const { masked } = screen('Lucas Martin, 06 12 34 56 78, lucas@exemple.fr');
    expect(masked.map((m) => [m.kind, m.text])).toEqual([
      ['nom', 'Lucas Martin'],
      ['telephone', '06 12 34 56 78'],
      ['email', 'lucas@exemple.fr'],
    ]);
  });

  it('masks more by hand where an analyst says so', () => {
    expect(screen('le prof de maths, M. Leroy', [{ start: 21, end: 26 }]).text).toBe('le prof de maths, M. [nom]');
  });

  it('measures itself on the table: every row caught, no false positive', () => {
    const caught = TABLE.filter(([input, expected]) => screen(input).text === expected).length;
    const falsePositives = CLEAN.filter((t) => findPersonalData(t).length > 0).length;
    expect({ caught, rows: TABLE.length, falsePositives }).toEqual({ caught: 25, rows: 25, falsePositives: 0 });
  });
});
