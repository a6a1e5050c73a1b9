import net from 'node:net';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseHub, type SseHub } from '../../src/live/hub.js';
import { openStream } from './support.js';

// Dead clients must not hold a socket and a growing buffer forever: a client that stopped reading
// is dropped once too much is waiting for it; one whose connection is gone is forgotten at once.

let hub: SseHub | undefined;
let server: ReturnType<express.Express['listen']> | undefined;
const sockets: net.Socket[] = [];
afterEach(() => {
  sockets.splice(0).forEach((s) => s.destroy());
  hub?.close();
  server?.closeAllConnections();
  server?.close();
});

async function start(opts: Parameters<typeof createSseHub>[0], payload: () => unknown) {
  hub = createSseHub(opts);
  hub.define('sujet', payload);
  const app = express();
  app.get('/flux', (req, res) => hub!.subscribe('sujet', res, { key: String(req.query.qui) }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  return (server.address() as AddressInfo).port;
}

/** A client that sends its request and then never reads a byte (a frozen tab, a stuck proxy). */
async function nonReader(port: number, who: string) {
  const socket = net.connect(port, '127.0.0.1');
  sockets.push(socket);
  await new Promise((r) => socket.once('connect', r));
  socket.write(`GET /flux?qui=${who} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  socket.pause();
  return socket;
}

const waitUntil = async (cond: () => boolean, ms: number) => {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
};

describe('SSE hub: dead clients', () => {
  it('drops a client that stopped reading once its unsent data passes the limit, and keeps serving the others', async () => {
    const big = 'x'.repeat(100 * 1024);
    let version = 0;
    const port = await start({ maxPerSecond: 100, heartbeatMs: 3600_000, maxBufferedBytes: 256 * 1024 }, () => ({ version, big }));
    await nonReader(port, 'fige');
    const reader = await openStream(`http://127.0.0.1:${port}/flux?qui=lecteur`);
    expect(await waitUntil(() => hub!.stats().streams === 2, 2000)).toBe(true);

    // ~100 KB per update until the kernel's buffers for the frozen client are full and the
    // rest waits in the process: then it is dropped, not kept growing.
    const dropped = await waitUntil(() => {
      version++;
      hub!.notify('sujet');
      return hub!.stats().streams === 1;
    }, 20_000);
    expect(dropped).toBe(true);
    expect(hub!.stats()).toEqual({ streams: 1, owners: 1 });

    // The reading client is still there and gets the newest state.
    const last = ++version;
    hub!.notify('sujet');
    await reader.waitFor(`{"version":${last},`, 5000);
    expect(reader.hasEnded()).toBe(false);
    reader.close();
  });

  it('drops at the next heartbeat a client that stopped reading, with no update to send', async () => {
    // The state sent on connection is large enough to fill the kernel's buffers for a client
    // that reads nothing; what is left waits in the process until the heartbeat looks.
    const big = 'x'.repeat(16 * 1024 * 1024);
    const port = await start({ heartbeatMs: 100, maxBufferedBytes: 256 * 1024 }, () => ({ big }));
    await nonReader(port, 'fige');
    expect(await waitUntil(() => hub!.stats().streams === 1, 2000)).toBe(true);
    expect(await waitUntil(() => hub!.stats().streams === 0, 2000)).toBe(true);
    expect(hub!.stats()).toEqual({ streams: 0, owners: 0 });
  });

  it('forgets a client whose connection was cut, without waiting for a heartbeat', async () => {
    const port = await start({ heartbeatMs: 3600_000 }, () => ({ ok: true }));
    const socket = await nonReader(port, 'parti');
    socket.resume();
    await new Promise((r) => socket.once('data', r));
    expect(hub!.stats()).toEqual({ streams: 1, owners: 1 });
    socket.resetAndDestroy(); // RST, as from a phone whose network vanished and came back
    expect(await waitUntil(() => hub!.stats().streams === 0, 2000)).toBe(true);
    expect(hub!.stats()).toEqual({ streams: 0, owners: 0 });
  });

  it('ends every stream after its maximum age (a half-open connection cannot hold a place longer)', async () => {
    const port = await start({ heartbeatMs: 50, maxAgeMs: 300 }, () => ({ ok: true }));
    const t0 = Date.now();
    const stream = await openStream(`http://127.0.0.1:${port}/flux?qui=lecteur`);
    await stream.waitFor('data: {"ok":true}');
    await stream.ended;
    // Ended cleanly (the whole chunked body), at the first heartbeat past 300 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(hub!.stats()).toEqual({ streams: 0, owners: 0 });
  });

  it('pings every heartbeat so that an idle stream carries traffic, and never drops a client that reads', async () => {
    const port = await start({ heartbeatMs: 40 }, () => ({ ok: true }));
    const reader = await openStream(`http://127.0.0.1:${port}/flux?qui=lecteur`);
    await new Promise((r) => setTimeout(r, 500));
    expect(reader.text().split(': ping\n\n').length - 1).toBeGreaterThanOrEqual(5);
    expect(reader.hasEnded()).toBe(false);
    expect(hub!.stats()).toEqual({ streams: 1, owners: 1 });
    reader.close();
  });
});
