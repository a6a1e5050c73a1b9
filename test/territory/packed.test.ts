import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonArrayObjects } from '../../src/territory/json-array.js';
import { Growable, PackedStringsBuilder } from '../../src/territory/packed.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-territory-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string) => {
  const f = path.join(dir, `${n++}.json`);
  fs.writeFileSync(f, text);
  return f;
};

describe('jsonArrayObjects', () => {
  const items = [
    { nom: 'Œuilly', codes: ['02400'], n: 1 },
    { nom: 'a "quoted" } ] { [ name\\', nested: { deep: [{ x: '}' }] } },
    { nom: 'Saint-Étienne-du-Rouvray 🐝', empty: {}, list: [] },
    {},
  ];

  it('gives each object of the array, whatever the block boundaries', () => {
    const f = file(JSON.stringify(items, null, 1));
    for (const blockSize of [1, 2, 3, 7, 64, 64 * 1024]) expect([...jsonArrayObjects(f, blockSize)]).toEqual(items);
    expect([...jsonArrayObjects(file(JSON.stringify(items)), 5)]).toEqual(items);
    expect([...jsonArrayObjects(file(' [ ] '))]).toEqual([]);
  });

  it('refuses what is not an array of objects', () => {
    expect(() => [...jsonArrayObjects(file('{"a": 1}'))]).toThrow(SyntaxError);
    expect(() => [...jsonArrayObjects(file('[{"a": 1}, 2]'))]).toThrow(/pas un objet/);
    expect(() => [...jsonArrayObjects(file('[{"a": 1}'))]).toThrow(/fin de fichier/);
    expect(() => [...jsonArrayObjects(file('[{"a": 1}] x'))]).toThrow(/après la fin/);
    expect(() => [...jsonArrayObjects(file('[{"a": 1,}]'))]).toThrow(SyntaxError);
  });
});

describe('packed strings', () => {
  const words = ['béthune', 'arras', '', 'lens', 'arras', 'liévin', 'œuf', 'zèbre', 'a', 'ab', 'lens', '🐝'];
  const b = new PackedStringsBuilder(4, 1);
  for (const w of words) b.add(w);
  const p = b.done();

  it('gives back every string', () => {
    expect(p.count).toBe(words.length);
    expect(words.map((_, k) => p.get(k))).toEqual(words);
    expect(words.map((_, k) => p.lengthOf(k))).toEqual(words.map((w) => w.length));
    expect(p.startsWith(0, 'bét')).toBe(true);
    expect(p.startsWith(3, 'lensa')).toBe(false); // not into the next string
  });

  it('sorts as < sorts strings, equal strings in the order they were added, and finds them', () => {
    const order = p.sortedOrder();
    const expected = words.map((w, k) => [w, k] as const).sort(([a, i], [b, j]) => (a < b ? -1 : a > b ? 1 : i - j));
    expect([...order]).toEqual(expected.map(([, k]) => k));
    const range = (s: string) => {
      const [from, to] = p.equalRange(order, s);
      return [...order.subarray(from, to)];
    };
    expect(range('lens')).toEqual([3, 10]);
    expect(range('arras')).toEqual([1, 4]);
    expect(range('')).toEqual([2]);
    expect(range('len')).toEqual([]);
    expect(range('zzz')).toEqual([]);
  });

  it('grows typed arrays past their first capacity', () => {
    const g = new Growable(Uint32Array, 2);
    for (let k = 0; k < 100; k++) g.push(k * 3);
    expect([...g.done()]).toEqual(Array.from({ length: 100 }, (_, k) => k * 3));
  });
});
