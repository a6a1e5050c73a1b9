import { describe, expect, it } from 'vitest';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { monAvenirEnArtois } from '../../src/questionnaire/mon-avenir-en-artois.js';
import { parseQuestionnaire, type QuestionnaireInput } from '../../src/questionnaire/schema.js';

const clone = (): QuestionnaireInput => structuredClone(monAvenirEnArtois);

describe('the questionnaire definition', () => {
  it('« Mon avenir en Artois » is valid: four sections, stable ASCII ids', () => {
    const q = loadQuestionnaire();
    expect(q.sections.map((s) => s.title)).toEqual(['Mon identité', 'Mon territoire', 'Mon avenir', 'Mon regard sur l’industrie']);
    const ids = q.sections.flatMap((s) => s.questions.map((x) => x.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-z0-9_]*$/);
    // Only the four identity questions are required.
    expect(q.sections.flatMap((s) => s.questions.filter((x) => x.required).map((x) => x.id))).toEqual(['age', 'genre', 'commune', 'situation']);
  });

  it('keeps the published items word for word', () => {
    const q = loadQuestionnaire();
    const all = q.sections.flatMap((s) => s.questions);
    const byLabel = (l: string) => all.find((x) => x.label === l)!;
    expect(byLabel('Quel âge as-tu ?')).toMatchObject({ type: 'integer', min: 11, max: 35, required: true });
    const genre = byLabel('Quel est ton genre ?');
    expect(genre.type === 'single' && genre.options.map((o) => o.label)).toEqual(['Masculin', 'Féminin', 'Autre', 'Je préfère ne pas répondre']);
    expect(byLabel('Dans quelle commune habites-tu ?')).toMatchObject({ type: 'commune', required: true });
    const situation = byLabel('Quelle est ta situation actuelle ?');
    expect(situation.type === 'single' && situation.options.map((o) => o.label)).toEqual([
      'Au collège', 'Au lycée', 'En études supérieures', 'En apprentissage ou en alternance', 'En emploi',
      'En recherche d’emploi ou de formation', 'Autre (précise)',
    ]);
    const industry = byLabel('Pourrais-tu envisager de travailler dans l’industrie ?');
    expect(industry.type === 'single' && industry.options.map((o) => o.label)).toEqual([
      'Oui, tout à fait', 'Plutôt oui', 'Plutôt non', 'Pas du tout', 'Je ne sais pas',
    ]);
    const convince = byLabel('Qu’est-ce qui pourrait te convaincre de travailler dans l’industrie ?');
    expect(convince.type).toBe('multiple');
    if (convince.type !== 'multiple') return;
    expect(convince.options.map((o) => o.label)).toEqual([
      'Rien', 'Mieux connaître le secteur industriel, en découvrir les métiers', 'Connaître les conditions de travail',
      'Visiter des entreprises du secteur', 'Prendre connaissance des salaires proposés',
      'Rencontrer des employés du secteur industriel', 'Connaître le niveau de formation requis', 'Autre (précise)',
    ]);
    expect(convince.options[0].exclusive).toBe(true);
    expect(byLabel('Quels mots te viennent à l’esprit quand tu penses à l’industrie ?').type).toBe('text');
    const ranking = all.find((x) => x.type === 'ranking')!;
    expect(ranking.type === 'ranking' && ranking.options.slice(0, 5).map((o) => o.code)).toEqual([
      'salaire', 'conditions_travail', 'epanouissement', 'utilite', 'evolution',
    ]);
  });

  const broken: [string, (q: QuestionnaireInput) => void, RegExp][] = [
    ['duplicate question id', (q) => { q.sections[1].questions[0].id = 'age'; }, /question « age » en double/],
    ['non-ASCII id', (q) => { q.sections[0].questions[0].id = 'âge'; }, /code ASCII/],
    ['"__" in an id (reserved for export columns)', (q) => { q.sections[0].questions[0].id = 'a__b'; }, /__/],
    ['duplicate option code', (q) => {
      const g = q.sections[0].questions[1];
      if (g.type === 'single') g.options[1].code = g.options[0].code;
    }, /option « masculin » en double/],
    ['condition on a later question', (q) => {
      q.sections[0].questions[0].showIf = { question: 'envisager_industrie', anyOf: ['plutot_oui'] };
    }, /n’est pas une question précédente/],
    ['condition on an unknown option', (q) => {
      const f = q.sections[0].questions.find((x) => x.id === 'filiere')!;
      f.showIf = { question: 'situation', anyOf: ['astronaute'] };
    }, /option « astronaute », inconnue/],
    ['condition on a free-text question', (q) => {
      q.sections[3].questions[1].showIf = { question: 'mots_industrie', anyOf: ['usine'] };
    }, /ne peut porter que sur une question à choix/],
    ['exclusive option on a single choice', (q) => {
      const g = q.sections[0].questions[1];
      if (g.type === 'single') g.options[0].exclusive = true;
    }, /exclusive/],
    ['maxChoices above the options', (q) => {
      const m = q.sections[1].questions[1];
      if (m.type === 'multiple') m.maxChoices = 40;
    }, /maxChoices/],
    ['integer with min above max', (q) => {
      const a = q.sections[0].questions[0];
      if (a.type === 'integer') a.min = 50;
    }, /min doit être inférieur/],
    ['unknown question type', (q) => { (q.sections[0].questions[0] as { type: string }).type = 'slider'; }, /type/],
    ['unknown property (typo)', (q) => { (q.sections[0].questions[0] as Record<string, unknown>).requird = true; }, /requird/],
    ['section without questions', (q) => { q.sections[2].questions = []; }, /sections\.2\.questions/],
    ['empty label', (q) => { q.sections[0].questions[0].label = '  '; }, /label/],
  ];
  it.each(broken)('rejects a definition with %s', (_name, mutate, message) => {
    const q = clone();
    mutate(q);
    expect(() => parseQuestionnaire(q)).toThrow(message);
  });
});
