import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { fr } from '../strings.js';

export const VIEWS_DIR = path.resolve(import.meta.dirname, '../../views');

/**
 * A small Handlebars view engine: one layout, partials from views/partials (named by their path,
 * "questions/single"), templates compiled once. Handlebars escapes every {{value}}: respondent
 * text is never written with triple braces.
 */
export function createViewEngine(viewsDir = VIEWS_DIR) {
  const hbs = Handlebars.create();
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(String(sep)) : ''));
  // French puts a space before ? ! : ; — keep the last word with its sign on one line (a lone "?"
  // at the start of a line on a phone), without changing the text itself.
  hbs.registerHelper('keepEnd', (value: unknown) => {
    const text = String(value ?? '');
    const m = /^(.*\s)?(\S+ [?!:;»])$/s.exec(text);
    if (!m) return text;
    return new hbs.SafeString(`${hbs.escapeExpression(m[1] ?? '')}<span class="nw">${hbs.escapeExpression(m[2])}</span>`);
  });
  const partialsDir = path.join(viewsDir, 'partials');
  for (const file of walk(partialsDir)) {
    const name = path.relative(partialsDir, file).replace(/\\/g, '/').replace(/\.hbs$/, '');
    hbs.registerPartial(name, fs.readFileSync(file, 'utf8'));
  }
  const cache = new Map<string, Handlebars.TemplateDelegate>();
  const compile = (file: string) => {
    let t = cache.get(file);
    if (!t) {
      t = hbs.compile(fs.readFileSync(file, 'utf8'), { strict: false, preventIndent: true });
      cache.set(file, t);
    }
    return t;
  };
  const layout = path.join(viewsDir, 'layouts', 'main.hbs');

  return function render(filePath: string, options: object, callback: (e: unknown, html?: string) => void) {
    try {
      const data = { fr, ...(options as Record<string, unknown>) };
      const body = compile(filePath)(data);
      // `layout: false`: a fragment (the projector refetches its content without the page around it).
      callback(null, (options as { layout?: unknown }).layout === false ? body : compile(layout)({ ...data, body }));
    } catch (e) {
      callback(e);
    }
  };
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    return d.isDirectory() ? walk(p) : d.name.endsWith('.hbs') ? [p] : [];
  });
}
