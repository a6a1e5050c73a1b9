import type { NextFunction, Request, Response } from 'express';

/** Pages hold a respondent's answers or staff data: never cached by a shared device or proxy. */
export function noStore(_req: Request, res: Response, next: NextFunction) {
  res.setHeader('Cache-Control', 'no-store');
  next();
}
