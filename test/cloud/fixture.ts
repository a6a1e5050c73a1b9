import type { Db } from '../../src/db/connection.js';
import { addResponse } from '../results/helpers.js';

// Twelve respondents whose word cloud is counted by hand in the tests: six girls, six boys, one
// boy without a text (not in the base), personal data of each kind the cloud must never show.

export const GIRLS = [
  'Les usines polluent',
  "L'usine, la pollution",
  'usines, usine, USINE',
  "Pas d'avenir",
  'Écologie',
  'Lucas Martin, 06 12 34 56 78',
];
export const BOYS = [
  'Pollution',
  "ecologie, l'écologie",
  'travail à la chaîne',
  'je sais pas',
  "mon snap c'est kevin62 et j'aime les usines",
  "mon voisin Bertrand travaille à l'usine",
];

export type CloudFixture = { girls: string[]; boys: string[]; silent: string; bertrand: string };

export function seedCloud(db: Db): CloudFixture {
  const person = (genre: string, text: string | undefined, i: number) =>
    addResponse(db, {
      completed: `2022-12-${String(1 + i).padStart(2, '0')}T10`,
      answers: {
        1: { age: '16', genre, commune: 'Lens', situation: 'lycee', filiere: 'generale' },
        4: { envisager_industrie: 'plutot_oui', ...(text === undefined ? {} : { mots_industrie: text }) },
      },
    });
  const girls = GIRLS.map((t, i) => person('feminin', t, i));
  const boys = BOYS.map((t, i) => person('masculin', t, i + 6));
  const silent = person('masculin', undefined, 20);
  return { girls, boys, silent, bertrand: boys[5] };
}
