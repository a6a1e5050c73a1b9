import type { Db } from '../../src/db/connection.js';
import { generateDemo } from '../../src/demo/demo.js';
import { fold } from '../../src/text/normalise.js';
import { readWorkshop } from '../../src/workshops/activities.js';
import { createWorkshopStore } from '../../src/workshops/store.js';
import { saveSettings, defaultSettings } from '../../src/synthesis/settings.js';
import { addResponse, FIVE, freshDb, q } from '../results/helpers.js';

// A consultation worth printing: the demo's 400 respondents (2022-23 dates), a codebook of the
// « mots de l'industrie » coded like an analyst would (reference coding), a few answers carrying a
// phone number (a theme of their own, so that its examples must be screened), a workshop with a
// poll taken from the questionnaire, a word cloud and an idea wall, and chosen key crosstabs.

export const PHONE = '06 12 34 56 78';
export const PHONE_DIGITS = '0612345678';
export const SOURCE = 'mots_industrie';

export const THEMES = [
  { code: 'productivite', label: 'Productivité et emploi', keywords: ['usine', 'production', 'emploi', 'fabrication', 'machines', 'automobile', 'batteries'] },
  { code: 'conditions', label: 'Conditions de travail difficiles', keywords: ['chaine', 'horaires', 'fatigue', 'salaire bas'] },
  { code: 'environnement', label: 'Dégradation de l’environnement', keywords: ['pollution', 'fumee', 'bruit'] },
  { code: 'histoire', label: 'Histoire du territoire', keywords: ['mines', 'histoire', 'metallurgie', 'ouvriers'] },
  { code: 'contact', label: 'Demandes de contact', keywords: ['appelle'] },
];

export function seedSynthesis(db: Db = freshDb()): Db {
  generateDemo(db, { count: 400, seed: 7, now: new Date('2023-01-31T22:00:00Z') });
  // Six young people left their number (more than K = 5: the theme's examples are printed, masked).
  for (let i = 0; i < 6; i++) {
    addResponse(db, {
      ...FIVE[i % FIVE.length],
      channel: 'lycee-carnot',
      completed: '2023-01-20T10',
      answers: { ...FIVE[i % FIVE.length].answers, 4: { ...FIVE[i % FIVE.length].answers[4], mots_industrie: `Usine et emploi, appelle-moi au ${PHONE} pour un stage` } },
    });
  }
  // The fixture's own codebook, in place of the one the demo seeds (src/demo/, the report's themes).
  db.prepare('DELETE FROM codings WHERE source = ?').run(SOURCE);
  db.prepare('DELETE FROM themes WHERE source = ?').run(SOURCE);
  const insertTheme = db.prepare('INSERT INTO themes (source, code, label, definition, keywords, position) VALUES (?, ?, ?, ?, ?, ?)');
  THEMES.forEach((t, i) => insertTheme.run(SOURCE, t.code, t.label, '', t.keywords.join('|'), i));
  const texts = db
    .prepare(`SELECT a.response_id AS id, a.value_text AS text FROM answers a JOIN responses r ON r.id = a.response_id WHERE r.status = 'complete' AND a.question_id = ? AND a.option_code = '' AND a.value_text <> ''`)
    .all(SOURCE) as { id: string; text: string }[];
  const coding = db.prepare(`INSERT INTO codings (source, coder, response_id, uncodable) VALUES (?, '', ?, 0)`);
  const theme = db.prepare(`INSERT INTO coding_themes (source, coder, response_id, code) VALUES (?, '', ?, ?)`);
  db.transaction(() => {
    for (const { id, text } of texts) {
      coding.run(SOURCE, id);
      const folded = fold(text);
      for (const t of THEMES) if (t.keywords.some((k) => folded.includes(k))) theme.run(SOURCE, id, t.code);
    }
  })();

  const store = createWorkshopStore(db);
  const parsed = readWorkshop(
    {
      title: 'Atelier Jeunesse',
      date: '2023-02-28',
      place: 'Stade Bollaert-Delelis, Lens',
      activities: [
        { type: 'poll', prompt: 'Pourrais-tu envisager de travailler dans l’industrie ?', question_id: 'envisager_industrie' },
        { type: 'word_cloud', prompt: 'Un mot pour l’industrie de demain' },
        { type: 'idea_wall', prompt: 'Comment se déplacer plus facilement sans voiture ?' },
      ],
    },
    q,
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const w = store.create(parsed.workshop, null, new Date('2023-02-28T09:00:00Z'));
  const [poll, cloud, wall] = store.activities(w.id);
  const codes = ['oui_tout_a_fait', 'plutot_oui', 'plutot_oui', 'plutot_non', 'pas_du_tout', 'nsp'];
  const words = [['innovation', 'emploi'], ['énergie verte'], ['robots', 'Innovation'], ['avenir'], ['emploi'], ['batteries', 'avenir']];
  const ideas = ['Des bus plus tard le soir', 'La gratuité des transports pour les jeunes', `Covoiturage entre lycéens, écrivez-moi au ${PHONE}`, 'Plus de pistes cyclables sécurisées'];
  for (let i = 0; i < 24; i++) {
    const who = `participant-${i}`;
    store.saveAnswer(w.id, poll.position, who, { codes: [codes[i % codes.length]] });
    store.saveAnswer(w.id, cloud.position, who, { entries: words[i % words.length] });
  }
  const ids = ideas.map((text, i) => {
    const r = store.addIdea(w.id, wall, `participant-${i}`, text);
    if (!r.ok) throw new Error('idée refusée');
    return r.id;
  });
  for (let i = 0; i < 10; i++) store.toggleVote(w.id, wall.position, ids[i % 2], `participant-${i}`);

  saveSettings(
    db,
    {
      ...defaultSettings(q),
      title: 'Mon avenir en Artois — synthèse pour les élus',
      introduction: 'Enquête en ligne diffusée auprès des jeunes du territoire.\n\nCe document présente les premiers résultats.',
      crosstabs: [
        { row: 'genre', col: 'envisager_industrie' },
        { row: 'genre', col: 'convaincre_industrie' },
        // 4 intercommunalities × 10 strengths: too tall for a page as bars, printed as its table alone.
        { row: 'commune__epci', col: 'points_forts' },
      ],
    },
    new Date('2023-02-01T10:00:00Z'),
  );
  return db;
}
