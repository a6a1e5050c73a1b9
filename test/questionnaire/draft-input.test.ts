import { describe, expect, it } from 'vitest';
import { draftInput, ownFields, parseSection } from '../../src/questionnaire/engine.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { OTHER_MAX_LENGTH } from '../../src/questionnaire/types/choice.js';
import { draftChars, firstChars } from '../../src/questionnaire/types/common.js';
import { territory } from '../../src/territory/communes.js';
import { validAnswers } from '../helpers.js';

// What a draft keeps of each posted field (issue 9, part 3): cut near the field's own limit, so
// that what is cut could never have been valid and a resumed draft shows the same errors.

const q = loadQuestionnaire();
const [s1, s2] = q.sections;
const PRECISION = 'situation__autre__precision';
const textMax = (s2.questions.find((x) => x.id === 'ameliorer_territoire') as { maxLength: number }).maxLength;
const x = (n: number) => 'x'.repeat(n);

describe('draftInput', () => {
  it.each<[string, typeof s1, Record<string, string | string[]>, Record<string, string | string[]>]>([
    ['a free text past its limit keeps the limit and a tenth', s2, { ameliorer_territoire: x(60_000) }, { ameliorer_territoire: x(draftChars(textMax)) }],
    ['a text a little too long is kept whole', s2, { ameliorer_territoire: x(textMax + 5) }, { ameliorer_territoire: x(textMax + 5) }],
    ['an « Autre » precision', s1, { [PRECISION]: x(60_000) }, { [PRECISION]: x(draftChars(OTHER_MAX_LENGTH)) }],
    ['a typed commune', s1, { commune: x(60_000) }, { commune: x(draftChars(90)) }],
    ['an INSEE code chosen among suggestions', s1, { commune__choix: '62119' + x(1000) }, { commune__choix: '62119x' }],
    ['an integer', s1, { age: '1'.repeat(1000) }, { age: '1'.repeat(43) }],
    ['a radio code', s1, { genre: x(60_000) }, { genre: x(Math.max(...(s1.questions.find((y) => y.id === 'genre') as { options: { code: string }[] }).options.map((o) => o.code.length)) + 1) }],
    ['a repeated single field keeps two values', s1, { genre: ['feminin', 'masculin', 'autre', 'feminin'] }, { genre: ['feminin', 'masculin'] }],
    ['ticks of a multiple choice: distinct, at most one more than its options', s2, { points_forts: Array.from({ length: 400 }, (_, i) => `code${i % 300}`) }, { points_forts: Array.from({ length: (s2.questions.find((y) => y.id === 'points_forts') as { options: unknown[] }).options.length + 1 }, (_, i) => `code${i}`) }],
    ['a field of another section is not stored', s1, { ameliorer_territoire: 'texte' }, {}],
  ])('%s', (_label, section, raw, kept) => {
    expect(draftInput(section, raw)).toEqual(kept);
  });

  it('an honest POST is stored as posted, without a copy', () => {
    const raw = ownFields(s2, validAnswers[2]).raw;
    expect(draftInput(s2, raw)).toBe(raw);
  });

  it('whatever is cut, the kept input gives the same errors (lengths apart) as the posted one', () => {
    for (const [section, raw] of [
      [s1, { ...validAnswers[1], genre: x(5000), age: `17${' '.repeat(3000)}ans` }],
      [s1, { ...validAnswers[1], situation: 'autre', [PRECISION]: x(4000) }],
      [s2, { ...validAnswers[2], points_forts: [...Array.from({ length: 300 }, () => 'histoire'), 'inconnu'] }],
    ] as const) {
      const fields = (r: Record<string, string | string[]>) => parseSection(section, r, new Map(), territory()).errors.map((e) => e.field);
      expect(fields(draftInput(section, raw as Record<string, string | string[]>))).toEqual(fields(raw as Record<string, string | string[]>));
    }
  });

  it.each([
    ['abc', 2, 'ab'],
    ['😀😀😀', 2, '😀😀'],
    ['a😀', 1, 'a'],
    ['\ud83d', 1, '\ud83d'],
    ['court', 10, 'court'],
  ])('firstChars(%j, %i) = %j (code points, never half a pair)', (s, n, out) => {
    expect(firstChars(s, n)).toBe(out);
  });
});
