import ipaddr from 'ipaddr.js';
import { z } from 'zod';

// Every environment variable the app reads is declared here, validated once at start.
// A bad value stops the process with a message naming the variable (fail fast).

const isoDate = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?$/, 'date attendue au format AAAA-MM-JJ ou AAAA-MM-JJTHH:MM')
  .transform((s) => parseParisDate(s));

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_PATH: z.string().min(1).default('./data/avenir.db'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  // Optional campaign window; without them the questionnaire is open.
  CAMPAIGN_OPENS_AT: isoDate.optional(),
  CAMPAIGN_CLOSES_AT: isoDate.optional(),
  // Behind a reverse proxy: which hops to trust for X-Forwarded-For/-Proto, so the rate limits
  // see the client and cookies get Secure over HTTPS. A hop count (0 = none), or the proxies'
  // addresses and subnets as express reads them (see parseTrustProxy).
  TRUST_PROXY: z.string().trim().default('0').pipe(z.string().transform(parseTrustProxy)),
  // First admin, created at start when no admin exists yet.
  ADMIN_EMAIL: z.email('adresse e-mail invalide').optional(),
  ADMIN_PASSWORD: z.string().min(12, '12 caractères au moins').optional(),
  // Completed responses per client address per hour (0 = no limit). A school of 30 classes
  // behind one NAT must pass.
  SUBMIT_RATE_LIMIT: z.coerce.number().int().min(0).default(300),
  // New drafts started per client address per hour (0 = no limit). Several classes of a lycée
  // behind one address in the same hour must pass; continuing a draft is never limited.
  DRAFT_START_RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  // Signs the form timestamps (minimum fill time); random per process when not set.
  SESSION_SECRET: z.string().min(32, '32 caractères au moins').optional(),
  DRAFT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  // Staff sessions end after this much inactivity (OWASP ASVS level 2: 30 minutes at most).
  STAFF_SESSION_IDLE_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(30),
  // A section answered faster than this is flagged (not rejected).
  MIN_SECTION_SECONDS: z.coerce.number().min(0).max(600).default(3),
  // The WAL is emptied this often: it never shows the order of more than this span of commits.
  WAL_CHECKPOINT_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  // Paris hour of the nightly rebuild of the database file (VACUUM), or "off".
  DB_COMPACT_HOUR: z.union([z.literal('off'), z.coerce.number().int().min(0).max(23)]).default(3),
  // Live streams (SSE): per staff session or API token, per process, and the heartbeat period
  // (pings, dead clients dropped, sessions revalidated). See the README for the reasoning.
  SSE_MAX_PER_SESSION: z.coerce.number().int().min(1).max(100).default(6),
  SSE_MAX_TOTAL: z.coerce.number().int().min(1).max(100_000).default(2500),
  SSE_HEARTBEAT_SECONDS: z.coerce.number().int().min(5).max(120).default(20),
  // Shown on the privacy page (GDPR: who runs the consultation, whom to ask about the data).
  ORGANISER_CONTACT: z.string().trim().min(3).max(300).optional(),
  DPO_CONTACT: z.string().trim().min(3).max(300).optional(),
  // Disclosure control (src/privacy/disclosure.ts): who is not an analyst or an admin never sees
  // a figure on fewer respondents than this, and their results move in steps of this many.
  MIN_GROUP_SIZE: z.coerce.number().int().min(2, '2 au moins').max(100, '100 au plus').default(5),
});

export type Config = {
  port: number;
  host: string;
  databasePath: string;
  nodeEnv: 'development' | 'production' | 'test';
  campaignOpensAt?: Date;
  campaignClosesAt?: Date;
  /** A hop count, or the proxies' addresses/subnets/express names (see parseTrustProxy). */
  trustProxy: number | string[];
  adminEmail?: string;
  adminPassword?: string;
  submitRateLimit: number;
  draftStartRateLimit: number;
  sessionSecret?: string;
  draftRetentionDays: number;
  staffSessionIdleMinutes: number;
  minSectionSeconds: number;
  walCheckpointSeconds: number;
  /** null: never. */
  dbCompactHour: number | null;
  sseMaxPerSession: number;
  sseMaxTotal: number;
  sseHeartbeatSeconds: number;
  /** Free text, e.g. "Pôle Métropolitain de l'Artois, … — contact@…"; unset = a placeholder sentence. */
  organiserContact?: string;
  dpoContact?: string;
  minGroupSize: number;
};

export class ConfigError extends Error {}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY as express's `trust proxy` reads it: a hop count 0–10, or a comma-separated list
 * of proxy addresses, subnets (CIDR or address/mask) and express's names `loopback`,
 * `linklocal`, `uniquelocal`. `true` (trust every hop) is refused: anyone could then choose the
 * address the rate limits see by sending X-Forwarded-For.
 */
