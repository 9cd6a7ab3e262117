/**
 * The shapes of data `npm run bench` converts: today's weather records (records.ts) and five more, written from
 * the descriptions in issue 17. Each generator is deterministic for a given count, so every engine of a run reads
 * the same bytes, and each shape names the column declarations a config would carry for it.
 */
import type { ColumnType } from '../src/core/config.js';
import { BENCH_COLUMNS, generateRecordsJson } from './records.js';

export interface Shape {
  readonly name: string;
  /** What the shape stands for, as the report says it. */
  readonly description: string;
  /** The column declarations (source.columns) a config would carry for these records. */
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** The records of the large case: about 100-170 MB of JSON. */
  readonly large: number;
  readonly generate: (count: number) => string;
}

/** A deterministic generator of numbers in [0, 1). */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    // xorshift32
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x100000000;
  };
}

const pick = <T>(next: () => number, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
const int = (next: () => number, lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
const hex = (next: () => number, length: number) => {
  let out = '';
  for (let i = 0; i < length; i++) out += '0123456789abcdef'[Math.floor(next() * 16)];
  return out;
};
const word = (next: () => number, alphabet: string, lo: number, hi: number) => {
  const chars = [...alphabet];
  let out = '';
  for (let i = int(next, lo, hi); i > 0; i--) out += pick(next, chars);
  return out;
};

const LATIN = 'abcdefghijklmnopqrstuvwxyz';
/** Words of several scripts and a few emoji (surrogate pairs in UTF-16, four bytes in UTF-8). */
const WORDS = [
  'der', 'über', 'Straße', 'für', 'Grüße', 'café', 'naïve', 'élève', 'où', 'garçon', 'año', 'niño', 'información', 'São', 'João',
  'привет', 'мир', 'данные', 'время', 'город', 'человек', 'работа', 'вопрос', 'Αθήνα', 'λόγος', 'δεδομένα', 'χρόνος',
  '数据', '时间', '城市', '东京', '日本語', 'テキスト', 'データ', '서울', '데이터', 'שלום', 'مرحبا', 'بيانات', 'नमस्ते', 'डेटा',
  '🙂', '🚀', '✅', '€', '—', '…', '“quoted”', 'the', 'and', 'of', 'data', 'lake', 'release', 'fix', 'build',
];
const sentence = (next: () => number, words: number) => {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(pick(next, WORDS));
  return out.join(' ');
};

/**
 * Events like GitHub's public timeline: mostly unique strings (ids, shas, logins, URLs), commit messages with
 * escapes (newlines, quotes, backslashes, some `\u` escapes) and text in several scripts, nested lists of
 * objects (commits, labels), and payloads that differ by event type. About 870 bytes an event.
 */
function events(count: number): string {
  const next = random(17);
  const start = Date.parse('2026-11-25T18:00:00Z');
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const login = word(next, LATIN + '0123456789-', 4, 14);
    const repoName = `${word(next, LATIN, 3, 10)}/${word(next, LATIN + '-_.', 3, 16)}`;
    const actor = { id: int(next, 1, 2e8), login, display_login: login, gravatar_id: '', url: `https://api.github.com/users/${login}`, avatar_url: `https://avatars.githubusercontent.com/u/${int(next, 1, 2e8)}?` };
    const repo = { id: int(next, 1, 9e8), name: repoName, url: `https://api.github.com/repos/${repoName}` };
    const kind = next();
    let type: string;
    let payload: Record<string, unknown>;
    if (kind < 0.55) {
      type = 'PushEvent';
      const commits = Array.from({ length: int(next, 1, 3) }, () => {
        const message = `${sentence(next, int(next, 2, 8))}${next() < 0.5 ? `\n\n${sentence(next, int(next, 3, 12))}` : ''}${next() < 0.2 ? ' "quoted" \\ path\\to\tfile' : ''}`;
        return { sha: hex(next, 40), author: { email: `${login}@users.noreply.github.com`, name: sentence(next, 2) }, message, distinct: next() < 0.9, url: `https://api.github.com/repos/${repoName}/commits/${hex(next, 40)}` };
      });
      payload = { repository_id: repo.id, push_id: int(next, 1e9, 3e10), size: commits.length, distinct_size: commits.length, ref: `refs/heads/${pick(next, ['main', 'master', 'dev', 'feature/x'])}`, head: hex(next, 40), before: hex(next, 40), commits };
    } else if (kind < 0.7) {
      type = 'CreateEvent';
      payload = { ref: next() < 0.3 ? null : `v${int(next, 0, 9)}.${int(next, 0, 30)}.${int(next, 0, 99)}`, ref_type: pick(next, ['branch', 'tag', 'repository']), master_branch: 'main', description: next() < 0.5 ? null : sentence(next, int(next, 3, 10)), pusher_type: 'user' };
    } else if (kind < 0.8) {
      type = 'WatchEvent';
      payload = { action: 'started' };
    } else if (kind < 0.92) {
      type = 'IssuesEvent';
      const labels = Array.from({ length: int(next, 0, 3) }, () => ({ id: int(next, 1, 5e9), name: pick(next, ['bug', 'enhancement', 'good first issue', 'wontfix', 'документация']), color: hex(next, 6), default: next() < 0.5 }));
      payload = {
        action: pick(next, ['opened', 'closed', 'reopened']),
        issue: {
          id: int(next, 1, 3e9),
          number: int(next, 1, 40000),
          title: sentence(next, int(next, 3, 9)),
          state: pick(next, ['open', 'closed']),
          labels,
          comments: int(next, 0, 40),
          body: next() < 0.2 ? null : `${sentence(next, int(next, 5, 30))}\r\n\r\n\`\`\`\n${sentence(next, 4)}\n\`\`\``,
          user: { login: word(next, LATIN, 4, 12), id: int(next, 1, 2e8) },
        },
      };
    } else {
      type = 'IssueCommentEvent';
      payload = { action: 'created', comment: { id: int(next, 1, 3e9), body: `${sentence(next, int(next, 4, 25))}${next() < 0.3 ? '\n> quoted\n' : ''}`, user: { login: word(next, LATIN, 4, 12), id: int(next, 1, 2e8) } } };
    }
    const event = { id: String(3e10 + i * 7 + int(next, 0, 6)), type, actor, repo, payload, public: true, created_at: new Date(start + Math.floor((i / count) * 3_600_000)).toISOString().replace('.000Z', 'Z') };
    let json = JSON.stringify(event);
    // Some APIs escape every non-ASCII character: about one event in eight is written so.
    if (i % 8 === 0) json = json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    parts.push(json);
  }
  return `[${parts.join(',')}]`;
}

/** Articles: a long body of non-ASCII text (2-5 KB of UTF-8), a title, an author, a few tags. */
function longText(count: number): string {
  const next = random(23);
  const start = Date.parse('2026-11-25T18:00:00Z');
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const targetBytes = int(next, 2000, 5000);
    const paragraphs: string[] = [];
    let bytes = 0;
    while (bytes < targetBytes) {
      const paragraph = `${sentence(next, int(next, 20, 60))}.`;
      paragraphs.push(paragraph);
      bytes += Buffer.byteLength(paragraph) + 2;
    }
    const article = {
      id: 500000 + i,
      title: sentence(next, int(next, 4, 10)),
      lang: pick(next, ['de', 'ru', 'el', 'zh', 'ja', 'ko', 'ar', 'hi', 'fr', 'pt']),
      author: { id: int(next, 1, 5000), name: sentence(next, 2) },
      published_at: new Date(start + Math.floor((i / count) * 3_600_000)).toISOString(),
      summary: sentence(next, int(next, 10, 25)),
      body: paragraphs.join('\n\n'),
      tags: Array.from({ length: int(next, 0, 4) }, () => pick(next, ['политика', '経済', 'sport', 'κουλτούρα', 'tech', '科学'])),
      words: int(next, 300, 900),
    };
    parts.push(JSON.stringify(article));
  }
  return `[${parts.join(',')}]`;
}

