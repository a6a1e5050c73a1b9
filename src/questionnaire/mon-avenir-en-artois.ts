import type { QuestionnaireInput } from './schema.js';

// « Mon avenir en Artois », after the Res publica questionnaire described in the 2022-2023
// Cercle de qualité report (section 2.3). The items the report publishes keep its exact wording
// and options so that the published figures can be reproduced.
//
// Codes are column names in every export: never rename or reuse one; add new ones and bump
// `version` when the questions change.

const agreeScale = [
  { code: 'accord', label: 'D’accord' },
  { code: 'plutot_accord', label: 'Plutôt d’accord' },
  { code: 'plutot_desaccord', label: 'Plutôt pas d’accord' },
  { code: 'desaccord', label: 'Pas d’accord' },
];

export const monAvenirEnArtois: QuestionnaireInput = {
  id: 'mon_avenir_artois',
  version: 1,
  title: 'Mon avenir en Artois',
  sections: [
    {
      id: 'identite',
      title: 'Mon identité',
      intro: 'Quelques questions pour savoir qui répond. Tes réponses restent anonymes : on ne te demande ni ton nom ni ton adresse.',
      questions: [
        { id: 'age', type: 'integer', label: 'Quel âge as-tu ?', min: 11, max: 35, unit: 'ans', required: true },
        {
          id: 'genre',
          type: 'single',
          label: 'Quel est ton genre ?',
          required: true,
          options: [
            { code: 'masculin', label: 'Masculin' },
            { code: 'feminin', label: 'Féminin' },
            { code: 'autre', label: 'Autre' },
            { code: 'non_reponse', label: 'Je préfère ne pas répondre' },
          ],
        },
        {
          id: 'commune',
          type: 'commune',
          label: 'Dans quelle commune habites-tu ?',
          hint: 'Écris le nom de ta commune, par exemple « Liévin » ou « Bruay-la-Buissière ».',
          required: true,
        },
        {
          id: 'situation',
          type: 'single',
          label: 'Quelle est ta situation actuelle ?',
          required: true,
          options: [
            { code: 'college', label: 'Au collège' },
            { code: 'lycee', label: 'Au lycée' },
            { code: 'etudes_sup', label: 'En études supérieures' },
            { code: 'apprentissage', label: 'En apprentissage ou en alternance' },
            { code: 'emploi', label: 'En emploi' },
            { code: 'recherche', label: 'En recherche d’emploi ou de formation' },
            { code: 'autre', label: 'Autre (précise)', other: true },
          ],
        },
        {
          id: 'filiere',
          type: 'single',
          label: 'Dans quelle voie es-tu au lycée ?',
          showIf: { question: 'situation', anyOf: ['lycee'] },
          options: [
            { code: 'generale', label: 'Générale' },
            { code: 'technologique', label: 'Technologique' },
            { code: 'professionnelle', label: 'Professionnelle' },
          ],
        },
        {
          id: 'lieu_activite',
          type: 'single',
          label: 'Où étudies-tu, travailles-tu ou cherches-tu un emploi ou une formation ?',
          options: [
            { code: 'pma', label: 'Dans l’agglomération de Lens-Liévin, d’Hénin-Carvin ou de Béthune-Bruay' },
            { code: 'nord_pas_de_calais', label: 'Ailleurs dans le Nord ou le Pas-de-Calais' },
            { code: 'ailleurs', label: 'Ailleurs en France ou à l’étranger' },
          ],
        },
      ],
    },
    {
      id: 'territoire',
      title: 'Mon territoire',
      intro: 'Ce que tu penses de l’endroit où tu vis.',
      questions: [
        {
          id: 'aime_vivre',
          type: 'single',
          label: 'Aimes-tu vivre sur ton territoire ?',
          options: [
            { code: 'beaucoup', label: 'Oui, beaucoup' },
            { code: 'plutot_oui', label: 'Plutôt oui' },
            { code: 'plutot_non', label: 'Plutôt non' },
            { code: 'pas_du_tout', label: 'Pas du tout' },
          ],
        },
        {
          id: 'points_forts',
          type: 'multiple',
          label: 'Quels sont les points forts de ton territoire ?',
          hint: 'Coche 3 réponses au maximum.',
          maxChoices: 3,
          options: [
            { code: 'commerces_services', label: 'La diversité des commerces et des services' },
            { code: 'activites', label: 'Les activités de loisirs, de sport et de culture' },
            { code: 'histoire', label: 'L’histoire et le patrimoine (mines, terrils…)' },
            { code: 'qualite_vie', label: 'La qualité de vie' },
            { code: 'nature', label: 'La nature et les espaces verts' },
            { code: 'habitants', label: 'Les habitants, l’entraide' },
            { code: 'sport_rc_lens', label: 'Le sport et le RC Lens' },
            { code: 'emploi_formation', label: 'L’emploi et les formations' },
            { code: 'autre', label: 'Autre (précise)', other: true },
          ],
        },
        {
          id: 'points_faibles',
          type: 'multiple',
          label: 'Quels sont les points faibles de ton territoire ?',
          hint: 'Coche 3 réponses au maximum.',
          maxChoices: 3,
          options: [
            { code: 'emploi', label: 'Le manque d’emplois' },
            { code: 'transports', label: 'Les transports, la difficulté à se déplacer' },
            { code: 'formations', label: 'Le manque de formations près de chez moi' },
            { code: 'sorties', label: 'Le manque de sorties et de lieux pour se retrouver' },
            { code: 'petites_communes', label: 'Le manque de commerces et de services dans les petites communes' },
            { code: 'sante', label: 'L’accès aux médecins et aux soins' },
            { code: 'environnement', label: 'La pollution, l’environnement' },
            { code: 'image', label: 'L’image du territoire' },
            { code: 'autre', label: 'Autre (précise)', other: true },
          ],
        },
        {
          id: 'opinions_territoire',
          type: 'grid',
          label: 'Es-tu d’accord avec ces phrases ?',
          items: [
            { id: 'fierte', label: 'Je suis fier ou fière de mon territoire.' },
            { id: 'deplacements', label: 'Il est facile de se déplacer sans voiture.' },
            { id: 'activites_jeunes', label: 'Il y a assez d’activités pour les jeunes.' },
            { id: 'jeunes_ecoutes', label: 'Les jeunes sont écoutés sur le territoire.' },
          ],
          scale: agreeScale,
        },
        {
          id: 'rester_vivre',
          type: 'single',
          label: 'Plus tard, aimerais-tu continuer à vivre sur le territoire ?',
          options: [
            { code: 'oui', label: 'Oui' },
            { code: 'plutot_oui', label: 'Plutôt oui' },
            { code: 'plutot_non', label: 'Plutôt non' },
            { code: 'non', label: 'Non' },
            { code: 'nsp', label: 'Je ne sais pas' },
          ],
        },
        {
          id: 'raisons_partir',
          type: 'multiple',
          label: 'Pourquoi aimerais-tu vivre ailleurs ?',
          showIf: { question: 'rester_vivre', anyOf: ['plutot_non', 'non'] },
          options: [
            { code: 'emploi', label: 'Pour trouver un emploi' },
            { code: 'formation', label: 'Pour suivre des études ou une formation' },
            { code: 'changement', label: 'Par envie de changement' },
            { code: 'cadre_vie', label: 'Pour un autre cadre de vie' },
            { code: 'proches', label: 'Pour me rapprocher de ma famille ou de mes amis' },
            { code: 'autre', label: 'Autre (précise)', other: true },
          ],
        },
        {
          id: 'ameliorer_territoire',
          type: 'longtext',
          label: 'Qu’est-ce qui rendrait ton territoire plus agréable pour les jeunes ?',
          maxLength: 1000,
        },
      ],
    },
    {
      id: 'avenir',
      title: 'Mon avenir',
      intro: 'Comment tu vois ta formation et ton futur métier.',
      questions: [
        {
          id: 'poursuivre_etudes',
          type: 'single',
          label: 'Souhaites-tu poursuivre des études ou une formation ?',
          options: [
            { code: 'oui', label: 'Oui' },
            { code: 'non', label: 'Non' },
            { code: 'nsp', label: 'Je ne sais pas encore' },
          ],
        },
        {
          id: 'formation_pro',
          type: 'single',
          label: 'Aimerais-tu une formation avec du temps en entreprise (stages, alternance) ?',
          showIf: { question: 'poursuivre_etudes', anyOf: ['oui', 'nsp'] },
          options: [
            { code: 'oui', label: 'Oui' },
            { code: 'non', label: 'Non' },
            { code: 'nsp', label: 'Je ne sais pas' },
          ],
        },
        {
          id: 'metier_connu',
          type: 'single',
          label: 'Sais-tu quel métier tu aimerais exercer ?',
          options: [
            { code: 'oui', label: 'Oui' },
            { code: 'idees', label: 'J’ai quelques idées' },
            { code: 'non', label: 'Non, pas encore' },
          ],
        },
        {
          id: 'metier',
          type: 'text',
          label: 'Quel métier aimerais-tu exercer ?',
          showIf: { question: 'metier_connu', anyOf: ['oui', 'idees'] },
          maxLength: 150,
        },
        {
          id: 'attentes_emploi',
          type: 'ranking',
          label: 'Qu’attends-tu en premier de ton futur emploi ?',
          hint: 'Choisis tes 3 priorités, de la plus importante à la moins importante.',
          picks: 3,
          options: [
            { code: 'salaire', label: 'Le salaire' },
            { code: 'conditions_travail', label: 'Les conditions de travail' },
            { code: 'epanouissement', label: 'L’épanouissement' },
            { code: 'utilite', label: 'Le sentiment d’être utile' },
            { code: 'evolution', label: 'Les possibilités d’évolution' },
            { code: 'temps_libre', label: 'Du temps libre, l’équilibre avec la vie perso' },
            { code: 'securite_emploi', label: 'La sécurité de l’emploi' },
            { code: 'proximite', label: 'Travailler près de chez moi' },
          ],
        },
        {
          id: 'freins',
          type: 'multiple',
          label: 'Qu’est-ce qui pourrait te freiner pour ton avenir ?',
          options: [
            { code: 'argent', label: 'Le manque d’argent' },
            { code: 'mobilite', label: 'La difficulté à me déplacer' },
            { code: 'orientation', label: 'Le manque d’informations sur les métiers et l’orientation' },
            { code: 'formations_loin', label: 'Les formations trop loin de chez moi' },
            {
              code: 'stage_alternance',
              label: 'La difficulté à trouver un stage ou une alternance',
              showIf: { question: 'situation', anyOf: ['lycee', 'etudes_sup', 'apprentissage'] },
            },
            { code: 'confiance', label: 'Le manque de confiance en moi' },
            { code: 'rien', label: 'Rien', exclusive: true },
            { code: 'autre', label: 'Autre (précise)', other: true },
          ],
        },
      ],
    },
    {
      id: 'industrie',
      title: 'Mon regard sur l’industrie',
      intro: 'Ce que tu sais et ce que tu penses de l’industrie et de ses métiers.',
      questions: [
        {
          id: 'mots_industrie',
          type: 'text',
          label: 'Quels mots te viennent à l’esprit quand tu penses à l’industrie ?',
          hint: 'Quelques mots suffisent.',
          maxLength: 200,
        },
        {
          id: 'proche_industrie',
          type: 'single',
          label: 'Connais-tu quelqu’un qui travaille dans l’industrie ?',
          options: [
            { code: 'oui', label: 'Oui' },
            { code: 'non', label: 'Non' },
            { code: 'nsp', label: 'Je ne sais pas' },
          ],
        },
        {
          id: 'envisager_industrie',
          type: 'single',
          label: 'Pourrais-tu envisager de travailler dans l’industrie ?',
          options: [
            { code: 'oui_tout_a_fait', label: 'Oui, tout à fait' },
            { code: 'plutot_oui', label: 'Plutôt oui' },
            { code: 'plutot_non', label: 'Plutôt non' },
            { code: 'pas_du_tout', label: 'Pas du tout' },
            { code: 'nsp', label: 'Je ne sais pas' },
          ],
        },
        {
          id: 'convaincre_industrie',
          type: 'multiple',
          label: 'Qu’est-ce qui pourrait te convaincre de travailler dans l’industrie ?',
          hint: 'Coche toutes les réponses qui te correspondent.',
          options: [
            { code: 'rien', label: 'Rien', exclusive: true },
            { code: 'connaitre_secteur', label: 'Mieux connaître le secteur industriel, en découvrir les métiers' },
            { code: 'conditions_travail', label: 'Connaître les conditions de travail' },
            { code: 'visiter_entreprises', label: 'Visiter des entreprises du secteur' },
            { code: 'salaires', label: 'Prendre connaissance des salaires proposés' },
            { code: 'rencontrer_employes', label: 'Rencontrer des employés du secteur industriel' },
            { code: 'niveau_formation', label: 'Connaître le niveau de formation requis' },
            { code: 'autre', label: 'Autre (précise)', other: true },
          ],
        },
        {
          id: 'image_industrie',
          type: 'grid',
          label: 'Pour toi, l’industrie, c’est…',
          items: [
            { id: 'polluante', label: 'Un secteur qui pollue.' },
            { id: 'physique', label: 'Des métiers physiques et difficiles.' },
            { id: 'masculine', label: 'Des métiers surtout faits pour les hommes.' },
            { id: 'bien_payee', label: 'Des métiers bien payés.' },
            { id: 'avenir', label: 'Un secteur d’avenir sur le territoire.' },
          ],
          scale: agreeScale,
        },
        {
          id: 'message_elus',
          type: 'longtext',
          label: 'Un dernier mot pour les élus et les entreprises du territoire ?',
          maxLength: 1500,
        },
      ],
    },
  ],
};
