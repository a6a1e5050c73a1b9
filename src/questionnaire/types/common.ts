import type { Option, Question } from '../schema.js';
import type { Territory } from '../../territory/communes.js';

/** What a section form posted, limited to the fields the section owns. */
export type RawValues = Record<string, string | string[]>;

export type FieldError = { field: string; message: string };

/** One row of the long-format `answers` table. */
export type AnswerRow = { questionId: string; optionCode: string; valueText: string | null; valueNum: number | null };

export type ParseContext = {
  territory: Territory;
  /** Whether an option is offered given the answers so far (option-level conditions). */
  optionVisible: (option: Option) => boolean;
};

export type ParseResult<V> = { value: V | undefined; errors: FieldError[] };

/**
 * How much of one posted field a draft keeps: `chars` characters of each value, `values` values
 * when the field came repeated. Chosen so that what is cut could never have been a valid answer
 * (a text a little too long is kept whole, an unknown code stays unknown): a resumed draft shows
 * the same errors, and a flood of huge fields can't fill the disk.
 */
export type DraftLimit = { chars: number; values: number };

/** A single-value field: posted twice it is an error ("repeated"), and two values keep it one. */
export const SINGLE_VALUE = 2;

/** Characters kept of a free text limited to `maxLength`: the limit and a tenth more. */
export function draftChars(maxLength: number): number {
  return maxLength + Math.max(20, Math.ceil(maxLength / 10));
}

/** Characters kept of a field holding a code: one more than the longest code, so a cut code stays unknown. */
export function codeChars(codes: { code: string }[]): number {
  return Math.max(0, ...codes.map((c) => c.code.length)) + 1;
}

/** The first `max` characters (code points) of `s`, never splitting a surrogate pair. */
export function firstChars(s: string, max: number): string {
  if (s.length <= max) return s;
  let i = 0;
  for (let count = 0; count < max && i < s.length; count++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    i += pair ? 2 : 1;
  }
  return s.slice(0, i);
}

/** The contract every question type fulfils: its fields, parsing, storage and rendering. */
export interface QuestionType<Q extends Question, V> {
  /** Every form field name the question may post (used to drop forged fields). */
  fieldNames(q: Q): string[];
  /** What a draft keeps of one of those fields (see DraftLimit). */
  draftLimit(q: Q, field: string): DraftLimit;
  /** Validates what was posted; `value` is undefined when the question was left unanswered. */
  parse(q: Q, raw: RawValues, ctx: ParseContext): ParseResult<V>;
  /** Long-format rows for a valid value. */
  toRows(q: Q, value: V): AnswerRow[];
  /** The chosen codes, for conditions on this question (choice types only). */
  codes?(q: Q, value: V): { item?: string; code: string }[];
  /** Template data for the question's partial. */
  view(q: Q, raw: RawValues, errors: FieldError[], ctx: ParseContext): Record<string, unknown>;
}

/** DOM id of a field: ASCII, unique on the page. */
export function fieldId(...parts: string[]): string {
  return `f-${parts.join('-')}`;
}

export function otherFieldName(questionId: string, optionCode: string): string {
  return `${questionId}__${optionCode}__precision`;
}

/** One value expected: an array means a forged or repeated field. */
export function readOne(raw: RawValues, name: string): { value: string; repeated: boolean } {
  const v = raw[name];
  if (Array.isArray(v)) return { value: '', repeated: true };
  return { value: v ?? '', repeated: false };
}

export function readMany(raw: RawValues, name: string): string[] {
  const v = raw[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * Free text as stored: Unicode NFC, no control characters but line breaks, trimmed.
 * Lengths are counted in characters as a person counts them (code points).
 */
export function cleanText(s: string, multiline: boolean): string {
  let t = s.normalize('NFC').replace(/\r\n?/g, '\n');
  // eslint-disable-next-line no-control-regex
  t = t.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '');
  t = multiline ? t.replace(/\t/g, ' ').replace(/\n{3,}/g, '\n\n') : t.replace(/\s+/g, ' ');
  return t.trim();
}

export function charLength(s: string): number {
  return [...s].length;
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat('fr-FR').format(n);
}
