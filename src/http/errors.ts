import type { NextFunction, Request, Response } from 'express';
import { fr } from '../strings.js';
import type { Logger } from './requestLog.js';

export function notFound(_req: Request, res: Response) {
  res.status(404).render('errors/message', {
    pageTitle: fr.http.notFoundTitle,
    title: fr.http.notFoundTitle,
    message: fr.http.notFound,
    link: { href: '/', label: fr.http.backHome },
  });
}

/**
 * Client mistakes (body too large, unreadable body) get a 4xx page in French; anything else is
 * our bug: logged without the request body, answered with a plain page.
 */
export function errorHandler(logger: Logger) {
  // Express recognises error handlers by their four parameters.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { type?: string; status?: number; statusCode?: number };
    const status = e?.status ?? e?.statusCode ?? 500;
    if (res.headersSent) return;
    // A missing static file (express.static without fallthrough) is an ordinary 404 page.
    if (status === 404) return notFound(req, res);
    let title: string = fr.http.serverErrorTitle;
    let message: string = fr.http.serverError;
    let code = 500;
    if (e?.type === 'entity.too.large' || status === 413) {
      code = 413;
      title = fr.http.tooLargeTitle;
      message = fr.http.tooLarge;
    } else if (status >= 400 && status < 500) {
      code = status === 415 ? 415 : 400;
      title = fr.http.badRequestTitle;
      message = fr.http.badRequest;
    } else {
      logger.error(`${req.method} ${req.path} a échoué`, err);
    }
    res.status(code);
    if (req.accepts(['html', 'json']) === 'json') return res.json({ error: message });
    res.render('errors/message', { pageTitle: title, title, message, link: { href: '/', label: fr.http.backHome } });
  };
}
