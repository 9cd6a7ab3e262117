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

/** `parseArgs` in strict mode, with its errors turned into a UsageError that names the problem. */
export function parse<T extends Options>(argv: string[], options: T, usage: string, positionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: positionals });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/, ''), usage);
  }
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
