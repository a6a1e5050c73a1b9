import crypto from 'node:crypto';

// Join codes: 6 characters read aloud or copied from a projector at the back of a room, so
// nothing that looks like something else (no 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V).
export const CODE_ALPHABET = 'ACDEFGHJKMNPQRTWXY34679';
export const CODE_LENGTH = 6;

export function newJoinCode(): string {
  let s = '';
  // Rejection sampling keeps every character equally likely.
  while (s.length < CODE_LENGTH) {
    for (const b of crypto.randomBytes(CODE_LENGTH * 2)) {
      if (b < 256 - (256 % CODE_ALPHABET.length)) s += CODE_ALPHABET[b % CODE_ALPHABET.length];
      if (s.length === CODE_LENGTH) break;
    }
  }
  return s;
}

/** What a participant typed, as a code: case, spaces and dashes forgiven; null if it can't be one. */
export function readJoinCode(input: unknown): string | null {
  if (typeof input !== 'string') return null;
  const s = input.toUpperCase().replace(/[\s-]+/g, '');
  return s.length === CODE_LENGTH && [...s].every((c) => CODE_ALPHABET.includes(c)) ? s : null;
}
