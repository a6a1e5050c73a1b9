import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { parseAnswer, readWorkshop, type Activity } from '../../src/workshops/activities.js';
import { CODE_ALPHABET, newJoinCode, readJoinCode } from '../../src/workshops/code.js';
import { isProfane } from '../../src/workshops/moderation.js';
import { createWorkshopStore, participantKey } from '../../src/workshops/store.js';

const q = loadQuestionnaire();

const FORUM = {
  title: 'Atelier Jeunesse',
  date: '2023-02-28',
  place: 'Stade Bollaert-Delelis',
  activities: [
    { type: 'poll', prompt: 'Pourrais-tu envisager de travailler dans l’industrie ?', question_id: 'envisager_industrie' },
    { type: 'poll', prompt: 'Comment viens-tu au forum ?', options: ['En bus', 'En voiture', 'À pied', 'À vélo'], multiple: true },
    { type: 'scale', prompt: 'Es-tu fier de ton territoire ?', scale: 'agreement', hide_results: true },
    { type: 'word_cloud', prompt: 'En un à trois mots, l’industrie c’est…' },
    { type: 'idea_wall', prompt: 'Comment se déplacer plus facilement sans voiture ?', premoderation: true },
  ],
};

describe('join codes', () => {
  it('has no ambiguous characters and reads what people type', () => {
    for (const c of '0O1IL5S2Z8BUV') expect(CODE_ALPHABET).not.toContain(c);
    const codes = new Set(Array.from({ length: 2000 }, newJoinCode));
    expect(codes.size).toBeGreaterThan(1990);
    for (const c of codes) expect(c).toMatch(/^[ACDEFGHJKMNPQRTWXY34679]{6}$/);
    expect(readJoinCode(' k7m-4qx ')).toBe('K7M4QX');
    expect(readJoinCode('K7M4QO')).toBeNull(); // O is never in a code
    expect(readJoinCode('C7M4Q')).toBeNull();
    expect(readJoinCode(['C7M4QX'])).toBeNull();
  });
});

describe('workshop definitions', () => {
  it('reads a forum sequence; a poll taken from the questionnaire keeps its question id and codes', () => {
    const r = readWorkshop(FORUM, q);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [fromSurvey, own, scale, cloud, wall] = r.workshop.activities;
    expect(fromSurvey.config).toMatchObject({ multiple: false, questionId: 'envisager_industrie' });
    expect((fromSurvey.config as { options: { code: string }[] }).options.map((o) => o.code)).toEqual(['oui_tout_a_fait', 'plutot_oui', 'plutot_non', 'pas_du_tout', 'nsp']);
    expect(own.config).toEqual({
      multiple: true,
      options: [
        { code: 'en_bus', label: 'En bus' },
        { code: 'en_voiture', label: 'En voiture' },
        { code: 'a_pied', label: 'À pied' },
        { code: 'a_velo', label: 'À vélo' },
      ],
    });
    expect(scale.revealed).toBe(false);
    expect((scale.config as { options: unknown[] }).options).toHaveLength(4);
    expect(cloud.config).toEqual({});
    expect(wall.premoderation).toBe(true);
    expect(r.workshop.day).toBe('2023-02-28');
  });

  it.each([
    [{ ...FORUM, title: '  ' }, 'title', 'Donne un titre à l’atelier.'],
    [{ ...FORUM, date: '28/02/2023' }, 'date', 'Date attendue au format AAAA-MM-JJ, par exemple 2023-02-28.'],
    [{ ...FORUM, date: '2023-02-30' }, 'date', 'Date attendue au format AAAA-MM-JJ, par exemple 2023-02-28.'],
    [{ ...FORUM, activities: [] }, 'activities', 'Ajoute au moins une activité.'],
    [{ ...FORUM, activities: [{ type: 'quiz', prompt: 'x' }] }, 'activities.0.type', expect.stringContaining('Type d’activité inconnu')],
    [{ ...FORUM, activities: [{ type: 'poll', prompt: 'x', options: ['Oui'] }] }, 'activities.0.options', expect.stringContaining('au moins deux réponses')],
    [{ ...FORUM, activities: [{ type: 'poll', prompt: 'x', options: ['Oui', 'oui'] }] }, 'activities.0.options', 'Deux réponses proposées sont identiques.'],
    [{ ...FORUM, activities: [{ type: 'poll', prompt: 'x', question_id: 'mots_industrie' }] }, 'activities.0.question_id', '« mots_industrie » n’est pas une question à choix du questionnaire.'],
    [{ ...FORUM, activities: [{ type: 'word_cloud', prompt: '' }] }, 'activities.0.prompt', 'Écris la question posée à la salle.'],
  ])('refuses a bad definition with a French message on the field (%#)', (input, field, message) => {
    const r = readWorkshop(input, q);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toContainEqual({ field, message });
  });
});

