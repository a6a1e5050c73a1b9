import fs from 'node:fs';
import { createRequire } from 'node:module';

// The package's index.js reads its data with paths relative to the cwd, so we load the JSON files
// directly. They come from the official COG (INSEE) and are maintained by Etalab.
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
// Read, not require()d: require would keep the 37,000 raw records cached for the life of the
// process (~80 MB resident); only the compact structures built from them are kept.
const readData = <T>(file: string): T =>
  JSON.parse(fs.readFileSync(require.resolve(`@etalab/decoupage-administratif/data/${file}`), 'utf8')) as T;

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
  | { status: 'found'; commune: Commune }
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

export class Territory {
  readonly communes: Commune[];
  readonly byInsee = new Map<string, Commune>();
  private readonly byName = new Map<string, Commune[]>();
  private readonly byPostalCode = new Map<string, Commune[]>();
  /** Normalised names for the fuzzy search, with the commune they lead to. */
  private readonly searchNames: { norm: string; commune: Commune }[] = [];

  constructor(raw: RawCommune[] = readData('communes.json'), epcis: RawEpci[] = readData('epci.json')) {
    const epciOf = new Map<string, EpciCode>();
    for (const pma of PMA_EPCI) {
      const e = epcis.find((x) => x.code === pma.siren);
      if (!e) throw new Error(`EPCI ${pma.siren} absent des données administratives`);
      for (const m of e.membres) epciOf.set(m.code, pma.code);
    }
    const actual = raw.filter((c) => c.type === 'commune-actuelle');
    const nameCount = new Map<string, number>();
    for (const c of actual) nameCount.set(normalizeName(c.nom), (nameCount.get(normalizeName(c.nom)) ?? 0) + 1);
    this.communes = actual.map((c) => {
      const homonym = (nameCount.get(normalizeName(c.nom)) ?? 0) > 1;
      return {
        insee: c.code,
        name: c.nom,
        department: c.departement ?? '',
        postalCodes: c.codesPostaux ?? [],
        population: c.population ?? 0,
        epci: epciOf.get(c.code) ?? OUTSIDE_PMA.code,
        displayName: homonym ? `${c.nom} (${c.departement})` : c.nom,
      };
    });
    for (const c of this.communes) {
      this.byInsee.set(c.insee, c);
      this.addName(c.name, c);
      for (const cp of c.postalCodes) push(this.byPostalCode, cp, c);
    }
    // Former communes (déléguées, associées) and Paris/Lyon/Marseille districts lead to the
    // current commune: a young person may well give the name of their village.
    for (const c of raw) {
      const parentCode = c.type === 'arrondissement-municipal' ? c.commune : c.chefLieu;
      if (c.type === 'commune-actuelle' || !parentCode) continue;
      const parent = this.byInsee.get(parentCode);
      if (parent && normalizeName(c.nom) !== normalizeName(parent.name)) this.addName(c.nom, parent);
    }
    // The three PMA groups first so that on equal scores the local commune is suggested first.
    const rank = (c: Commune) => (c.epci === OUTSIDE_PMA.code ? 1 : 0);
    this.searchNames.sort((a, b) => rank(a.commune) - rank(b.commune) || b.commune.population - a.commune.population);
  }

  private addName(name: string, c: Commune) {
    const norm = normalizeName(name);
    const list = this.byName.get(norm) ?? [];
    if (!list.includes(c)) list.push(c);
    this.byName.set(norm, list);
    this.searchNames.push({ norm, commune: c });
  }

  /** Communes of the PMA, by name: the datalist offered to every respondent. */
  pmaCommunes(): Commune[] {
    return this.communes
      .filter((c) => c.epci !== OUTSIDE_PMA.code)
      .sort((a, b) => a.name.localeCompare(b.name, 'fr'));
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
    if (norm) candidates = this.byName.get(norm) ?? [];
    else if (postal) candidates = this.byPostalCode.get(postal) ?? [];
    if (candidates.length > 1 && postal) {
      const narrowed = candidates.filter((c) => c.postalCodes.includes(postal));
      if (narrowed.length) candidates = narrowed;
    }
    if (candidates.length > 1 && dept) {
      const narrowed = candidates.filter((c) => c.department === dept);
      if (narrowed.length) candidates = narrowed;
    }
    if (candidates.length > 1) {
      // The consultation is about the PMA: a homonym inside it wins over the rest of France.
      const inPma = candidates.filter((c) => c.epci !== OUTSIDE_PMA.code);
      if (inPma.length === 1) candidates = inPma;
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
    const scored: { c: Commune; score: number }[] = [];
    const seen = new Set<string>();
    for (const { norm, commune } of this.searchNames) {
      if (seen.has(commune.insee)) continue;
      let score: number | null = null;
      if (norm.startsWith(q)) score = 0;
      else if (Math.abs(norm.length - q.length) <= maxDistance) {
        const d = boundedLevenshtein(q, norm, maxDistance);
        if (d <= maxDistance) score = d;
      }
      if (score !== null) {
        seen.add(commune.insee);
        scored.push({ c: commune, score });
      }
    }
    // Stable sort keeps the PMA-first, population order within equal scores.
    return scored
      .sort((a, b) => a.score - b.score)
      .slice(0, limit)
      .map((s) => s.c);
  }

  /** Prefix search for the autocomplete endpoint. */
  search(query: string, limit = 10): Commune[] {
    const q = normalizeName(query);
    if (q.length < 2) return [];
    const out: Commune[] = [];
    const seen = new Set<string>();
    for (const { norm, commune } of this.searchNames) {
      if (out.length >= limit) break;
      if (norm.startsWith(q) && !seen.has(commune.insee)) {
        seen.add(commune.insee);
        out.push(commune);
      }
    }
    return out;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
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
