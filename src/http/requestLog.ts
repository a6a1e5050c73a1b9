import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, Response } from 'express';

export type Logger = { info: (msg: string) => void; error: (msg: string, err?: unknown) => void };

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  error: (m, e) => console.error(m, e instanceof Error ? e.stack : (e ?? '')),
};

export const silentLogger: Logger = { info: () => {}, error: () => {} };

/**
 * One line per request: method, path without query string, status, duration. Deliberately no
 * client IP, no user agent and no body: logs must not hold answers or identify a respondent.
 */
export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const start = performance.now();
    res.on('finish', () => {
      const ms = performance.now() - start;
      logger.info(`${req.method} ${req.path} ${res.statusCode} ${ms.toFixed(1)}ms`);
    });
    next();
  };
}
