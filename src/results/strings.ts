// Sentences and labels of the results engine and the exports that a person reads (filter form
// errors, derived variables, codebook). Kept here rather than in src/strings.ts while other
// features edit that file; the lead may merge this object into `fr` as `fr.results`.

const n = (x: number) => new Intl.NumberFormat('fr-FR').format(x);

export const frResults = {
  filters: {
    unknownQuestion: (id: string) => `Le filtre porte sur « ${id} », qui n’est pas une question filtrable du questionnaire.`,
    unknownOption: (code: string, label: string) => `« ${code} » n’est pas une réponse possible à « ${label} ».`,
    badCode: 'Code de réponse illisible.',
    badValue: 'Valeur illisible : un texte ou une liste de textes est attendu.',
    unknownChannel: (code: string) => `Le canal « ${code} » n’existe pas.`,
    badChannel: 'Code de canal illisible (lettres minuscules, chiffres et tirets).',
    badDate: 'Date attendue au format AAAA-MM-JJ, par exemple 2022-11-25.',
    impossibleDate: (s: string) => `La date ${s} n’existe pas.`,
    fromAfterTo: 'La date de début doit précéder la date de fin.',
    badSwitch: 'Valeur attendue : 1 (oui) ou 0 (non).',
    tooManyValues: (max: number) => `Au plus ${n(max)} valeurs par filtre.`,
    flaggedUnavailable:
      'Le filtre « exclure les réponses signalées » n’est pas encore disponible : la colonne responses.flagged manque (migration 002).',
  },
  derived: {
    ageGroup: 'tranche d’âge',
    ageGroups: {
      mineurs_15_17: '15-17 ans (mineurs)',
      jeunes_18_25: '18-25 ans',
      autre: 'Autre âge',
    },
    firstRank: '1er choix',
    topRanks: (k: number) => `Dans les ${n(k)} premiers choix`,
    epci: 'intercommunalité',
    communeName: 'nom de la commune',
    answers: 'Réponses',
    precision: (optionLabel: string) => `${optionLabel} — précision`,
  },
  columns: {
    response_id: 'Identifiant aléatoire de la réponse',
    questionnaire_version: 'Version du questionnaire',
    channel: 'Canal de diffusion (lien de relais)',
    completed_date: 'Jour d’envoi (UTC)',
  },
  types: {
    meta: 'métadonnée',
    single: 'choix unique (code)',
    multiple: 'choix multiple (0 = non coché, 1 = coché)',
    grid: 'grille d’accord (code)',
    ranking: 'classement (rang, vide si non classé)',
    text: 'texte court',
    longtext: 'texte long',
    integer: 'nombre entier',
    commune: 'commune (code INSEE)',
    communeName: 'commune (nom officiel)',
    epci: 'intercommunalité (code, déduite de la commune)',
    ageGroup: 'tranche d’âge (code, déduite de l’âge)',
    precision: 'précision « Autre » (texte libre)',
  },
  codebook: {
    header: ['column', 'question_id', 'question_label', 'type', 'section', 'codes'] as const,
    empty: 'Case vide : question masquée ou sans réponse.',
    ticked: { '1': 'coché', '0': 'non coché' },
  },
  funnel: {
    started: 'Questionnaires commencés',
    reached: (i: number, title: string) => `Arrivés à l’étape ${n(i)} (${title})`,
    completed: 'Questionnaires envoyés',
  },
  demo: {
    added: (count: number) => `${n(count)} réponses de démonstration ajoutées.`,
    removed: (count: number) => `${n(count)} réponses de démonstration supprimées.`,
  },
};
