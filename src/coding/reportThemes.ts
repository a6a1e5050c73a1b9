import { prng } from '../results/synthetic.js';
import type { ThemeInput } from './codebook.js';

// The report's coding of « Quels mots te viennent à l'esprit quand tu penses à l'industrie ? »
// (Cercle de qualité 2022-2023): « 49,8 % des répondants comprennent l'industrie sous l'angle de la
// productivité et de l'emploi, 19,5 % évoquent des conditions de travail difficiles, 12 % la
// dégradation de l'environnement, 2,6 % les valeurs humaines ». Its four themes with keyword rules
// seed the demo's codebook; generated answers reproduce the shares, for the demo and the tests.

export const REPORT_SOURCE = 'mots_industrie';

export const REPORT_THEMES: ThemeInput[] = [
  {
    code: 'productivite_emploi',
    label: 'Productivité et emploi',
    definition: 'L’industrie vue comme ce qui produit et ce qui emploie : usines, production, machines, emplois, métiers, salaires, économie.',
    keywords: ['emploi', 'embauche', 'usine', 'production', 'produire', 'productivite', 'fabrication', 'machine', 'metier', 'salaire', 'economie', 'entreprise', 'ouvrier', 'chomage'],
  },
  {
    code: 'conditions_difficiles',
    label: 'Conditions de travail difficiles',
    definition: 'Un travail pénible, dangereux, répétitif ou mal payé : fatigue, horaires, bruit, cadences, travail à la chaîne.',
    keywords: ['penible', 'penibilite', 'fatigue', 'fatigant', 'epuisant', 'dur', 'difficile', 'dangereux', 'danger', 'horaires', 'travail a la chaine', 'cadence', 'conditions de travail', 'mal paye', 'accident'],
  },
  {
    code: 'environnement',
    label: 'Dégradation de l’environnement',
    definition: 'Ce que l’industrie fait à l’environnement et à la santé : pollution, fumées, déchets, climat.',
    keywords: ['pollu*', 'fumee', 'dechet', 'environnement', 'co2', 'toxique', 'rechauffement', 'climat', 'nature'],
  },
  {
    code: 'valeurs_humaines',
    label: 'Valeurs humaines',
    definition: 'Ce que l’industrie porte de collectif : solidarité, entraide, fierté, esprit d’équipe.',
    keywords: ['solidarite', 'entraide', 'fierte', 'esprit d equipe', 'collegue', 'partage', 'respect'],
  },
];

/** The report's shares of respondents who answered, per theme (per mille: exact integers). */
export const REPORT_SHARES: Record<string, number> = {
  productivite_emploi: 498,
  conditions_difficiles: 195,
  environnement: 120,
  valeurs_humaines: 26,
};

// Ways young people write each theme: plurals, elisions, capitals, missing accents, so that the
// rules are exercised on what the normalisation must absorb. Each fragment matches its own
// theme's rules and no other theme's (a test checks it).
export const THEME_FRAGMENTS: Record<string, string[]> = {
  productivite_emploi: [
    'Usines', 'l’usine', 'des emplois', 'production', 'Productivité', 'les machines', 'fabrication', 'des métiers',
    'un bon salaire', 'l’économie', 'embauche', 'ouvriers', 'les entreprises', 'USINE', 'emploi', 'produire des voitures',
  ],
  conditions_difficiles: [
    'pénible', 'travail à la chaîne', 'la fatigue', 'horaires décalés', 'dangereux', 'c’est dur', 'penibilite',
    'conditions de travail difficiles', 'épuisant', 'cadences', 'des accidents', 'mal payé',
  ],
  environnement: ['pollution', 'polluant', 'fumées', 'les déchets', 'l’environnement', 'CO2', 'toxique', 'réchauffement', 'ça pollue'],
  valeurs_humaines: ['solidarité', 'entraide', 'fierté', 'l’esprit d’équipe', 'les collègues', 'partage', 'respect'],
};

/** Answers that carry none of the four themes. */
export const NO_THEME_FRAGMENTS = ['je sais pas', 'rien', 'bof', 'histoire', 'mines', 'Lens', 'innovation', 'avenir', 'automobile', 'technologie', 'acier', 'gros bâtiments'];

function shuffle<T>(rand: () => number, list: T[]): T[] {
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * `count` answers in which exactly round(share × count) carry each theme (themes drawn
 * independently, so some answers carry two or three and shares sum past 100 % of nothing), the
 * others none. Same seed, same answers. Returns the texts and the themes each was written with.
 */
export function reportAnswers(count: number, seed: number, shares: Record<string, number> = REPORT_SHARES): { text: string; themes: string[] }[] {
  const rand = prng(seed);
  const sets: string[][] = Array.from({ length: count }, () => []);
  for (const [code, perMille] of Object.entries(shares)) {
    const k = Math.round((perMille / 1000) * count);
    const chosen = shuffle(rand, Array.from({ length: count }, (_, i) => i)).slice(0, k);
    for (const i of chosen) sets[i].push(code);
  }
  const pick = (list: string[]) => list[Math.floor(rand() * list.length)];
  return sets.map((themes) => {
    const parts = themes.length ? shuffle(rand, themes.map((c) => pick(THEME_FRAGMENTS[c]))) : [pick(NO_THEME_FRAGMENTS)];
    // A no-theme word beside a theme now and then: the rules must still find the theme.
    if (themes.length && rand() < 0.2) parts.push(pick(NO_THEME_FRAGMENTS));
    return { text: parts.join(', '), themes };
  });
}
