import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Bad arguments: the CLI prints the message and the command's usage, and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly usage?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * `parseArgs` in strict mode, with its errors turned into a UsageError that names the problem: for a typo, the
 * option meant; for an option this command refuses on purpose, its `refused` reason (`hour` for backfill).
 */
export function parse<T extends Options>(argv: string[], options: T, usage: string, positionals = false, refused: Readonly<Record<string, string>> = {}) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: positionals });
  } catch (error) {
    const code = (error as { code?: string }).code;
    let message = (error as Error).message.replace(/\. To specify a positional argument.*$/, '');
    // Node says "Option '-l, --lake <value>' argument missing": the option and what to give it.
    const missing = /^Option '(?:-\w, )?(--[\w-]+) <value>' argument missing$/.exec(message);
    if (missing) message = `${missing[1]} needs a value (see the usage below)`;
    const unknown = /Unknown option '--([^'=]+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown && refused[unknown]) throw new UsageError(`${message}: ${refused[unknown]}`, usage, { cause: error });
    const meant = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? optionMeant(message, argv, Object.keys(options)) : undefined;
    throw new UsageError(meant ? `${message}: did you mean --${meant}?` : message, usage, { cause: error });
  }
}

/**
 * The known option an unknown one was probably meant to be. parseArgs names only the first letter of a
 * single-dash word (`-lake` is `-l -a -k -e`), so the word is taken from the argument itself.
 */
function optionMeant(message: string, argv: string[], known: string[]): string | undefined {
  const raw = /Unknown option '([^']+)'/.exec(message)?.[1];
  if (!raw) return undefined;
  const word = raw.startsWith('--') ? raw.slice(2) : (argv.find((arg) => arg.startsWith(raw) && !arg.startsWith('--')) ?? raw).slice(1).split('=')[0]!;
  return closestName(word, known);
}

/**
 * The candidate a mistyped word was most likely meant to be: the nearest by edit distance (a swap of two
 * neighbouring letters counts as one edit), within one edit for every three letters (at least one), or else
 * the only candidate it begins (`allow` for `allow-current-data`). Undefined when nothing is that close.
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  const typed = word.toLowerCase();
  const reach = Math.max(1, Math.floor(typed.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed, name.toLowerCase());
    if (distance <= reach && (!best || distance < best.distance)) best = { name, distance };
  }
  if (best) return best.name;
  const begun = typed.length >= 3 ? candidates.filter((name) => name.toLowerCase().startsWith(typed)) : [];
  return begun.length === 1 ? begun[0] : undefined;
}

/** Levenshtein distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[a.length]![b.length]!;
}

/** A non-negative number option, or a UsageError naming the option. */
export function numberOption(value: string | undefined, name: string, usage: string, { min = 0, max = Infinity } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be a number${max < Infinity ? ` from ${min} to ${max}` : ` >= ${min}`}, got "${value}"`, usage);
  }
  return n;
}
