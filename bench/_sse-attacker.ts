import http from 'node:http';

// The attacker of bench/live-attack.ts, in its own process so that its work does not slow the
// parent's latency measurements. Driven by messages from the parent:
//   { cmd: 'open', port, cookies, attempts, concurrency }  opens streams round-robin over the
//       cookies, `concurrency` requests in flight; keeps every stream accepted, counts statuses
//   { cmd: 'release' }                                       closes every stream it keeps

type Open = { cmd: 'open'; port: number; cookies: string[]; attempts: number; concurrency: number };
type Msg = Open | { cmd: 'release' };

const held: http.ClientRequest[] = [];
// Refused opens reuse their connection (as a script would); accepted streams keep theirs.
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });

function attempt(port: number, cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/resultats/flux', agent, headers: { Cookie: cookie } }, (res) => {
      if (res.statusCode === 200) {
        held.push(req);
        res.on('data', () => {});
        return resolve(200);
      }
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', () => resolve(0));
  });
}

async function open(m: Open) {
  const statuses: Record<string, number> = {};
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: m.concurrency }, async () => {
      while (next < m.attempts) {
        const i = next++;
        const status = await attempt(m.port, m.cookies[i % m.cookies.length]);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  return { statuses, ms: performance.now() - t0, held: held.length };
}

process.on('message', async (m: Msg) => {
  if (m.cmd === 'open') process.send!({ done: 'open', ...(await open(m)) });
  else {
    for (const r of held.splice(0)) r.destroy();
    process.send!({ done: 'release' });
  }
});
