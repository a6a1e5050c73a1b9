import { createRequire } from 'node:module';
import { jsonArrayObjects } from './json-array.js';
import { Growable, PackedStrings, PackedStringsBuilder } from './packed.js';

// The data comes from the official COG (INSEE), maintained by Etalab in @etalab/decoupage-administratif.
// The package's index.js reads its data with paths relative to the cwd, so we read the JSON files
// directly, one record at a time (json-array.ts), into compact tables (packed.ts): parsing the whole
// files at once (37,590 communes, 8.6 MB, and 1,255 groups, 4 MB) into objects and maps raised the
// server's resident memory by ~65 MB for good; the tables hold the same data in ~4 MB.
const require = createRequire(import.meta.url);
type RawCommune = {
  code: string;
  nom: string;
  type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  departement?: string;
  chefLieu?: string;
  commune?: string;
  codesPostaux?: string[];
  population?: number;
};
type RawEpci = { code: string; nom: string; membres: { code: string; nom: string }[] };
const dataRecords = <T>(file: string) =>
  jsonArrayObjects(require.resolve(`@etalab/decoupage-administratif/data/${file}`)) as Iterable<T>;

/** The three intercommunalities of the Pôle Métropolitain de l'Artois, with stable codes. */
export const PMA_EPCI = [
  { code: 'cabbalr', siren: '200072460', label: "CA de Béthune-Bruay, Artois-Lys Romane" },
  { code: 'call', siren: '246200364', label: 'CA de Lens-Liévin' },
  { code: 'cahc', siren: '246200299', label: "CA d'Hénin-Carvin" },
] as const;
export const OUTSIDE_PMA = { code: 'hors_pma', siren: null, label: 'Hors PMA' } as const;
export type EpciCode = (typeof PMA_EPCI)[number]['code'] | typeof OUTSIDE_PMA.code;

export type Commune = {
  insee: string;
  name: string;
  department: string;
  postalCodes: string[];
  population: number;
  epci: EpciCode;
  /** Name with the department when another commune has the same name: "Beaumont (63)". */
  displayName: string;
};

export type Resolution =
  /** `others`: communes elsewhere with the same name, when the PMA one was preferred. */
  | { status: 'found'; commune: Commune; others?: Commune[] }
  | { status: 'ambiguous'; candidates: Commune[] }
  | { status: 'unknown'; suggestions: Commune[] };

/** Lower case, no accents, no punctuation, "saint"→"st", "sainte"→"ste". */
export function normalizeName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((w) => (w === 'saint' ? 'st' : w === 'sainte' ? 'ste' : w))
    .join(' ');
}

/** Index of each EpciCode in Territory's table: the PMA groups, then "outside". */
const EPCI_CODES: readonly EpciCode[] = [...PMA_EPCI.map((e) => e.code), OUTSIDE_PMA.code];
const OUTSIDE = EPCI_CODES.length - 1;

/**
 * The communes of France, found by name, postal code or INSEE code. The data is held in compact
 * tables (packed.ts); a Commune object is made the first time it is asked for, then always the same
 * object is returned. Commune i is row i of every table, in the order of the source.
 */
export class Territory {
  private readonly count: number;
  private readonly insee: PackedStrings;
  private readonly inseeOrder: Uint32Array;
  private readonly names: PackedStrings;
  private readonly departments: PackedStrings;
  private readonly population: Float64Array;
  private readonly epci: Uint8Array;
  private readonly homonym: Uint8Array;
  /** Postal codes: those of commune i are entries postalFirst[i] to postalFirst[i + 1] - 1. */
  private readonly postal: PackedStrings;
  private readonly postalFirst: Uint32Array;
  private readonly postalOwner: Uint32Array;
  private readonly postalOrder: Uint32Array;
  /**
   * Normalised names: entry i is commune i's own name, then come the names of former communes
   * (déléguées, associées) and districts, each with the commune it leads to.
   */
  private readonly norms: PackedStrings;
  private readonly normOwner: Uint32Array;
  private readonly normOrder: Uint32Array;
  /** Order of the fuzzy search over the names: PMA communes first, then by population. */
  private readonly searchOrder: Uint32Array;
  private readonly objects: (Commune | undefined)[];
  private all: Commune[] | undefined;
  /** Every commune by INSEE code, in the order of the source. */
  readonly byInsee: ReadonlyMap<string, Commune>;

