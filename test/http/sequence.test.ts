import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { sequence } from '../../src/http/sequence.js';

// The app's prelude runs as one layer: it must behave like the same middleware mounted one by one.
function appWith(...handlers: express.RequestHandler[]) {
  const app = express();
  app.use(sequence(...handlers));
  app.get('/', (_req, res) => res.json({ seen: res.locals.seen ?? [] }));
  app.use((_req: express.Request, res: express.Response) => res.status(404).json({ notFound: true }));
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(500).json({ error: err.message, seen: res.locals.seen ?? [] });
  });
  return app;
}

const mark = (name: string): express.RequestHandler => (_req, res, next) => {
  res.locals.seen = [...(res.locals.seen ?? []), name];
  next();
};

describe('sequence', () => {
  it('runs every handler in order, then the routes after it', async () => {
    const res = await request(appWith(mark('a'), mark('b'), mark('c'))).get('/');
    expect(res.body).toEqual({ seen: ['a', 'b', 'c'] });
  });

  it('lets a handler answer and stop there', async () => {
    const stop: express.RequestHandler = (_req, res) => void res.status(418).json({ stopped: true });
    const res = await request(appWith(mark('a'), stop, mark('never'))).get('/');
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ stopped: true });
  });

  it('sends an error passed to next to the error handler, skipping the rest', async () => {
    const fail: express.RequestHandler = (_req, _res, next) => next(new Error('passée'));
    const res = await request(appWith(mark('a'), fail, mark('never'))).get('/');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'passée', seen: ['a'] });
  });

  it('sends an error thrown by a handler to the error handler', async () => {
    const boom: express.RequestHandler = () => {
      throw new Error('levée');
    };
    const res = await request(appWith(mark('a'), boom, mark('never'))).get('/');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'levée', seen: ['a'] });
  });

  it('continues after a handler that calls next later (a body being read)', async () => {
    const later: express.RequestHandler = (_req, res, next) => {
      setTimeout(() => {
        res.locals.seen = [...(res.locals.seen ?? []), 'later'];
        next();
      }, 5);
    };
    const res = await request(appWith(later, mark('b'))).get('/');
    expect(res.body).toEqual({ seen: ['later', 'b'] });
  });
});