describe('answers', () => {
  const poll: Activity = { position: 0, type: 'poll', prompt: 'p', state: 'open', revealed: true, premoderation: false, config: { multiple: true, max: 2, options: [{ code: 'a', label: 'A' }, { code: 'b', label: 'B' }, { code: 'c', label: 'C' }] } };
  const single: Activity = { ...poll, config: { multiple: false, options: [{ code: 'a', label: 'A' }, { code: 'b', label: 'B' }] } };
  const cloud: Activity = { ...poll, type: 'word_cloud', config: {} };
  const wall: Activity = { ...poll, type: 'idea_wall', config: {} };
  it.each([
    [single, { choice: 'a' }, { codes: ['a'] }],
    [single, {}, 'Choisis une réponse.'],
    [single, { choice: ['a', 'b'] }, 'Choisis une réponse.'],
    [single, { choice: 'z' }, 'Cette réponse ne fait pas partie des choix proposés.'],
    [poll, { choice: ['a', 'b', 'a'] }, { codes: ['a', 'b'] }],
    [poll, { choice: ['a', 'b', 'c'] }, 'Tu peux cocher 2 réponses au maximum.'],
    [cloud, { entry1: ' Usines ', entry2: '', entry3: 'fumée' }, { entries: ['Usines', 'fumée'] }],
    [cloud, { entry1: '', entry2: ' ', entry3: '!!' }, 'Écris au moins un mot.'],
    [cloud, { entry1: 'x'.repeat(41) }, 'Trop long : 41 caractères pour 40 au maximum. Un mot ou une courte expression suffit.'],
    [wall, { text: 'Des bus le soir' }, { text: 'Des bus le soir' }],
    [wall, { text: '   ' }, 'Écris ta proposition.'],
    [wall, { text: 'é'.repeat(281) }, 'Ta proposition est trop longue : 281 caractères pour 280 au maximum.'],
  ])('parses %#', (a, body, expected) => {
    const r = parseAnswer(a, body);
    if (typeof expected === 'string') {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0].message).toBe(expected);
    } else expect(r).toEqual({ ok: true, value: expected });
  });

  it('keeps what was typed with the error', () => {
    const r = parseAnswer(cloud, { entry1: 'x'.repeat(41), entry2: 'usine' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.typed).toEqual({ entry1: 'x'.repeat(41), entry2: 'usine', entry3: '' });
  });
});

describe('profanity list', () => {
  it.each([
    ['merde', true],
    ['MERDE !', true],
    ["c'est de la merde", true],
    ['Putain', true],
    ['pd', true],
    ['usine', false],
    ['conditions de travail', false],
    ['Je ne sais pas', false],
    ['Béthune', false],
  ])('%s → %s', (text, profane) => {
    expect(isProfane(text)).toBe(profane);
  });
});