  /** Each source is read once, in order: the package's files by default, or any list of records. */
  constructor(raw: Iterable<RawCommune> = dataRecords('communes.json'), epcis: Iterable<RawEpci> = dataRecords('epci.json')) {
    const pmaIndex = new Map<string, number>(PMA_EPCI.map((p, k) => [p.siren, k]));
    const epciOf = new Map<string, number>();
    const seen = new Set<string>();
    for (const e of epcis) {
      const k = pmaIndex.get(e.code);
      if (k === undefined || seen.has(e.code)) continue;
      seen.add(e.code);
      for (const m of e.membres) epciOf.set(m.code, k);
    }
    for (const pma of PMA_EPCI) if (!seen.has(pma.siren)) throw new Error(`EPCI ${pma.siren} absent des données administratives`);

    // One pass over the records, keeping only what the tables need, in tables sized for the
    // current COG (34,969 communes, 2,621 other names, ~420 kB of names) so that nothing is copied.
    const rows = 40_000;
    const insee = new PackedStringsBuilder(rows * 5, rows);
    const names = new PackedStringsBuilder(512 * 1024, rows);
    const departments = new PackedStringsBuilder(rows * 2 + 1024, rows);
    const population = new Growable(Float64Array, rows);
    const epci = new Growable(Uint8Array, rows);
    const postal = new PackedStringsBuilder(rows * 5, rows);
    const postalFirst = new Growable(Uint32Array, rows + 1);
    const postalOwner = new Growable(Uint32Array, rows);
    const norms = new PackedStringsBuilder(512 * 1024, rows);
    const normOwner = new Growable(Uint32Array, rows);
    const otherNames = new PackedStringsBuilder(64 * 1024, 4096);
    const otherParents = new PackedStringsBuilder(4096 * 5, 4096);
    postalFirst.push(0);
    for (const c of raw) {
      if (c.type === 'commune-actuelle') {
        const i = insee.count;
        insee.add(c.code);
        names.add(c.nom);
        departments.add(c.departement ?? '');
        population.push(c.population ?? 0);
        epci.push(epciOf.get(c.code) ?? OUTSIDE);
        for (const cp of c.codesPostaux ?? []) {
          postal.add(cp);
          postalOwner.push(i);
        }
        postalFirst.push(postal.count);
        norms.add(normalizeName(c.nom));
        normOwner.push(i);
        continue;
      }
      const parentCode = c.type === 'arrondissement-municipal' ? c.commune : c.chefLieu;
      if (parentCode) {
        otherNames.add(c.nom);
        otherParents.add(parentCode);
      }
    }
    this.count = insee.count;
    this.insee = insee.done();
    this.inseeOrder = this.insee.sortedOrder();
    for (let k = 1; k < this.inseeOrder.length; k++) {
      const [a, b] = [this.inseeOrder[k - 1], this.inseeOrder[k]];
      if (this.insee.compare(a, b) === 0) throw new Error(`code INSEE ${this.insee.get(a)} en double dans les données administratives`);
    }
    this.names = names.done();
    this.departments = departments.done();
    this.population = population.done();
    this.epci = epci.done();
    this.postal = postal.done();
    this.postalFirst = postalFirst.done();
    this.postalOwner = postalOwner.done();
    this.postalOrder = this.postal.sortedOrder();

    // Former communes (déléguées, associées) and Paris/Lyon/Marseille districts lead to the
    // current commune: a young person may well give the name of their village.
    const others = otherNames.done();
    const parents = otherParents.done();
    for (let k = 0; k < others.count; k++) {
      const parent = this.indexOf(parents.get(k));
      if (parent === -1) continue;
      const norm = normalizeName(others.get(k));
      if (norm !== normalizeName(this.names.get(parent))) {
        norms.add(norm);
        normOwner.push(parent);
      }
    }
    this.norms = norms.done();
    this.normOwner = normOwner.done();
    this.normOrder = this.norms.sortedOrder();

    // A name shared by several current communes is shown with the department.
    this.homonym = new Uint8Array(this.count);
    for (let from = 0; from < this.normOrder.length; ) {
      let to = from + 1;
      while (to < this.normOrder.length && this.norms.compare(this.normOrder[from], this.normOrder[to]) === 0) to++;
      let own = 0;
      for (let k = from; k < to; k++) if (this.normOrder[k] < this.count) own++;
      if (own > 1) for (let k = from; k < to; k++) if (this.normOrder[k] < this.count) this.homonym[this.normOrder[k]] = 1;
      from = to;
    }

    // The three PMA groups first so that on equal scores the local commune is suggested first.
    const rank = (e: number) => (this.epci[this.normOwner[e]] === OUTSIDE ? 1 : 0);
    const people = (e: number) => this.population[this.normOwner[e]];
    this.searchOrder = new Uint32Array(this.norms.count);
    for (let e = 0; e < this.searchOrder.length; e++) this.searchOrder[e] = e;
    this.searchOrder.sort((a, b) => rank(a) - rank(b) || people(b) - people(a) || a - b);

    this.objects = new Array<Commune | undefined>(this.count);
    this.byInsee = new CommunesByInsee(this.count, (code) => this.indexOf(code), (i) => this.commune(i));
  }

