import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Runs middleware one after the other as a single layer of the app. Every request goes through
 * the same prelude (log, gzip and assets, body, cookies, staff session, CSRF); as separate `app.use`
 * layers, Express's router matched paths and allocated per layer, which showed in the
 * submissions benchmark. Errors, thrown or passed to `next`, go to Express as usual.
 */
export function sequence(...handlers: RequestHandler[]): RequestHandler {
  return (req, res, done) => new Run(handlers, req, res, done).step();
}

class Run {
  private index = 0;
  /** The `next` each handler receives (bound once per request). */
  readonly step: (err?: unknown) => void;

  constructor(
    private readonly handlers: RequestHandler[],
    private readonly req: Request,
    private readonly res: Response,
    private readonly done: NextFunction,
  ) {
    this.step = this.advance.bind(this);
  }

  private advance(err?: unknown): void {
    if (err !== undefined && err !== null) return this.done(err);
    const handler = this.handlers[this.index++];
    if (!handler) return this.done();
    try {
      handler(this.req, this.res, this.step);
    } catch (e) {
      this.done(e);
    }
  }
}
