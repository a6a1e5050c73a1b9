import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { formBody } from '../../src/http/formBody.js';
import { parseCookies } from '../../src/http/readCookies.js';

// The form parser on its own: what it hands to the routes, and how it refuses what it can't read.
function echoApp() {
  const app = express();
  app.use(formBody({ limit: 1024, parameterLimit: 5 }));
  app.post('/', (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    res.json({ body: body === undefined ? null : { ...body }, proto: body ? Object.getPrototypeOf(body) === null : null });
  });
  app.use((err: { status?: number; type?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(err.status ?? 500).json({ error: err.type });
  });
  return app;
}

const FORM = 'application/x-www-form-urlencoded';

describe('form bodies', () => {
  it.each([
    ['a simple form', FORM, 'a=1&b=deux', 200, { a: '1', b: 'deux' }],
    ['a repeated field as a list, in order', FORM, 'c=x&c=y&c=z', 200, { c: ['x', 'y', 'z'] }],
    ['plus and percent-encoding', FORM, 't=Plus+de+bus+%C3%A0+B%C3%A9thune', 200, { t: 'Plus de bus à Béthune' }],
    ['brackets kept as part of the name', FORM, 'a[b]=1&a[]=2', 200, { 'a[b]': '1', 'a[]': '2' }],
    ['__proto__ and constructor as ordinary fields', FORM, '__proto__=x&constructor=y', 200, { ['__proto__']: 'x', constructor: 'y' }],
    ['an empty value and a name without value', FORM, 'a=&b', 200, { a: '', b: '' }],
    ['a charset parameter in any case', `${FORM}; charset=UTF-8`, 'a=1', 200, { a: '1' }],
    ['a media type in capitals', 'Application/X-WWW-Form-Urlencoded', 'a=1', 200, { a: '1' }],
    ['broken percent-encoding as U+FFFD, not an error', FORM, 'a=%E2%80&b=%ZZ', 200, { a: '\uFFFD', b: '%ZZ' }],
    ['JSON left unread', 'application/json', '{"a":1}', 200, null],
    ['plain text left unread', 'text/plain', 'a=1', 200, null],
  ])('reads %s', async (_what, type, payload, status, expected) => {
    const req = request(echoApp()).post('/');
    if (type) req.set('Content-Type', type);
    const res = await req.send(payload);
    expect(res.status).toBe(status);
    expect(res.body.body).toEqual(expected);
    if (expected) expect(res.body.proto).toBe(true);
  });

  it.each([
    ['another charset', `${FORM}; charset=iso-8859-1`, 'a=%E9', 415, 'charset.unsupported'],
    ['too many fields', FORM, 'a=1&b=2&c=3&d=4&e=5&f=6', 413, 'parameters.too.many'],
    ['a body over the limit', FORM, `a=${'x'.repeat(2000)}`, 413, 'entity.too.large'],
  ])('refuses %s', async (_what, type, payload, status, type2) => {
    const res = await request(echoApp()).post('/').set('Content-Type', type).send(payload);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error: type2 });
  });

  it('refuses a compressed body', async () => {
    const res = await request(echoApp()).post('/').set('Content-Type', FORM).set('Content-Encoding', 'gzip').send('a=1');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ error: 'encoding.unsupported' });
  });

  it('stops a chunked body at the limit and still answers on the same connection', async () => {
    const server = echoApp().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const post = (chunks: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', agent, headers: { 'Content-Type': FORM } }, (res) => {
          let body = '';
          res.on('data', (d) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject);
        for (const c of chunks) req.write(c);
        req.end();
      });
    try {
      const big = await post(['a=', 'x'.repeat(800), 'y'.repeat(800)]);
      expect(big.status).toBe(413);
      const small = await post(['a=', '1']);
      expect(small).toEqual({ status: 200, body: JSON.stringify({ body: { a: '1' }, proto: true }) });
    } finally {
      agent.destroy();
      server.close();
    }
  });

  it('does not hang or crash when the client goes away mid-body', async () => {
    const server = echoApp().listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const { port } = server.address() as AddressInfo;
    try {
      await new Promise<void>((resolve) => {
        const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'Content-Type': FORM, 'Content-Length': '500' } });
        req.on('error', () => resolve());
        req.write('a=123');
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 50);
      });
      const after = await request(server).post('/').type('form').send('a=2');
      expect(after.body).toEqual({ body: { a: '2' }, proto: true });
    } finally {
      server.close();
    }
  });
});

describe('cookies', () => {
  it.each([
    ['nothing', undefined, {}],
    ['one cookie', 'a=1', { a: '1' }],
    ['several, spaced as browsers do', 'a=1; b=deux;c=3', { a: '1', b: 'deux', c: '3' }],
    ['the first of a repeated name', 'a=1; a=2', { a: '1' }],
    ['percent-encoded values', 'a=%C3%A9t%C3%A9', { a: 'été' }],
    ['a broken encoding as sent', 'a=%E0%A4%A', { a: '%E0%A4%A' }],
    ['quoted values', 'a="x y"', { a: 'x y' }],
    ['pieces without a name or an equals sign', '=1; b; c=3', { c: '3' }],
    ['__proto__ as a plain name', '__proto__=x', { ['__proto__']: 'x' }],
  ])('reads %s', (_what, header, expected) => {
    const parsed = parseCookies(header);
    expect({ ...parsed }).toEqual(expected);
    expect(Object.getPrototypeOf(parsed)).toBe(null);
  });
});
