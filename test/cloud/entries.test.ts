import { describe, expect, it } from 'vitest';
import { cloudKey, createTally, textEntries } from '../../src/cloud/entries.js';
import { findPersonalData } from '../../src/privacy/screening.js';

// The survey's word cloud: which entries an answer gives, after the shared French normalisation.

describe('entries of one answer', () => {
  it.each([
    // [answer, keys]
    ['Les usines polluent', ['usine', 'polluent']],
    ["L'usine, la pollution", ['usine', 'pollution']],
    ['USINES, Usine, usine', ['usine', 'usine', 'usine']],
    ['Écologie ; l’ecologie', ['ecologie', 'ecologie']],
    ['des travaux, des journaux', ['travail', 'journal']],
    ['jeux vidéo, les bateaux', ['jeu', 'video', 'bateau']],
    ["Pas d'avenir", ['pas avenir']],
    ['sans emploi, sans', ['sans emploi', 'sans']],
    ['je sais pas', ['sais pas']],
    ['jsp', ['sais pas']],
    ['le travail, pas', ['travail', 'pas']], // a negation alone in its phrase stays a word
    ['éco-responsable, écoresponsable', ['ecoresponsable', 'ecoresponsable']],
    ['12 usines et 3 lycées', ['usine', 'lycee']], // numbers are no words
    ['de la, les, et', []],
  ])('%j', (text, keys) => {
    expect(textEntries(text).map((e) => e.key)).toEqual(keys);
  });

  it('keeps the spelling as typed, elision dropped, negation with its word', () => {
    expect(textEntries("L'Usine, pas d’avenir demain").map((e) => e.spelling)).toEqual(['Usine', 'pas d’avenir', 'demain']);
  });

  it('never makes a word of a masked passage, and a mask ends a phrase', () => {
    const text = 'Lucas Martin 06 12 34 56 78 pas usine';
    const masked = findPersonalData(text);
    expect(masked.map((m) => m.kind)).toEqual(['nom', 'telephone']);
    expect(textEntries(text, masked).map((e) => e.key)).toEqual(['pas usine']);
    expect(textEntries('usine Lucas Martin pas', findPersonalData('usine Lucas Martin pas')).map((e) => e.key)).toEqual(['usine', 'pas']);
  });

  it.each([
    ['Usines', 'usine'],
    ["l'usine", 'usine'],
    ["pas d'avenir", 'pas avenir'],
    ['le', ''],
    ['42', ''],
  ])('the key of the word %j an analyst excludes is %j', (word, key) => {
    expect(cloudKey(word)).toBe(key);
  });
});

describe('the tally over answers', () => {
  it('counts respondents once per answer, per group, and the most frequent spelling', () => {
    const tally = createTally();
    tally.add(textEntries('usines, usine, USINE'), 'feminin');
    tally.add(textEntries('Usine'), 'masculin');
    tally.add(textEntries('écologie, Écologie'), 'masculin');
    tally.add(textEntries('ecologie'), null);
    tally.add([], 'feminin');
    const r = tally.result();
    expect(r.base).toBe(5);
    expect([...r.groupBase]).toEqual([['feminin', 2], ['masculin', 2]]);
    expect(r.entries.map((e) => [e.key, e.text, e.respondents, Object.fromEntries(e.byGroup)])).toEqual([
      ['ecologie', 'écologie', 2, { masculin: 1 }],
      ['usine', 'usine', 2, { feminin: 1, masculin: 1 }],
    ]);
    expect(r.entries[1].variants).toEqual([
      // Same count: fewer capitals, then the shorter (src/text/normalise.ts).
      { text: 'usine', count: 1 },
      { text: 'usines', count: 1 },
      { text: 'Usine', count: 1 },
      { text: 'USINE', count: 1 },
    ]);
  });
});