/**
 * Wide numeric rows: 80 fields, most of them doubles of up to 17 significant digits. Most are written as
 * JSON.stringify writes them (an exponent only below 1e-6 or from 1e21); every seventh as Python's repr or Java's
 * Double.toString would, with an exponent at any size (`1.2345678901234567e-5`).
 */
function wideNumeric(count: number): string {
  const next = random(29);
  const start = Date.parse('2026-11-25T18:00:00Z');
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const fields: string[] = [`"id":${i}`, `"ts":"${new Date(start + i * 36).toISOString()}"`, `"device":"d-${i % 500}"`];
    for (let f = 0; f < 77; f++) {
      let value: string;
      if (f % 11 === 0) value = String(int(next, 0, 1000)); // counters
      else if (f % 7 === 0) value = ((next() - 0.5) * 10 ** int(next, -6, 3)).toExponential(); // an exponent at any size
      else if (f % 13 === 0) value = JSON.stringify((next() - 0.5) * 1e-9); // tiny: JSON.stringify writes an exponent
      else if (f % 17 === 0) value = JSON.stringify(next() * 6e23); // huge: likewise
      else value = JSON.stringify((next() - 0.3) * 10 ** int(next, 0, 5));
      fields.push(`"m${String(f).padStart(2, '0')}":${value}`);
    }
    parts.push(`{${fields.join(',')}}`);
  }
  return `[${parts.join(',')}]`;
}