  /** Row of the commune with this INSEE code, or -1. */
  private indexOf(code: string): number {
    const [from, to] = this.insee.equalRange(this.inseeOrder, code);
    return from < to ? this.inseeOrder[from] : -1;
  }

  /** The commune of row i, always the same object. */
  private commune(i: number): Commune {
    const known = this.objects[i];
    if (known) return known;
    const name = this.names.get(i);
    const department = this.departments.get(i);
    const postalCodes: string[] = [];
    for (let k = this.postalFirst[i]; k < this.postalFirst[i + 1]; k++) postalCodes.push(this.postal.get(k));
    const c: Commune = {
      insee: this.insee.get(i),
      name,
      department,
      postalCodes,
      population: this.population[i],
      epci: EPCI_CODES[this.epci[i]],
      displayName: this.homonym[i] ? `${name} (${department})` : name,
    };
    this.objects[i] = c;
    return c;
  }

  /** Every current commune, in the order of the source (makes all 35,000 objects: not for requests). */
  get communes(): Commune[] {
    if (!this.all) {
      this.all = [];
      for (let i = 0; i < this.count; i++) this.all.push(this.commune(i));
    }
    return this.all;
  }

  /** Communes with this normalised name (their own or a former one), in the order of the names. */
  private named(norm: string): Commune[] {
    const [from, to] = this.norms.equalRange(this.normOrder, norm);
    const out: Commune[] = [];
    for (let k = from; k < to; k++) {
      const c = this.commune(this.normOwner[this.normOrder[k]]);
      if (!out.includes(c)) out.push(c);
    }
    return out;
  }

  private withPostalCode(code: string): Commune[] {
    const [from, to] = this.postal.equalRange(this.postalOrder, code);
    const out: Commune[] = [];
    for (let k = from; k < to; k++) out.push(this.commune(this.postalOwner[this.postalOrder[k]]));
    return out;
  }

  /** Communes of the PMA, by name: the datalist offered to every respondent. */
  pmaCommunes(): Commune[] {
    const out: Commune[] = [];
    for (let i = 0; i < this.count; i++) if (this.epci[i] !== OUTSIDE) out.push(this.commune(i));
    return out.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  }

  /**
   * Resolves what a person typed: a name (any case, accents, hyphens, Saint/St), optionally with a
   * department "(62)" or a postal code, or a postal code alone, or an INSEE code picked from a list.
   */
  resolve(input: string): Resolution {
    const text = input.trim().slice(0, 120);
    if (!text) return { status: 'unknown', suggestions: [] };

    const inseeMatch = /^(?:insee:)?(\d[0-9AB]\d{3})$/i.exec(text);
    if (inseeMatch && text.toLowerCase().startsWith('insee:')) {
      const c = this.byInsee.get(inseeMatch[1].toUpperCase());
      if (c) return { status: 'found', commune: c };
    }
    // "Béthune 62400", "62400 Béthune", "Béthune (62)", "Beaumont (63)"
    const postal = /\b(\d{5})\b/.exec(text)?.[1];
    const dept = /\((\d{2,3}|2[AB])\)\s*$/i.exec(text)?.[1]?.toUpperCase();
    const namePart = text.replace(/\b\d{5}\b/, ' ').replace(/\([^)]*\)\s*$/, ' ');
    const norm = normalizeName(namePart);

