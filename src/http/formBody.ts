import querystring from 'node:querystring';
import type { NextFunction, Request, Response } from 'express';

// HTML form bodies (application/x-www-form-urlencoded), the only kind of body the app accepts.
// It replaces express.urlencoded: every « Suivant » of a classroom goes through it, and the
// generic parser (content negotiation, charset conversion, inflation, qs) cost more per request
// than all our own validation. What it keeps: limits checked before and while reading, a clear
// 4xx for anything else, and values that are always well-formed strings.

export type FormBodyOptions = {
  /** Largest body in bytes; beyond it the request gets 413 without being read further. */
  limit: number;
  /** Most fields in one body; beyond it 413. */
  parameterLimit: number;
};

/** An error the app's error handler turns into a French 4xx page. */
export class BodyError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly type: string,
  ) {
    super(type);
  }
}

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Whether the request says it carries a form: the media type, ignoring case and parameters. */
function isForm(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === FORM_TYPE;
}

/** The charset parameter, lower-cased, or undefined when absent (browsers send none: UTF-8). */
function charsetOf(contentType: string): string | undefined {
  const m = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  return m ? m[1].toLowerCase() : undefined;
}

function countFields(body: string, limit: number): number | undefined {
  let count = 0;
  let index = -1;
  do {
    if (++count > limit) return undefined;
    index = body.indexOf('&', index + 1);
  } while (index !== -1);
  return count;
}

/**
 * Parses a form body into `req.body`: an object without prototype (a field named `__proto__`
 * or `constructor` is just a field), a string per field, an array of strings for a repeated
 * field. Invalid percent-encoding or UTF-8 becomes U+FFFD, never an exception.
 * Requests without a body, or with another type, are passed on with `req.body` unset.
 */
export function formBody(opts: FormBodyOptions) {
  return (req: Request, _res: Response, next: NextFunction) => {
    // Already read by another parser: the stream has nothing left, waiting for it would hang.
    if (req.body !== undefined || req.readableEnded) return next();
    const headers = req.headers;
    const declared = headers['content-length'];
    // No body: GET, HEAD, or a POST with neither a length nor chunks.
    if (headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) return next();
    const type = headers['content-type'];
    if (!isForm(type)) return next();
    const charset = charsetOf(type!);
    if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return next(new BodyError(415, 'charset.unsupported'));
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return next(new BodyError(415, 'encoding.unsupported'));
    if (declared !== undefined && Number(declared) > opts.limit) return refuse(req, next, new BodyError(413, 'entity.too.large'));

    // Listeners are written inline: this runs for every POST, and named closures cost more
    // under tsx (each gets its name set at creation).
    const chunks: Buffer[] = [];
    let received = 0;
    let over = false;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return; // drained and dropped
      received += chunk.length;
      if (received <= opts.limit) return void chunks.push(chunk);
      over = true;
      chunks.length = 0;
      settled = true;
      refuse(req, next, new BodyError(413, 'entity.too.large'));
    });
    req.once('end', () => {
      if (settled) return;
      settled = true;
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
      if (text.length > 0 && countFields(text, opts.parameterLimit) === undefined) {
        return next(new BodyError(413, 'parameters.too.many'));
      }
      // Counted above: maxKeys 0 means "no limit" to querystring, whose own cut-off is silent.
      req.body = querystring.parse(text, '&', '=', { maxKeys: 0 });
      next();
    });
    // A client gone mid-body: there is nobody to answer, but the request must not hang.
    req.once('error', () => {
      if (settled) return;
      settled = true;
      over = true;
      chunks.length = 0;
      next(new BodyError(400, 'request.aborted'));
    });
  };
}

/**
 * Answers a refused body without reading it into memory: the rest is drained and dropped, so the
 * connection can carry the error page (a client still sending would otherwise never see it).
 */
function refuse(req: Request, next: NextFunction, err: BodyError) {
  req.resume();
  next(err);
}