/** Sparse records: 40 optional keys of fixed types, each record holding 8-12 of them (in key order, as APIs omit nulls). */
function sparse(count: number): string {
  const next = random(31);
  const start = Date.parse('2026-11-25T18:00:00Z');
  const keys = Array.from({ length: 40 }, (_, k) => ({ name: `${['attr', 'prop', 'field', 'meta'][k % 4]}_${word(random(k + 1), LATIN, 3, 8)}_${k}`, kind: k % 5 }));
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const chosen = keys.filter(() => next() < 0.25).slice(0, 12);
    while (chosen.length < 8) {
      const key = pick(next, keys);
      if (!chosen.includes(key)) chosen.push(key);
    }
    chosen.sort((a, b) => keys.indexOf(a) - keys.indexOf(b));
    const record: Record<string, unknown> = { id: i, at: new Date(start + i * 5).toISOString() };
    for (const key of chosen) {
      record[key.name] =
        key.kind === 0 ? int(next, 0, 1e6) : key.kind === 1 ? Math.round(next() * 1e5) / 100 : key.kind === 2 ? pick(next, ['red', 'green', 'blue', 'amber', 'violet']) : key.kind === 3 ? next() < 0.5 : `${word(next, LATIN, 3, 12)}-${int(next, 0, 999)}`;
    }
    parts.push(JSON.stringify(record));
  }
  return `[${parts.join(',')}]`;
}

/** Deeply nested records with few leaves: objects six and seven levels down, four values in all. */
function deeplyNested(count: number): string {
  const next = random(37);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const record = {
      id: i,
      envelope: { header: { routing: { region: { zone: { rack: { slot: int(next, 0, 63) } } } } }, body: { content: { data: { reading: { sensor: { value: Math.round(next() * 1e4) / 100, unit: pick(next, ['C', 'F', 'K']) } } } } } },
      meta: { trace: { span: { parent: { root: { ok: next() < 0.9 } } } } },
    };
    parts.push(JSON.stringify(record));
  }
  return `[${parts.join(',')}]`;
}

export const SHAPES: readonly Shape[] = [
  { name: 'weather', description: "today's records: short repeated strings, a few numbers, a timestamp", columns: BENCH_COLUMNS, large: 550_000, generate: generateRecordsJson },
  { name: 'events', description: "events like GitHub's: mostly unique strings, escapes, unicode, nested lists of objects", columns: { id: 'bigint', created_at: 'timestamp' }, large: 130_000, generate: events },
  { name: 'long-text', description: 'long non-ASCII text, 2-5 KB a record', columns: { published_at: 'timestamp' }, large: 33_000, generate: longText },
  { name: 'wide-numeric', description: 'wide numeric: 80 fields, long decimals', columns: { id: 'bigint', ts: 'timestamp' }, large: 70_000, generate: wideNumeric },
  { name: 'sparse', description: 'sparse: 8-12 of 40 optional keys', columns: { id: 'bigint', at: 'timestamp' }, large: 510_000, generate: sparse },
  { name: 'nested', description: 'deeply nested, few leaves', columns: { id: 'bigint' }, large: 600_000, generate: deeplyNested },
];
