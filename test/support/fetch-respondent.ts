// A respondent's browser reduced to what the survey needs, over real HTTP (fetch): its own
// cookie jar, the CSRF token read from each page, redirects not followed so that every 303 is
// seen. Used against a server in another process (crash test, benchmarks).

export type Fields = Record<string, string | string[] | undefined>;
export type Reply = { status: number; location: string | null; text: string };

export function formBody(fields: Fields): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  }
  return p.toString();
}

export function csrfIn(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** The hidden fields a browser sends back with the form (CSRF token, signed display time). */
export function hiddenFields(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="(_[a-z]+)" value="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

export class FetchRespondent {
  readonly jar = new Map<string, string>();

  constructor(
    public base: string,
    /** Sent with every request (e.g. a user agent the database must never contain). */
    readonly headers: Record<string, string> = {},
  ) {}

  cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keepCookies(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      // res.clearCookie() sends an empty value that expired in 1970.
      const expired = attrs.some((a) => /^\s*expires=.*1970/i.test(a) || /^\s*max-age=0\s*$/i.test(a));
      if (expired || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  async request(method: 'GET' | 'POST', path: string, body?: string): Promise<Reply> {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        ...this.headers,
        ...(this.jar.size ? { cookie: this.cookieHeader() } : {}),
        ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
      signal: AbortSignal.timeout(15_000),
    });
    this.keepCookies(res);
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  get(path: string): Promise<Reply> {
    return this.request('GET', path);
  }

  /** GETs the section page for its token, then posts the fields, like a browser would. */
  async answer(step: number, fields: Fields, action = 'next'): Promise<Reply> {
    const page = await this.get(`/questionnaire/${step}`);
    const token = csrfIn(page.text);
    if (page.status !== 200 || !token) throw new Error(`étape ${step} : page ${page.status} sans jeton`);
    // The honeypot text field is sent empty, as by any browser.
    return this.request('POST', `/questionnaire/${step}`, formBody({ ...hiddenFields(page.text), website: '', action, ...fields }));
  }
}
