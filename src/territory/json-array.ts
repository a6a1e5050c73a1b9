import fs from 'node:fs';

/**
 * The objects of a file holding one JSON array of objects, parsed one at a time while the file is
 * read in small blocks. JSON.parse of a whole 8.6 MB file builds every record at once: tens of
 * megabytes of short-lived objects that grow the heap for the life of the process. Here each
 * record is garbage as soon as the caller has taken what it needs from it.
 *
 * Scans bytes, which is safe for UTF-8: the bytes of a multi-byte character are never ASCII, so
 * never a brace, bracket, quote or backslash. A top level that is not an array of objects is an error.
 */
export function* jsonArrayObjects(file: string, blockSize = 64 * 1024): Generator<unknown> {
  const fd = fs.openSync(file, 'r');
  try {
    let buf = Buffer.allocUnsafe(blockSize);
    let len = 0; // bytes held in buf
    let pos = 0; // next byte to scan
    let start = -1; // first byte of the object being read, -1 between objects
    let depth = 0; // 1 inside the array, 2 inside one of its objects…
    let inString = false;
    let escaped = false;
    let ended = false;
    const fail = (what: string): never => {
      throw new SyntaxError(`${file} : ${what} (un tableau JSON d’objets est attendu)`);
    };
    for (;;) {
      if (len === buf.length) {
        // Room for the next block: drop what is already parsed, or grow for a very long object.
        const keep = start >= 0 ? start : len;
        if (keep > 0) {
          buf.copy(buf, 0, keep, len);
          len -= keep;
          pos -= keep;
          if (start >= 0) start = 0;
        } else {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, len);
          buf = bigger;
        }
      }
      const n = fs.readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      for (; pos < len; pos++) {
        const b = buf[pos];
        if (inString) {
          if (escaped) escaped = false;
          else if (b === 0x5c /* \ */) escaped = true;
          else if (b === 0x22 /* " */) inString = false;
          continue;
        }
        if (depth >= 2) {
          if (b === 0x22) inString = true;
          else if (b === 0x7b /* { */ || b === 0x5b /* [ */) depth++;
          else if (b === 0x7d /* } */ || b === 0x5d /* ] */) {
            depth--;
            if (depth === 1) {
              yield JSON.parse(buf.toString('utf8', start, pos + 1));
              start = -1;
            }
          }
          continue;
        }
        if (b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09) continue;
        if (ended) fail('contenu après la fin du tableau');
        if (depth === 0) {
          if (b !== 0x5b) fail('pas de « [ » au début');
          depth = 1;
        } else if (b === 0x7b) {
          start = pos;
          depth = 2;
        } else if (b === 0x5d) {
          depth = 0;
          ended = true;
        } else if (b !== 0x2c /* , */) {
          fail(`élément qui n’est pas un objet à l’octet ${pos}`);
        }
      }
    }
    if (!ended) fail('fin de fichier avant la fin du tableau');
  } finally {
    fs.closeSync(fd);
  }
}