describe('workshop store', () => {
  const setup = () => {
    const db = openDatabase(':memory:');
    const store = createWorkshopStore(db);
    const r = readWorkshop(FORUM, q);
    if (!r.ok) throw new Error('definition');
    return { db, store, w: store.create(r.workshop, null, new Date('2023-02-20T10:00:00Z')) };
  };

  it('keeps one answer per participant per activity, changeable', () => {
    const { store, w } = setup();
    const [a, b] = ['cookie-a', 'cookie-b'].map((c) => participantKey(c, w.id));
    store.saveAnswer(w.id, 0, a, { codes: ['plutot_oui'] });
    store.saveAnswer(w.id, 0, a, { codes: ['nsp'] });
    store.saveAnswer(w.id, 0, b, { codes: ['nsp'] });
    const res = store.results(w.id, store.activity(w.id, 0)!);
    expect(res).toMatchObject({ type: 'poll', answered: 2 });
    if (res.type !== 'poll' && res.type !== 'scale') return;
    expect(res.options.find((o) => o.code === 'nsp')).toMatchObject({ count: 2, percent: 100 });
    expect(res.options.find((o) => o.code === 'plutot_oui')).toMatchObject({ count: 0, percent: 0 });
    expect(store.participants(w.id)).toBe(2);
    // The same cookie is another participant in another workshop.
    expect(participantKey('cookie-a', 'other')).not.toBe(a);
  });

  it('opens one activity at a time and closes the one before', () => {
    const { store, w } = setup();
    store.setCurrent(w.id, 1);
    expect(store.activities(w.id).map((x) => x.state)).toEqual(['waiting', 'open', 'waiting', 'waiting', 'waiting']);
    store.setCurrent(w.id, 3);
    expect(store.activities(w.id).map((x) => x.state)).toEqual(['waiting', 'closed', 'waiting', 'open', 'waiting']);
    expect(store.byId(w.id)!.current).toBe(3);
  });

  it('groups the word cloud, hides a group by moderation and holds profane entries back, all kept in the data', () => {
    const { store, w } = setup();
    const typed = [['Usines', 'fumée'], ["l'usine", 'merde'], ['USINE', 'Fumée', 'emploi']];
    typed.forEach((entries, i) => store.saveAnswer(w.id, 3, participantKey(`p${i}`, w.id), { entries }));
    store.setEntryHidden(w.id, 3, 'emploi', true);
    const res = store.results(w.id, store.activity(w.id, 3)!);
    if (res.type !== 'word_cloud') throw new Error();
    expect(res.entries.map((e) => [e.key, e.count, e.hidden, e.flagged])).toEqual([
      ['usine', 3, false, false],
      ['fumee', 2, false, false],
      ['emploi', 1, true, false],
      ['merde', 1, false, true],
    ]);
  });

  it('runs an idea wall: pre-moderation, one vote each, themes', () => {
    const { store, w } = setup();
    const wall = store.activity(w.id, 4)!;
    const [a, b, c] = ['a', 'b', 'c'].map((x) => participantKey(x, w.id));
    const first = store.addIdea(w.id, wall, a, 'Des bus le soir et le week-end');
    expect(first).toMatchObject({ ok: true, status: 'pending' });
    if (!first.ok) return;
    // Not votable until approved.
    expect(store.toggleVote(w.id, 4, first.id, b)).toBe(false);
    store.setIdeaStatus(w.id, first.id, 'visible');
    expect(store.toggleVote(w.id, 4, first.id, b)).toBe(true);
    expect(store.toggleVote(w.id, 4, first.id, c)).toBe(true);
    expect(store.toggleVote(w.id, 4, first.id, c)).toBe(true); // taken back
    const theme = store.addTheme(w.id, 4, 'RENFORCER L’ACCESSIBILITÉ TERRITORIALE');
    expect(store.setIdeaTheme(w.id, first.id, theme)).toBe(true);
    const res = store.results(w.id, wall);
    if (res.type !== 'idea_wall') throw new Error();
    expect(res.ideas).toEqual([
      { id: first.id, text: 'Des bus le soir et le week-end', themeId: theme, theme: 'RENFORCER L’ACCESSIBILITÉ TERRITORIALE', votes: 1, status: 'visible', flagged: false },
    ]);
    expect(store.votedBy(w.id, 4, b)).toEqual(new Set([first.id]));
  });

  it('duplicates a sequence without its answers, archives and deletes', () => {
    const { store, w } = setup();
    store.saveAnswer(w.id, 0, participantKey('x', w.id), { codes: ['nsp'] });
    const copy = store.duplicate(w.id, null, ' (copie)')!;
    expect(copy.code).not.toBe(w.code);
    expect(copy.title).toBe('Atelier Jeunesse (copie)');
    expect(store.activities(copy.id).map((a) => a.prompt)).toEqual(store.activities(w.id).map((a) => a.prompt));
    expect(store.participants(copy.id)).toBe(0);
    store.setArchived(w.id, true);
    expect(store.byCode(w.code)).toBeUndefined();
    expect(store.list({ archived: true }).map((x) => x.id)).toEqual([w.id]);
    store.delete(w.id);
    expect(store.byId(w.id)).toBeUndefined();
  });
});
