import { describe, expect, it } from 'vitest';
import { contentWords, entryKey, fold, groupEntries, keywordMatcher, singular, words } from '../../src/text/normalise.js';

describe('French normalisation', () => {
  it.each([
    ['L’Œuvre', "l'oeuvre"],
    ['ÉCOLOGIE', 'ecologie'],
    ['Fumée', 'fumee'],
    ['ﬁn', 'fin'], // NFKC ligature
    ['Chaîne', 'chaine'],
  ])('folds %s to %s', (input, expected) => {
    expect(fold(input)).toBe(expected);
  });

  it.each([
    ["l'usine", ['l', 'usine']],
    ['d’usines', ['d', 'usines']],
    ["qu'on", ['qu', 'on']],
    ["aujourd'hui", ["aujourd'hui"]],
    ['peut-être', ['peutetre']],
    ['éco-responsable', ['ecoresponsable']],
    ['  POSTÉ   ÉQUIPE ', ['poste', 'equipe']],
    ['jsp', ['sais', 'pas']],
    ['3x8, 2x8 !', ['3x8', '2x8']],
  ])('splits %s into %j', (input, expected) => {
    expect(words(input)).toEqual(expected);
  });

  it.each([
    ['usines', 'usine'],
    ['machines', 'machine'],
    ['journaux', 'journal'],
    ['travaux', 'travail'],
    ['chapeaux', 'chapeau'],
    ['bijoux', 'bijou'],
    ['jeux', 'jeu'],
    ['dangereux', 'dangereux'],
    ['pays', 'pays'],
    ['temps', 'temps'],
    ['lens', 'lens'],
    ['stress', 'stress'],
    ['bus', 'bus'],
    ['emplois', 'emploi'],
    ['gaz', 'gaz'],
    ['3x8', '3x8'],
  ])('singular(%s) = %s', (input, expected) => {
    expect(singular(input)).toBe(expected);
  });

  it.each([
    // The examples: one entry for each group.
    ['usine', 'usine'],
    ['Usines', 'usine'],
    ["l'usine", 'usine'],
    ['USINE', 'usine'],
    ['d’usines', 'usine'],
    ['écologie', 'ecologie'],
    ['ecologie', 'ecologie'],
    // Stop words go, unless nothing would be left.
    ['la pollution', 'pollution'],
    ['de la fumée', 'fumee'],
    ['pour moi', 'pour moi'],
    // Negation keeps its meaning; « ne » and shorthand don't split a group.
    ['je ne sais pas', 'sais pas'],
    ['Je sais pas', 'sais pas'],
    ['jsp', 'sais pas'],
    ["pas d'avenir", 'pas avenir'],
    ['sans avenir', 'sans avenir'],
    ['avenir', 'avenir'],
    // Expressions keep their words in order.
    ['Posté équipe', 'poste equipe'],
    ['travail en équipe', 'travail equipe'],
    ['les conditions de travail', 'condition travail'],
    ['', ''],
    ['  !!! ', ''],
  ])('entryKey(%j) = %j', (input, expected) => {
    expect(entryKey(input)).toBe(expected);
  });

  it.each([
    ['chaîne', 'chaud'],
    ['industrie', 'industriel'],
    ['usine', 'usiner'],
    ['travail', 'travaille'],
    ['avenir', 'pas d’avenir'],
    ['pollution', 'polluant'],
    ['mine', 'mines de charbon'],
  ])('keeps %s and %s apart', (a, b) => {
    expect(entryKey(a)).not.toBe(entryKey(b));
  });

  it('groups a word fresco like a reader, showing the most frequent spelling as typed', () => {
    const entries = [
      'Fumée', 'fumée', 'FUMÉE', 'fumee', 'Fumée',
      'usine', 'Usines', "l'usine", 'USINE', 'usines',
      'écologie', 'ecologie',
      'Je ne sais pas', 'je sais pas', 'jsp',
      'Machines', 'machine',
      'chaîne', 'chaud',
      'de', '   ',
    ];
    const groups = groupEntries(entries);
    const byKey = Object.fromEntries(groups.map((g) => [g.key, g]));
    expect(byKey.fumee).toEqual({
      key: 'fumee',
      text: 'Fumée',
      count: 5,
      variants: [
        { text: 'Fumée', count: 2 },
        { text: 'fumée', count: 1 },
        { text: 'FUMÉE', count: 1 },
        { text: 'fumee', count: 1 },
      ],
    });
    expect(byKey.usine.count).toBe(5);
    // Every spelling once: no capitals, then the shortest.
    expect(byKey.usine.text).toBe('usine');
    // Equal counts: the accented spelling is shown.
    expect(byKey.ecologie.text).toBe('écologie');
    expect(byKey['sais pas'].count).toBe(3);
    expect(byKey.machine.count).toBe(2);
    expect(byKey.chaine.count).toBe(1);
    expect(byKey.chaud.count).toBe(1);
    // « de » alone is kept as itself (nothing else would be left); blank entries are dropped.
    expect(byKey.de.count).toBe(1);
    expect(groups.reduce((n, g) => n + g.count, 0)).toBe(entries.length - 1);
    // Largest first.
    expect(groups.map((g) => g.count)).toEqual([...groups.map((g) => g.count)].sort((a, b) => b - a));
  });

  it('matches keyword rules after the same normalisation', () => {
    const match = keywordMatcher(['usine', 'conditions de travail', 'pollution', 'de']);
    expect(match('Usines')).toEqual(['usine']);
    expect(match("l'usine à côté de chez moi")).toEqual(['usine']);
    expect(match('des conditions de travail difficiles')).toEqual(['conditions de travail']);
    expect(match('le travail et ses conditions')).toEqual([]);
    expect(match('polluant')).toEqual([]);
    // A keyword made only of stop words matches when the text is made only of them too.
    expect(match('de')).toEqual(['de']);
    expect(contentWords('Les POLLUTIONS')).toEqual(['pollution']);
  });
});