function parseTrustProxy(value: string, ctx: z.RefinementCtx): number | string[] {
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= 10) return hops;
    ctx.addIssue({ code: 'custom', message: 'nombre de proxys entre 0 et 10' });
    return z.NEVER;
  }
  const entries = value.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = entries.filter((x) => !PROXY_NAMES.has(x) && !isAddressOrSubnet(x));
  if (!entries.length || bad.length) {
    ctx.addIssue({
      code: 'custom',
      message: `attendu un nombre de proxys (0 à 10) ou des adresses et sous-réseaux séparés par des virgules (loopback, 127.0.0.1, 10.0.0.0/8, fd00::/8) ; invalide : ${bad.join(', ') || value}`,
    });
    return z.NEVER;
  }
  return entries;
}

function isAddressOrSubnet(x: string): boolean {
  const [address, range, ...rest] = x.split('/');
  // Dotted IPv4 only: ipaddr would also read « 10 » or « 0x7f.1 » as addresses.
  if (rest.length || !(ipaddr.IPv4.isValidFourPartDecimal(address) || ipaddr.IPv6.isValid(address))) return false;
  if (range === undefined) return true;
  const kind = ipaddr.parse(address).kind();
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (kind === 'ipv4' ? 32 : 128);
  // address/mask, as express also accepts (IPv4 only, a contiguous mask).
  if (kind !== 'ipv4' || !ipaddr.IPv4.isValidFourPartDecimal(range)) return false;
  return ipaddr.IPv4.parse(range).prefixLengthFromSubnetMask() !== null;
}

/** The values tests and tools start from: the defaults, as if no variable were set. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), ...overrides };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings count as "not set", as in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if ((e.ADMIN_EMAIL === undefined) !== (e.ADMIN_PASSWORD === undefined)) {
    throw new ConfigError('Configuration invalide :\n  ADMIN_EMAIL et ADMIN_PASSWORD vont ensemble');
  }
  if (e.CAMPAIGN_OPENS_AT && e.CAMPAIGN_CLOSES_AT && e.CAMPAIGN_OPENS_AT >= e.CAMPAIGN_CLOSES_AT) {
    throw new ConfigError('Configuration invalide :\n  CAMPAIGN_CLOSES_AT doit être après CAMPAIGN_OPENS_AT');
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databasePath: e.DATABASE_PATH,
    nodeEnv: e.NODE_ENV,
    campaignOpensAt: e.CAMPAIGN_OPENS_AT,
    campaignClosesAt: e.CAMPAIGN_CLOSES_AT,
    trustProxy: e.TRUST_PROXY,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    submitRateLimit: e.SUBMIT_RATE_LIMIT,
    draftStartRateLimit: e.DRAFT_START_RATE_LIMIT,
    sessionSecret: e.SESSION_SECRET,
    draftRetentionDays: e.DRAFT_RETENTION_DAYS,
    staffSessionIdleMinutes: e.STAFF_SESSION_IDLE_MINUTES,
    minSectionSeconds: e.MIN_SECTION_SECONDS,
    walCheckpointSeconds: e.WAL_CHECKPOINT_SECONDS,
    dbCompactHour: e.DB_COMPACT_HOUR === 'off' ? null : e.DB_COMPACT_HOUR,
    sseMaxPerSession: e.SSE_MAX_PER_SESSION,
    sseMaxTotal: e.SSE_MAX_TOTAL,
    sseHeartbeatSeconds: e.SSE_HEARTBEAT_SECONDS,
    organiserContact: e.ORGANISER_CONTACT,
    dpoContact: e.DPO_CONTACT,
    minGroupSize: e.MIN_GROUP_SIZE,
  };
}

/**
 * Reads "2023-01-31" or "2023-01-31T18:00" as a wall-clock time in Europe/Paris.
 * A bare date means midnight at the start of that day (so a closing date of the 31st closes at
 * the start of the 31st; use the 1st of the next month or give a time to include the whole day).
 */
export function parseParisDate(s: string): Date {
  const [datePart, timePart = '00:00'] = s.split('T');
  const [y, m, d] = datePart.split('-').map(Number);
  const [hh, mm, ss = 0] = timePart.split(':').map(Number);
  const asUtc = Date.UTC(y, m - 1, d, hh, mm, ss);
  // Paris is UTC+1 or UTC+2: find the offset at that instant and correct for it.
  const offsetMinutes = parisOffsetMinutes(new Date(asUtc));
  const result = new Date(asUtc - offsetMinutes * 60_000);
  if (Number.isNaN(result.getTime())) throw new ConfigError(`date invalide : ${s}`);
  return result;
}

function parisOffsetMinutes(at: Date): number {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return Math.round((wall - at.getTime()) / 60_000);
}
