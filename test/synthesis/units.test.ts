import { describe, expect, it } from 'vitest';
import { barsSvg, chartSvg, crosstabSvg, wrap } from '../../src/synthesis/charts.js';
import { protectForPrint } from '../../src/synthesis/document.js';
import { defaultSettings, loadSettings, parseSettingsForm, saveSettings } from '../../src/synthesis/settings.js';
import { computeResults } from '../../src/results/aggregate.js';
import { fr } from '../../src/strings.js';
import { addResponse, FIVE, freshDb, q } from '../results/helpers.js';

// The plain functions of the synthesis: label wrapping and SVG charts, disclosure control for
// paper, and the choices form's parsing.

describe('wrap', () => {
  it.each([
    ['Oui', 10, 3, ['Oui']],
    ['Mieux connaître le secteur industriel', 15, 3, ['Mieux connaître', 'le secteur', 'industriel']],
    ['un deux trois quatre cinq six sept', 9, 2, ['un deux', 'trois…']],
    ['anticonstitutionnellement court', 8, 3, ['anticonstitutionnellement', 'court']],
    ['', 10, 3, ['']],
  ])('%j in %i characters, %i lines', (text, max, lines, expected) => {
    expect(wrap(text, max, lines)).toEqual(expected);
  });
});

describe('SVG charts', () => {
  it('draws a bar per row with its value and count, escapes labels, writes « moins de K » for a hidden one', () => {
    const svg = barsSvg('Titre <b>', [
      { label: 'A & <script>', value: 40, count: 20, color: '--data-1' },
      { label: 'B', value: null, count: null, color: '--data-1' },
    ], 50, { suppressedLabel: 'moins de 5' });
    expect(svg).toMatch(/^<svg class="syn-svg" viewBox="0 0 640 \d+" width="100%" role="img" aria-label="Titre &lt;b&gt;"/);
    expect(svg).toContain('>A &amp; &lt;script&gt;</text>');
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('40,0\u202f%<tspan class="cnt" dx="5">20</tspan>');
    expect(svg).toContain('class="note">moins de 5</text>');
    // 40 on an axis of 50: four fifths of the plot (640 − 260 − 92 = 288 units).
    expect(svg).toContain('width="230.4" height="13" class="f-data-1"');
    // No colour and no style in the markup: classes only (CSP, design tokens).
    expect(svg).not.toMatch(/style=|fill="#|#[0-9a-f]{6}/i);
  });

  it('draws an agreement grid around a centre line with each side’s total', () => {
    const svg = chartSvg({
      kind: 'diverging',
      title: 'Grille',
      base: '',
      labels: ['Énoncé'],
      max: 100,
      suppressedLabel: 'moins de 5',
      datasets: [
        { label: 'Pas d’accord', side: 'negative', values: [-20], counts: [20], color: '--diverging-neg-2' },
        { label: 'Plutôt pas', side: 'negative', values: [-10], counts: [10], color: '--diverging-neg-1' },
        { label: 'Plutôt d’accord', side: 'positive', values: [30], counts: [30], color: '--diverging-pos-1' },
        { label: 'D’accord', side: 'positive', values: [40], counts: [40], color: '--diverging-pos-2' },
      ],
    });
    expect(svg).toContain('>30 %</text>');
    expect(svg).toContain('>70 %</text>');
    expect(svg).toContain('class="v-in v-light" text-anchor="middle">20</text>');
    expect(svg).toMatch(/<line x1="(\d+(\.\d)?)" y1="14" x2="\1"/);
  });

  it('draws a 100 % stacked crosstab, or grouped bars for options of a multiple choice', () => {
    const stacked = crosstabSvg('C', [{ label: 'Filles', values: [25, 75] }, { label: 'Garçons', values: [null, null] }], ['Oui', 'Non'], true, 'détail non représenté');
    expect(stacked).toContain('class="f-print-cat-1 seg"');
    expect(stacked).toContain('class="f-print-cat-6 seg"');
    expect(stacked).toContain('class="note">détail non représenté</text>');
    const grouped = crosstabSvg('C', [{ label: 'Filles', values: [10, null] }], ['Rien', 'Visiter'], false, '');
    expect(grouped).toContain('>10,0\u202f%</text>');
    expect(grouped.match(/<rect /g)).toHaveLength(1);
  });
});

describe('protectForPrint', () => {
  it('hides options of 1 to K−1 people (and a complement), whatever the question’s « sans réponse »', () => {
    const db = freshDb();
    for (let i = 0; i < 12; i++) addResponse(db, { ...FIVE[i % 5], answers: { ...FIVE[i % 5].answers, 1: { ...FIVE[i % 5].answers[1], genre: i < 2 ? 'autre' : i < 7 ? 'feminin' : 'masculin' } } });
    const printed = protectForPrint(computeResults(db, q), 5);
    const genre = printed.questions.find((x) => x.id === 'genre')!.tables[0];
    expect(genre.base).toBe(12);
    const by = new Map(genre.options.map((o) => [o.code, o]));
    expect(by.get('autre')).toMatchObject({ count: null, suppressed: true, reason: 'small' });
    // 2 hidden among 12 with « Féminin » 5 and « Masculin » 5 shown would give it back: a complement hides.
    expect([by.get('feminin'), by.get('masculin')].filter((o) => o!.reason === 'complementary').length).toBeGreaterThanOrEqual(1);
    const withheld = protectForPrint(computeResults(db, q, { answers: [{ variable: 'genre', codes: ['autre'] }], channels: [], excludeFlagged: false }), 5);
    expect(withheld.responses).toBeNull();
    expect(withheld.questions).toEqual([]);
  });
});

describe('choices form', () => {
  const e = fr.synthesis.choices.errors;
  it.each([
    [{ title: 'Ma synthèse', question: 'envisager_industrie', row1: 'genre', col1: 'envisager_industrie' }, []],
    [{ title: '' }, [{ field: 'title', message: e.titleMissing }]],
    [{ title: 'x'.repeat(121), label: 'titre trop long' }, [{ field: 'title', message: e.titleTooLong(120) }]],
    [{ title: 'T', introduction: 'x'.repeat(2001), label: 'introduction trop longue' }, [{ field: 'introduction', message: e.introTooLong(2000) }]],
    [{ title: 'T', row2: 'genre' }, [{ field: 'col2', message: e.missingCol }]],
    [{ title: 'T', col1: 'genre' }, [{ field: 'row1', message: e.missingRow }]],
    [{ title: 'T', row1: 'genre', col1: 'genre' }, [{ field: 'col1', message: e.same }]],
    [{ title: 'T', row1: 'genre', col1: 'situation', row2: 'genre', col2: 'situation' }, [{ field: 'row2', message: e.duplicate }]],
    [{ title: 'T', row1: 'nope', col1: 'genre' }, [{ field: 'row1', message: e.unknownVariable('nope') }]],
    [{ title: 'T', question: ['age'] }, [{ field: 'question', message: e.unknownQuestion('age') }]],
    [{ title: 'T', source: 'nope' }, [{ field: 'source', message: e.unknownSource('nope') }]],
  ] as [Record<string, unknown>, { field: string; message: string }[]][])('%s', (input, errors) => {
    const { label: _label, ...body } = input;
    const r = parseSettingsForm(body, q);
    expect(r.ok ? [] : r.errors).toEqual(errors);
  });

  it('saves and reloads the choices, dropping what the questionnaire no longer has', () => {
    const db = freshDb();
    expect(loadSettings(db, q)).toEqual(defaultSettings(q));
    const r = parseSettingsForm({ title: '  Titre   long ', question: ['rester_vivre', 'envisager_industrie'], row1: 'genre', col1: 'envisager_industrie', source: 'mots_industrie' }, q);
    if (!r.ok) throw new Error('refusé');
    saveSettings(db, r.settings, new Date('2026-12-01T10:00:00Z'));
    expect(loadSettings(db, q)).toEqual({ title: 'Titre long', introduction: '', questions: ['rester_vivre', 'envisager_industrie'], crosstabs: [{ row: 'genre', col: 'envisager_industrie' }], textSources: ['mots_industrie'], defaults: false });
    db.prepare(`UPDATE synthesis_settings SET questions = '["disparue","rester_vivre"]', crosstabs = '[{"row":"disparue","col":"genre"}]'`).run();
    expect(loadSettings(db, q)).toMatchObject({ questions: ['rester_vivre'], crosstabs: [] });
  });
});
