import { reportAnswers } from '../coding/reportThemes.js';
import type { Profile } from '../results/synthetic.js';

// How the synthetic respondents of `npm run demo` (and of the tests and benchmarks) answer: data
// keyed by the question ids of « Mon avenir en Artois », like the definition itself. Figures marked
// « rapport » are those published in the 2022-2023 Cercle de qualité report (section 2.3) for its
// 1,047 respondents; `exact` questions reproduce them exactly for any population size (quotas),
// the others are plausible guesses. A question missing here is answered with generic weights.

export const reportProfile: Profile = {
  // rapport : « près de 65 % des répondants sont mineurs »
  age: {
    exact: true,
    weights: {
      13: 0.5, 14: 1.5, 15: 19, 16: 24, 17: 22, 18: 8, 19: 6, 20: 5, 21: 3.5, 22: 2.5, 23: 2, 24: 1.5, 25: 1.5,
      26: 0.8, 27: 0.6, 28: 0.5, 29: 0.4, 30: 0.3,
    },
  },
  // rapport : 50,8 % de répondants de genre masculin
  genre: { exact: true, weights: { masculin: 50.8, feminin: 45.8, autre: 1.5, non_reponse: 1.9 } },
  // rapport : près de 80 % habitent le PMA ; parmi eux 51,9 % la CABBALR et 9,5 % la CAHC
  commune: { epci: { cabbalr: 0.8 * 51.9, call: 0.8 * 38.6, cahc: 0.8 * 9.5, hors_pma: 20 } },
  situation: {
    weights: { college: 2, lycee: 60, etudes_sup: 14, apprentissage: 6, emploi: 6, recherche: 11.7, autre: 1 },
    factors: {
      on: 'age__groupe',
      by: {
        mineurs_15_17: { etudes_sup: 0.03, emploi: 0.05, recherche: 0.08, college: 0.5 },
        jeunes_18_25: { college: 0, lycee: 0.06, etudes_sup: 5, apprentissage: 2, emploi: 3, recherche: 3 },
        autre: { lycee: 0.1, etudes_sup: 0.5, college: 8, emploi: 6, recherche: 4 },
      },
    },
  },
  filiere: { weights: { generale: 45, technologique: 22, professionnelle: 33 } },
  // rapport : 95,9 % se forment, travaillent ou cherchent au sein du PMA
  lieu_activite: { answerRate: 0.97, weights: { pma: 95.9, nord_pas_de_calais: 3, ailleurs: 1.1 } },
  aime_vivre: { answerRate: 0.98, weights: { beaucoup: 30, plutot_oui: 45, plutot_non: 17, pas_du_tout: 8 } },
  points_forts: {
    answerRate: 0.93,
    ticks: [1, 3],
    weights: {
      commerces_services: 45, activites: 38, histoire: 34, qualite_vie: 33, nature: 22, habitants: 20,
      sport_rc_lens: 25, emploi_formation: 8, autre: 2,
    },
  },
  points_faibles: {
    answerRate: 0.92,
    ticks: [1, 3],
    weights: {
      emploi: 42, transports: 44, formations: 20, sorties: 30, petites_communes: 26, sante: 15, environnement: 18,
      image: 14, autre: 2,
    },
  },
  opinions_territoire: {
    answerRate: 0.9,
    weights: { accord: 30, plutot_accord: 38, plutot_desaccord: 20, desaccord: 12 },
    items: {
      deplacements: { accord: 12, plutot_accord: 22, plutot_desaccord: 33, desaccord: 33 },
      activites_jeunes: { accord: 14, plutot_accord: 30, plutot_desaccord: 32, desaccord: 24 },
      jeunes_ecoutes: { accord: 10, plutot_accord: 28, plutot_desaccord: 36, desaccord: 26 },
    },
  },
  rester_vivre: { answerRate: 0.97, weights: { oui: 18, plutot_oui: 25, plutot_non: 21, non: 14, nsp: 22 } },
  raisons_partir: {
    ticks: [1, 3],
    weights: { emploi: 60, formation: 45, changement: 42, cadre_vie: 25, proches: 10, autre: 3 },
  },
  ameliorer_territoire: {
    answerRate: 0.35,
    texts: [
      'Plus de bus le soir et le week-end.',
      'Des lieux pour se retrouver entre jeunes, un bar sans alcool.',
      'Plus de concerts et de festivals.',
      'Des pistes cyclables sûres entre les communes.',
      'Des magasins dans les petites communes.',
      'Un cinéma plus près de chez moi.',
      'Des transports gratuits pour les jeunes.',
      'Plus d’espaces verts et moins de pollution.',
      'Des salles de sport accessibles.',
      'Plus de stages et de jobs d’été.',
    ],
  },
  poursuivre_etudes: { answerRate: 0.98, weights: { oui: 78, non: 8, nsp: 14 } },
  formation_pro: { answerRate: 0.95, weights: { oui: 58, non: 17, nsp: 25 } },
  metier_connu: { answerRate: 0.98, weights: { oui: 46, idees: 34, non: 20 } },
  metier: {
    answerRate: 0.85,
    texts: [
      'Infirmière', 'Mécanicien', 'Professeur des écoles', 'Développeur informatique', 'Aide-soignante',
      'Électricien', 'Comptable', 'Policier', 'Architecte', 'Éducatrice spécialisée', 'Boulanger',
      'Ingénieur', 'Kinésithérapeute', 'Technicien de maintenance', 'Coiffeuse', 'Avocat',
    ],
  },
  // rapport : le salaire, les conditions de travail, l’épanouissement, l’utilité, l’évolution, dans cet ordre
  attentes_emploi: {
    answerRate: 0.95,
    weights: {
      salaire: 30, conditions_travail: 20, epanouissement: 16, utilite: 12, evolution: 9, temps_libre: 6,
      securite_emploi: 4.5, proximite: 2.5,
    },
  },
  freins: {
    answerRate: 0.95,
    ticks: [1, 3],
    exclusiveShare: 0.14,
    weights: { argent: 40, mobilite: 30, orientation: 30, formations_loin: 20, stage_alternance: 25, confiance: 28, autre: 2 },
  },
  // rapport : 49,8 % productivité et emploi, 19,5 % conditions de travail difficiles, 12 %
  // environnement, 2,6 % valeurs humaines (src/coding/reportThemes.ts, tiré au hasard ici : à peu près)
  mots_industrie: {
    answerRate: 0.6,
    texts: reportAnswers(1000, 2023).map((a) => a.text),
  },
  proche_industrie: { answerRate: 0.98, weights: { oui: 46, non: 40, nsp: 14 } },
  // rapport : 8,6 / 16,3 / 23,1 / 26,4 / 25,6 % ; les femmes 2 fois moins nombreuses que les hommes
  // à l’envisager
  envisager_industrie: {
    exact: true,
    weights: { oui_tout_a_fait: 8.6, plutot_oui: 16.3, plutot_non: 23.1, pas_du_tout: 26.4, nsp: 25.6 },
    factors: {
      on: 'genre',
      by: {
        feminin: { oui_tout_a_fait: 0.35, plutot_oui: 0.35 },
        autre: { oui_tout_a_fait: 0.6, plutot_oui: 0.6 },
        non_reponse: { oui_tout_a_fait: 0.6, plutot_oui: 0.6 },
      },
    },
  },
  // rapport : Rien 37,2 % ; puis 36,8 / 24,5 / 23,3 / 21,1 / 19,1 / 13,2 % des répondants
  convaincre_industrie: {
    exact: true,
    exclusiveShare: 0.372,
    weights: {
      connaitre_secteur: 0.368, conditions_travail: 0.245, visiter_entreprises: 0.233, salaires: 0.211,
      rencontrer_employes: 0.191, niveau_formation: 0.132, autre: 0.01,
    },
  },
  image_industrie: {
    answerRate: 0.93,
    weights: { accord: 30, plutot_accord: 35, plutot_desaccord: 22, desaccord: 13 },
    items: {
      polluante: { accord: 48, plutot_accord: 34, plutot_desaccord: 12, desaccord: 6 },
      physique: { accord: 45, plutot_accord: 36, plutot_desaccord: 13, desaccord: 6 },
      masculine: { accord: 28, plutot_accord: 32, plutot_desaccord: 22, desaccord: 18 },
      bien_payee: { accord: 8, plutot_accord: 24, plutot_desaccord: 40, desaccord: 28 },
      avenir: { accord: 22, plutot_accord: 40, plutot_desaccord: 25, desaccord: 13 },
    },
  },
  message_elus: {
    answerRate: 0.2,
    texts: [
      'Venez dans les lycées présenter vos métiers.',
      'Écoutez les jeunes !',
      'Proposez plus de stages et d’alternances.',
      'Pensez aux jeunes des petites communes.',
      'Améliorez les conditions de travail et les salaires.',
      'Merci pour ce questionnaire.',
    ],
  },
};

/** Channels of the synthetic responses (codes of src/campaign/campaign.ts), null = general link. */
export const demoChannels: Record<string, number> = {
  '': 25,
  'lycee-carnot': 14,
  'lycee-jean-bertin': 10,
  'lycee-henri-senez': 12,
  'lycee-condorcet': 13,
  'universite-artois': 6,
  'iut-lens': 5,
  'mission-locale-artois': 4,
  'mission-locale-lens-lievin': 4,
  plie: 1,
  'france-travail': 2,
  'education-populaire': 2,
  'stand-gare-lens': 1,
  'reseaux-sociaux': 1,
};
