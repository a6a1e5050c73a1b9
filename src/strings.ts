// Every sentence a person reads, apart from the questionnaire's own questions (which live in its
// definition). Young respondents are addressed with "tu", in plain words.

const n = (x: number) => new Intl.NumberFormat('fr-FR').format(x);

export const fr = {
  siteName: 'Mon avenir en Artois',
  organiser: 'Pôle Métropolitain de l’Artois',
  skipLink: 'Aller au contenu',

  errors: {
    summaryTitle: 'Il y a un problème',
    summaryIntro: (count: number) =>
      count === 1 ? 'Une réponse est à corriger :' : `${n(count)} réponses sont à corriger :`,
    required: 'Réponds à cette question pour continuer.',
    requiredChoice: 'Choisis une réponse pour continuer.',
    invalidOption: 'Cette réponse ne fait pas partie des choix proposés. Choisis dans la liste.',
    repeated: 'Une seule réponse est possible ici.',
    tooManyChoices: (max: number) => `Tu peux cocher ${n(max)} réponses au maximum.`,
    exclusive: (label: string) => `« ${label} » ne peut pas être coché avec une autre réponse.`,
    otherMissing: 'Précise ta réponse dans le champ « Précise ».',
    tooLong: (len: number, max: number) =>
      `Ta réponse est trop longue : ${n(len)} caractères pour ${n(max)} au maximum.`,
    notInteger: 'Écris un nombre entier en chiffres, par exemple 17.',
    outOfRange: (min: number, max: number, unit?: string) =>
      `Écris un nombre entre ${n(min)} et ${n(max)}${unit ? ` ${unit}` : ''}.`,
    rankingDuplicate: 'Tu as choisi deux fois la même réponse. Choisis une réponse différente à chaque rang.',
    rankingGap: 'Remplis les rangs dans l’ordre, en commençant par le 1er.',
    communeUnknown: 'Nous ne trouvons pas cette commune. Vérifie l’orthographe ou choisis dans la liste.',
    communeUnknownWithSuggestions: 'Nous ne trouvons pas cette commune. Voulais-tu dire l’une de celles-ci ?',
    communeAmbiguous: 'Plusieurs communes portent ce nom. Choisis la tienne :',
    tooManySubmissions: 'Beaucoup de réponses ont été envoyées depuis ce réseau en peu de temps. Tes réponses sont gardées : réessaie d’envoyer dans quelques minutes.',
    unexpectedFields: 'Le formulaire envoyé contenait des champs inattendus. Ils ont été ignorés : vérifie tes réponses et renvoie la page.',
    earlierSection: 'Une réponse d’une étape précédente est à corriger.',
  },

  survey: {
    stepOf: (i: number, total: number) => `Étape ${i} sur ${total}`,
    previous: 'Précédent',
    next: 'Suivant',
    submit: 'Envoyer mes réponses',
    start: 'Commencer',
    resume: 'Reprendre là où je me suis arrêté·e',
    required: 'Réponse obligatoire',
    otherPrecision: 'Précise',
    charactersMax: (max: number) => `${n(max)} caractères au maximum.`,
    rank: (i: number) => (i === 1 ? '1er choix' : `${i}e choix`),
    rankNone: '— Choisis —',
    shownBecause: 'Réponds à cette question seulement si elle te concerne.',
    communeDatalistHint: 'La liste propose les communes du Pôle Métropolitain ; tu peux écrire n’importe quelle commune de France.',
    honeypot: 'Ne remplis pas ce champ',
    savedNotice: 'Tes réponses sont enregistrées au fur et à mesure : tu peux fermer la page et reprendre plus tard sur ce même appareil.',
  },

  landing: {
    title: 'Mon avenir en Artois',
    lead: 'Tu as entre 15 et 25 ans et tu vis, étudies ou travailles dans l’Artois ? Dis-nous ce que tu penses de ton territoire, de ton avenir et de l’industrie.',
    who: 'Cette consultation est organisée par le Pôle Métropolitain de l’Artois (agglomérations de Lens-Liévin, d’Hénin-Carvin et de Béthune-Bruay). Tes réponses aideront les élus à construire des projets pour les jeunes du territoire.',
    duration: 'Cela prend environ 10 minutes : 4 étapes courtes.',
    anonymity: 'C’est anonyme : on ne te demande ni ton nom, ni ton adresse, ni ton e-mail, et nous n’enregistrons pas ton adresse IP.',
    privacyLink: 'Ce que nous faisons de tes réponses',
    draftFound: 'Tu as déjà commencé à répondre sur cet appareil.',
  },

  privacy: {
    title: 'Tes réponses et ta vie privée',
    sections: [
      {
        heading: 'Ce que nous enregistrons',
        paragraphs: [
          'Tes réponses aux questions, la commune que tu indiques, l’heure (arrondie à l’heure) à laquelle tu as commencé et terminé, et, si tu es arrivé·e par un lien d’un lycée ou d’une structure, le nom de cette structure.',
        ],
      },
      {
        heading: 'Ce que nous n’enregistrons pas',
        paragraphs: [
          'Ni ton nom, ni ton adresse, ni ton e-mail, ni ton numéro de téléphone. Ni ton adresse IP, ni le modèle de ton téléphone ou ton navigateur. Le numéro de ta réponse est tiré au hasard : il ne permet pas de savoir qui tu es ni dans quel ordre les personnes ont répondu.',
        ],
      },
      {
        heading: 'Le cookie de reprise',
        paragraphs: [
          'Un seul cookie technique, tiré au hasard, permet de reprendre tes réponses si tu fermes la page. Il est supprimé quand tu envoies tes réponses ; un second cookie retient seulement que tu as déjà répondu sur cet appareil. Pas de cookie publicitaire ni de mesure d’audience.',
        ],
      },
      {
        heading: 'Combien de temps',
        paragraphs: [
          'Les réponses commencées mais jamais envoyées sont effacées au bout de 30 jours. Les réponses envoyées sont conservées le temps de l’analyse de la consultation, et au plus tard deux ans après sa clôture.',
        ],
      },
      {
        heading: 'Qui les voit',
        paragraphs: [
          'L’équipe du Pôle Métropolitain de l’Artois et les personnes chargées de l’analyse. Les résultats publiés ne montrent que des totaux et des pourcentages, jamais une réponse seule. Les mots que tu écris peuvent être cités sans rien qui permette de te reconnaître : n’écris pas ton nom ni celui d’autres personnes.',
        ],
      },
      {
        heading: 'Tes droits',
        paragraphs: [
          'Comme tes réponses sont anonymes, nous ne pouvons pas retrouver les tiennes une fois envoyées. Pour toute question, écris au Pôle Métropolitain de l’Artois.',
        ],
      },
    ],
    back: 'Retour à l’accueil',
  },

  thanks: {
    title: 'Merci !',
    lead: 'Tes réponses sont bien envoyées.',
    next: 'Elles seront analysées avec celles des autres jeunes du territoire. Les résultats seront présentés lors d’un Forum Jeunesse et transmis aux élus du Pôle Métropolitain de l’Artois, qui s’en serviront pour leurs projets.',
    share: 'Tu peux partager ce questionnaire avec tes amis : plus nous aurons de réponses, plus la voix des jeunes comptera.',
  },

  alreadyAnswered: {
    title: 'Tu as déjà répondu, merci !',
    lead: 'Tes réponses ont bien été envoyées depuis cet appareil.',
    kioskHint: 'Cet appareil est partagé (tablette sur un stand, ordinateur du CDI) ? Une autre personne peut répondre :',
    newResponse: 'Nouvelle réponse sur cet appareil',
  },

  closed: {
    notYetTitle: 'La consultation n’est pas encore ouverte',
    notYet: (date: string) => `Le questionnaire sera ouvert à partir du ${date}. Reviens à ce moment-là !`,
    endedTitle: 'La consultation est terminée',
    ended: (date: string) => `Le questionnaire a fermé le ${date}. Merci à toutes celles et ceux qui ont répondu !`,
    postRefused: 'Le questionnaire est fermé : ta réponse n’a pas pu être enregistrée.',
  },

  http: {
    notFoundTitle: 'Page introuvable',
    notFound: 'Cette page n’existe pas ou n’existe plus.',
    backHome: 'Retour à l’accueil',
    tooLargeTitle: 'Envoi trop volumineux',
    tooLarge: 'Ce que tu as envoyé est trop long. Raccourcis tes réponses et réessaie.',
    badRequestTitle: 'Envoi illisible',
    badRequest: 'Nous n’avons pas pu lire ce qui a été envoyé. Reviens en arrière et réessaie.',
    csrfTitle: 'Page expirée',
    csrf: 'Pour ta sécurité, cette page a expiré. Tes réponses déjà enregistrées sont conservées : reprends le questionnaire.',
    serverErrorTitle: 'Une erreur est survenue',
    serverError: 'Quelque chose s’est mal passé de notre côté. Réessaie dans un instant.',
    cookiesNeededTitle: 'Active les cookies',
    tooManyTitle: 'Trop de réponses d’un coup',
    cookiesNeeded: 'Pour enregistrer tes réponses étape par étape, ton navigateur doit accepter le cookie technique de ce site. Active-le, puis recommence.',
    resume: 'Reprendre le questionnaire',
  },

  // Staff pages address adults at work: "vous".
  // Staff sign-in hardening: lockout, tokens, second factor, password changes (issue 9).
  security: {
    // Passwords and the second factor (auth-factors; the lockout's strings go above this line).
    passwordTooShort: (min: number, length: number) =>
      `Le mot de passe doit faire au moins ${n(min)} caractères (il en a ${n(length)}). Une phrase de quelques mots inattendus est facile à retenir et difficile à deviner.`,
    passwordTooLong: (max: number) => `Le mot de passe doit faire au plus ${n(max)} caractères.`,
    passwordIsEmail: 'Le mot de passe ne peut pas être votre adresse e-mail.',
    passwordWeak: (hints: readonly string[]) => `Ce mot de passe est trop facile à deviner. ${hints.join(' ')}`,
    passwordWeakDefaultHint: 'Ajoutez quelques mots inattendus ou choisissez une phrase plus longue.',
    passwordRule: (min: number) =>
      `Au moins ${n(min)} caractères, difficile à deviner : ni mot de passe courant, ni suite de touches ou de caractères répétés, ni votre adresse e-mail ou le nom du site. Une phrase de quelques mots inattendus convient bien.`,
    bootstrapWeak: (message: string) => `ADMIN_PASSWORD refusé : ${message} Choisissez-en un autre et redémarrez.`,
    accountTitle: 'Mon compte',
    changePasswordTitle: 'Changer mon mot de passe',
    changePasswordIntro: 'Le changement ferme vos autres sessions (autres navigateurs) et révoque vos jetons d’API. Cette session reste ouverte.',
    passwordsNotKept: 'Par sécurité, les mots de passe tapés ne sont jamais réaffichés : retapez-les.',
    currentPassword: 'Mot de passe actuel',
    newPassword: 'Nouveau mot de passe',
    confirmPassword: 'Nouveau mot de passe, une seconde fois',
    currentPasswordMissing: 'Indiquez votre mot de passe actuel.',
    currentPasswordWrong: 'Ce n’est pas votre mot de passe actuel.',
    newPasswordMissing: 'Choisissez un nouveau mot de passe.',
    newPasswordSame: 'Le nouveau mot de passe doit être différent de l’actuel.',
    confirmMismatch: 'Les deux nouveaux mots de passe ne sont pas identiques.',
    tooManyPasswordTries: 'Trop d’essais du mot de passe actuel. Réessayez dans 15 minutes.',
    changePasswordSubmit: 'Changer le mot de passe',
    passwordChanged: 'Mot de passe changé. Vos autres sessions sont fermées et vos jetons d’API révoqués.',
    twoFactorTitle: 'Double authentification',
    twoFactorIntro:
      'En plus du mot de passe, un code à 6 chiffres affiché par une application sur votre téléphone (FreeOTP, Aegis, Google Authenticator, Microsoft Authenticator…) est demandé à chaque connexion.',
    twoFactorOff: 'La double authentification n’est pas activée sur votre compte.',
    twoFactorOn: (date: string) => `La double authentification est activée depuis le ${date}.`,
    twoFactorRequired: 'Les administrateurs doivent activer la double authentification avant de continuer.',
    twoFactorStart: 'Activer la double authentification',
    twoFactorScan: '1. Scannez ce QR code avec votre application, ou saisissez la clé à la main :',
    twoFactorQrLabel: 'QR code à scanner avec l’application d’authentification',
    twoFactorKey: 'Clé (en base 32)',
    twoFactorKeyDetails: 'Type : basé sur le temps (TOTP), 6 chiffres, 30 secondes, SHA-1.',
    twoFactorConfirmIntro: '2. Tapez le code affiché par l’application pour confirmer :',
    code: 'Code à 6 chiffres',
    codeOrRecovery: 'Code à 6 chiffres ou code de secours',
    codeMissing: 'Tapez le code affiché par votre application.',
    codeFormat: 'Le code fait 6 chiffres.',
    codeWrong: 'Ce code n’est pas valable : tapez le code affiché en ce moment (il change toutes les 30 secondes), une seule fois.',
    twoFactorConfirm: 'Confirmer et activer',
    twoFactorCancel: 'Annuler',
    twoFactorEnabled: 'Double authentification activée.',
    recoveryTitle: 'Codes de secours',
    recoveryIntro:
      'Si vous perdez votre téléphone, chacun de ces codes remplace une fois le code à 6 chiffres. Ils ne seront plus affichés : imprimez-les ou gardez-les dans votre gestionnaire de mots de passe.',
    recoveryLeft: (count: number) => `Codes de secours restants : ${n(count)} sur 10.`,
    recoveryRegenerate: 'Générer de nouveaux codes de secours',
    recoveryRegenerateIntro: 'Les anciens codes cessent aussitôt de fonctionner.',
    recoveryNew: 'Nouveaux codes de secours (les anciens ne fonctionnent plus) :',
    disableTitle: 'Désactiver la double authentification',
    disableSubmit: 'Désactiver',
    disabled: 'Double authentification désactivée.',
    disableForbiddenAdmin: 'La double authentification est obligatoire pour les administrateurs : elle ne peut pas être désactivée.',
    loginCodeTitle: 'Code de connexion',
    loginCodeIntro: 'Tapez le code à 6 chiffres affiché par votre application d’authentification, ou l’un de vos codes de secours.',
    loginCodeSubmit: 'Valider',
    loginCodeExpired: 'Cette étape a expiré ou a reçu trop de codes faux : reconnectez-vous avec votre mot de passe.',
    loginCodeRecoveryUsed: (left: number) =>
      `Vous vous êtes connecté·e avec un code de secours. Il en reste ${n(left)} : générez-en de nouveaux sur la page Double authentification.`,
    backToLogin: 'Retour à la connexion',
    securityTitle: 'Sécurité des comptes',
    requireForAdmins: 'Double authentification obligatoire pour les administrateurs',
    requireForAdminsHint: 'Un administrateur sans double authentification est conduit à l’activer dès sa connexion, avant toute autre page.',
    requireNeedsOwn: 'Activez d’abord la double authentification sur votre propre compte.',
    twoFactorColumn: 'Double authentification',
    twoFactorStateOn: 'Activée',
    twoFactorStateOff: 'Non activée',
    twoFactorReset: 'Réinitialiser (téléphone perdu)',
    twoFactorResetDone: (email: string) =>
      `Double authentification de ${email} réinitialisée ; ses sessions sont fermées. Elle ou il pourra la réactiver à sa prochaine connexion.`,
    twoFactorResetSelf: 'Pour votre propre compte, utilisez un code de secours puis la page Double authentification.',
  },

  staff: {
    loginTitle: 'Connexion de l’équipe',
    loginIntro: 'Espace réservé à l’équipe de la consultation (administration, analyse, animation des ateliers).',
    email: 'Adresse e-mail',
    password: 'Mot de passe',
    signIn: 'Se connecter',
    signOut: 'Se déconnecter',
    badCredentials: 'Adresse e-mail ou mot de passe incorrect.',
    emailMissing: 'Indiquez votre adresse e-mail.',
    passwordMissing: 'Indiquez votre mot de passe.',
    accountLocked: (minutes: number) =>
      `Trop de tentatives : ce compte est bloqué pendant ${n(minutes)} minutes. Réessayez plus tard ou demandez à un administrateur de réinitialiser le mot de passe.`,
    tooManyFromNetwork: (minutes: number) =>
      `Trop de tentatives de connexion depuis ce réseau. Réessayez dans ${n(minutes)} minute${minutes > 1 ? 's' : ''}.`,
    unauthorized: 'Connexion requise : connectez-vous ou utilisez un jeton d’API (en-tête Authorization: Bearer …).',
    forbiddenTitle: 'Accès refusé',
    forbidden: 'Votre rôle ne permet pas d’accéder à cette page.',
    backToHome: 'Retour à l’espace équipe',
    homeTitle: 'Espace équipe',
    signedInAs: (email: string, role: string) => `Connecté·e : ${email} (${role})`,
    tokensTitle: 'Mes jetons d’API',
    tokensIntro: 'Un jeton permet à un script (R, Python, curl) de télécharger les exports sans navigateur : en-tête « Authorization: Bearer <jeton> ». Il n’est affiché qu’une fois : copiez-le tout de suite.',
    tokenLabel: 'Nom du jeton (par exemple « Script R de Camille »)',
    tokenLabelMissing: 'Donnez un nom au jeton (80 caractères au maximum).',
    tokenCreate: 'Créer un jeton',
    tokenCreated: 'Voici votre jeton. Il ne sera plus jamais affiché :',
    tokenRevoke: 'Révoquer',
    tokenRevoked: 'Jeton révoqué.',
    noTokens: 'Aucun jeton pour l’instant.',
    accountsTitle: 'Comptes de l’équipe',
    role: 'Rôle',
    createAccount: 'Créer le compte',
    accountCreated: (email: string) => `Compte créé pour ${email}. Mot de passe à transmettre (affiché une seule fois) :`,
    passwordReset: (email: string) => `Nouveau mot de passe pour ${email} (affiché une seule fois) :`,
    emailInvalid: 'Indiquez une adresse e-mail valide.',
    emailTaken: 'Un compte existe déjà avec cette adresse.',
    roleInvalid: 'Choisissez un rôle.',
    disable: 'Désactiver',
    enable: 'Réactiver',
    resetPassword: 'Nouveau mot de passe',
    changeRole: 'Changer le rôle',
    lastAdmin: 'Impossible : il doit rester au moins un administrateur actif.',
    notSelf: 'Vous ne pouvez pas désactiver votre propre compte.',
    auditTitle: 'Journal des actions',
    auditEmpty: 'Aucune action enregistrée.',
    olderEntries: 'Actions plus anciennes',
    campaignTitle: 'Campagne',
    opensAt: 'Ouverture (AAAA-MM-JJ ou AAAA-MM-JJTHH:MM, heure de Paris ; vide = ouverte)',
    closesAt: 'Clôture (même format ; vide = pas de date de fin)',
    channels: 'Canaux de diffusion : un par ligne, « code;libellé » (code en minuscules, chiffres et tirets)',
    save: 'Enregistrer',
    saved: 'Réglages enregistrés.',
    dateInvalid: 'Date attendue au format AAAA-MM-JJ ou AAAA-MM-JJTHH:MM.',
    datesOrder: 'La clôture doit être après l’ouverture.',
    channelsInvalid: (line: number) => `Ligne ${n(line)} : format attendu « code;libellé », code en minuscules ASCII avec tirets, sans doublon.`,
    closeNow: 'Clôturer la campagne maintenant',
    closed: 'La campagne est clôturée : le questionnaire n’accepte plus de réponses.',
    deleteTitle: 'Supprimer les réponses',
    deleteIntro: 'Après la clôture et l’export de toutes les données, vous pouvez supprimer définitivement les réponses (brouillons compris). Cette action est irréversible.',
    deleteConfirmLabel: 'Pour confirmer, écrivez SUPPRIMER',
    deleteButton: 'Supprimer définitivement les réponses',
    deleteNotClosed: 'Clôturez d’abord la campagne.',
    deleteConfirmWrong: 'Écrivez exactement SUPPRIMER pour confirmer.',
    deleted: (count: number) => `${n(count)} réponse${count > 1 ? 's' : ''} supprimée${count > 1 ? 's' : ''}.`,
    flaggedTitle: 'Réponses signalées',
    flaggedIntro: 'Réponses probablement automatiques (champ piège rempli, remplissage trop rapide). Elles sont conservées et peuvent être exclues des résultats.',
    flaggedEmpty: 'Aucune réponse signalée.',
    flagReasons: { piege: 'Champ piège rempli', rapide: 'Remplie trop vite', horodatage: 'Formulaire sans horodatage' } as Record<string, string>,
    unflag: 'Lever le signalement',
    flag: 'Signaler',
  },

  // Disclosure control: what people who are not analysts may see (issue 9).
  disclosure: {},

  // Live streams: caps and closing (issue 9).
  live: {},

  results: {
    title: 'Résultats',
    participation: 'Participation',
    responses: (count: string) => `${count} réponses complètes`,
    base: 'Base',
    count: 'Nombre',
    percent: 'Part',
    answer: 'Réponse',
    filterRow: 'Filtrer',
    multipleNote: 'Plusieurs réponses possibles : le total dépasse 100 %.',
    filtersTitle: 'Filtres',
    channel: 'Canal de diffusion',
    from: 'Du (AAAA-MM-JJ)',
    to: 'Au (AAAA-MM-JJ)',
    excludeFlagged: 'Exclure les réponses signalées',
    apply: 'Appliquer les filtres',
    clear: 'Retirer tous les filtres',
    activeFilters: 'Filtres actifs',
    remove: 'retirer',
    noChannel: 'Lien sans canal',
    perDay: 'Réponses par jour',
    perChannel: 'Réponses par canal',
    funnel: 'Où les jeunes s’arrêtent',
    profile: 'Qui a répondu',
    day: 'Jour',
    step: 'Étape',
    mean: 'Moyenne',
    median: 'Médiane',
    textAnswers: 'Réponses en texte libre (lisibles dans l’export des réponses)',
    exports: 'Exports',
    withFilters: 'avec les filtres actifs',
    exportResults: 'Résultats (CSV)',
    exportResponses: 'Réponses (CSV)',
    exportCodebook: 'Dictionnaire des variables (CSV)',
    exportExcel: 'version Excel',
    exportLabels: 'avec libellés',
    live: 'Mise à jour en direct',
    updated: 'Résultats mis à jour.',
    noData: 'Aucune réponse pour l’instant.',
  },

  // The results engine and the exports: filter errors, derived variables, codebook, funnel.
  // Analyst pages: free-text browser, single response, flagged responses (issue 10).
  analysis: {},

  resultsEngine: {
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
    crosstab: {
      missing: (field: 'row' | 'col') => (field === 'row' ? 'Choisis la variable en lignes.' : 'Choisis la variable en colonnes.'),
      unknown: (id: string) => `« ${id} » n’est pas une variable que l’on peut croiser.`,
      same: 'Choisis deux variables différentes.',
      noData: 'Aucune réponse ne renseigne à la fois les deux variables avec ces filtres.',
      significant: (row: string, col: string, stat: string) =>
        `Les réponses à « ${col} » diffèrent selon « ${row} » : l’écart est statistiquement significatif (${stat}).`,
      notSignificant: (row: string, col: string, stat: string) =>
        `Les écarts entre les groupes de « ${row} » pour « ${col} » ne sont pas statistiquement significatifs au seuil de 5 % (${stat}) : ils peuvent être dus au hasard.`,
      smallExpected: (min: string) =>
        `Prudence : certaines cases ont un effectif attendu inférieur à 5 (le plus petit : ${min}), le test du χ² est alors approximatif.`,
      ratio: (r: { groupA: string; groupB: string; answer: string; shareA: string; shareB: string; times: string; low: string; high: string; more: boolean; significant: boolean }) =>
        `« ${r.answer} » : ${r.shareA} des « ${r.groupA} » contre ${r.shareB} des « ${r.groupB} », soit ${r.times} fois ${r.more ? 'plus' : 'moins'} (IC 95 % : ${r.low} à ${r.high})` +
        (r.significant ? ' ; différence significative.' : ' ; différence non significative au seuil de 5 %.'),
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
  },

  // Workshops (issue 11).
  workshops: {},

  footer: {
    privacy: 'Vie privée',
    organiser: 'Une consultation du Pôle Métropolitain de l’Artois',
  },
} as const;

export type Strings = typeof fr;

const longDate = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
const dateTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** "25 novembre 2022", or "31 janvier 2023 à 18:00" when the time isn't midnight in Paris. */
export function frenchDate(d: Date): string {
  const parisTime = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(d);
  return parisTime === '00:00' ? longDate.format(d) : dateTime.format(d);
}