    let candidates: Commune[] = [];
    if (norm) candidates = this.named(norm);
    else if (postal) candidates = this.withPostalCode(postal);
    if (candidates.length > 1 && postal) {
      const narrowed = candidates.filter((c) => c.postalCodes.includes(postal));
      if (narrowed.length) candidates = narrowed;
    }
    if (candidates.length > 1 && dept) {
      const narrowed = candidates.filter((c) => c.department === dept);
      if (narrowed.length) candidates = narrowed;
    }
    if (candidates.length > 1) {
      // The consultation is about the PMA: a homonym inside it wins over the rest of France
      // (the others are returned so that the page can say which one was recognised).
      const inPma = candidates.filter((c) => c.epci !== OUTSIDE_PMA.code);
      if (inPma.length === 1) {
        const others = candidates.filter((c) => c !== inPma[0]).sort((a, b) => a.department.localeCompare(b.department));
        return { status: 'found', commune: inPma[0], others };
      }
    }
    if (candidates.length === 1) return { status: 'found', commune: candidates[0] };
    if (candidates.length > 1) {
      return { status: 'ambiguous', candidates: [...candidates].sort((a, b) => a.department.localeCompare(b.department)) };
    }
    return { status: 'unknown', suggestions: this.suggest(norm || text) };
  }

  private readonly suggestCache = new Map<string, Commune[]>();

  /**
   * Closest official names: prefix matches first, then small edit distances. A scan of every name
   * takes milliseconds, and the same misspelling comes back on every page of a draft: cached.
   */
  suggest(query: string, limit = 5): Commune[] {
    const q = normalizeName(query);
    if (q.length < 2) return [];
    const key = `${limit}:${q}`;
    const cached = this.suggestCache.get(key);
    if (cached) return cached;
    const result = this.computeSuggestions(q, limit);
    if (this.suggestCache.size >= 2000) this.suggestCache.delete(this.suggestCache.keys().next().value!);
    this.suggestCache.set(key, result);
    return result;
  }

  private computeSuggestions(q: string, limit: number): Commune[] {
    const maxDistance = q.length <= 4 ? 1 : q.length <= 8 ? 2 : 3;
    const scored: { i: number; score: number }[] = [];
    const seen = new Set<number>();
    for (const e of this.searchOrder) {
      const i = this.normOwner[e];
      if (seen.has(i)) continue;
      let score: number | null = null;
      if (this.norms.startsWith(e, q)) score = 0;
      else if (Math.abs(this.norms.lengthOf(e) - q.length) <= maxDistance) {
        const d = boundedLevenshtein(q, this.norms.get(e), maxDistance);
        if (d <= maxDistance) score = d;
      }
      if (score !== null) {
        seen.add(i);
        scored.push({ i, score });
      }
    }
    // PMA communes first whatever their score (the consultation is local), then the closest; the
    // stable sort keeps the population order within equal scores. When some names start with
    // what was typed, far-fetched spellings (two typos or more) are left out.
    const pma = (i: number) => (this.epci[i] === OUTSIDE ? 1 : 0);
    const hasPrefix = scored.some((s) => s.score === 0);
    return scored
      .filter((s) => !hasPrefix || s.score <= 1)
      .sort((a, b) => pma(a.i) - pma(b.i) || a.score - b.score)
      .slice(0, limit)
      .map((s) => this.commune(s.i));
  }

  /** Prefix search for the autocomplete endpoint. */
  search(query: string, limit = 10): Commune[] {
    const q = normalizeName(query);
    if (q.length < 2) return [];
    const out: Commune[] = [];
    const seen = new Set<number>();
    for (const e of this.searchOrder) {
      if (out.length >= limit) break;
      const i = this.normOwner[e];
      if (this.norms.startsWith(e, q) && !seen.has(i)) {
        seen.add(i);
        out.push(this.commune(i));
      }
    }
    return out;
  }
}

/** Territory.byInsee: a read-only Map over the tables, making Commune objects only when read. */
class CommunesByInsee implements ReadonlyMap<string, Commune> {
  constructor(
    readonly size: number,
    private readonly indexOf: (code: string) => number,
    private readonly commune: (i: number) => Commune,
  ) {}

  get(code: string): Commune | undefined {
    const i = this.indexOf(code);
    return i === -1 ? undefined : this.commune(i);
  }
  has(code: string): boolean {
    return this.indexOf(code) !== -1;
  }
  *entries(): MapIterator<[string, Commune]> {
    for (let i = 0; i < this.size; i++) {
      const c = this.commune(i);
      yield [c.insee, c];
    }
  }
  *keys(): MapIterator<string> {
    for (const [code] of this.entries()) yield code;
  }
  *values(): MapIterator<Commune> {
    for (const [, c] of this.entries()) yield c;
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  forEach(fn: (value: Commune, key: string, map: ReadonlyMap<string, Commune>) => void, thisArg?: unknown) {
    for (const [code, c] of this.entries()) fn.call(thisArg, c, code, this);
  }
}

/**
 * Edit distance where swapping two neighbouring letters counts as one typo (optimal string
 * alignment), giving up (returning max+1) as soon as the result must exceed max.
 */
export function boundedLevenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2] + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[b.length];
}

let shared: Territory | undefined;
/** The territory built once per process (the data is ~35,000 communes). */
export function territory(): Territory {
  shared ??= new Territory();
  return shared;
}
