// Compact tables for the territory: numbers in typed arrays and many short strings stored as one,
// kept outside the JavaScript heap while they are built. 35,000 communes held as objects, maps and
// arrays cost ~17 MB of heap, and building them made V8 grow its young generation (~40 MB of
// resident memory in all); these tables hold the same data in ~4 MB.

type NumberArray = Uint8Array | Uint32Array | Float64Array;

/**
 * A typed array that grows as values are pushed, from a capacity meant to be enough: then nothing
 * is copied and no garbage is left (garbage that outlives a young-generation collection stays
 * until the next full one, which an idle server may not run for a long time).
 */
export class Growable<A extends NumberArray> {
  length = 0;
  private array: A;
  constructor(type: new (n: number) => A, capacity: number) {
    this.array = new type(Math.max(1, capacity));
  }

  push(value: number) {
    if (this.length === this.array.length) {
      const bigger = new (this.array.constructor as new (n: number) => A)(this.array.length * 2);
      bigger.set(this.array);
      this.array = bigger;
    }
    this.array[this.length++] = value;
  }

  /** The values (a view of the storage: valid until the next push). */
  done(): A {
    return this.array.subarray(0, this.length) as A;
  }
}

/** Strings stored one after the other in a single string: the k-th is text.slice(start[k], start[k + 1]). */
export class PackedStrings {
  constructor(
    readonly text: string,
    readonly start: Uint32Array,
  ) {}

  get count(): number {
    return this.start.length - 1;
  }

  get(k: number): string {
    return this.text.slice(this.start[k], this.start[k + 1]);
  }

  lengthOf(k: number): number {
    return this.start[k + 1] - this.start[k];
  }

  startsWith(k: number, prefix: string): boolean {
    return this.lengthOf(k) >= prefix.length && this.text.startsWith(prefix, this.start[k]);
  }

  /** The k-th string compared with s, in the order of < on strings (UTF-16 code units). */
  compareWith(k: number, s: string): number {
    const from = this.start[k];
    const n = this.start[k + 1] - from;
    const m = Math.min(n, s.length);
    for (let i = 0; i < m; i++) {
      const d = this.text.charCodeAt(from + i) - s.charCodeAt(i);
      if (d) return d;
    }
    return n - s.length;
  }

  /** The j-th string compared with the k-th. */
  compare(j: number, k: number): number {
    const a = this.start[j];
    const b = this.start[k];
    const n = this.start[j + 1] - a;
    const m = this.start[k + 1] - b;
    for (let i = 0, end = Math.min(n, m); i < end; i++) {
      const d = this.text.charCodeAt(a + i) - this.text.charCodeAt(b + i);
      if (d) return d;
    }
    return n - m;
  }

  /** Indexes of the strings sorted by value, equal strings in the order they were added. */
  sortedOrder(): Uint32Array {
    const order = new Uint32Array(this.count);
    for (let k = 0; k < order.length; k++) order[k] = k;
    return order.sort((j, k) => this.compare(j, k) || j - k);
  }

  /** The positions [from, to) of `order` (from sortedOrder) whose string equals s. */
  equalRange(order: Uint32Array, s: string): [number, number] {
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareWith(order[mid], s) < 0) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    hi = order.length;
    while (end < hi) {
      const mid = (end + hi) >>> 1;
      if (this.compareWith(order[mid], s) <= 0) end = mid + 1;
      else hi = mid;
    }
    return [lo, end];
  }
}

/** Collects strings as UTF-8 in a buffer (not one heap object per string), then packs them. */
export class PackedStringsBuilder {
  private buffer: Buffer;
  private bytes = 0;
  private chars = 0;
  private readonly starts: Growable<Uint32Array>;

  /** Capacities meant to be enough: total UTF-8 bytes, number of strings. */
  constructor(bytes: number, count: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, bytes));
    this.starts = new Growable(Uint32Array, count + 1);
    this.starts.push(0);
  }

  get count(): number {
    return this.starts.length - 1;
  }

  add(s: string) {
    const needed = this.bytes + s.length * 3;
    if (needed > this.buffer.length) {
      const bigger = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(bigger, 0, 0, this.bytes);
      this.buffer = bigger;
    }
    this.bytes += this.buffer.write(s, this.bytes, 'utf8');
    this.chars += s.length;
    this.starts.push(this.chars);
  }

  done(): PackedStrings {
    const text = this.buffer.toString('utf8', 0, this.bytes);
    // Offsets count UTF-16 units: a text of another length would misplace every later string.
    if (text.length !== this.chars) throw new Error('chaîne UTF-16 invalide dans les données des communes');
    return new PackedStrings(text, this.starts.done());
  }
}
