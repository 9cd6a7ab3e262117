import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonColumnsReader, type RecordSink } from '../../src/json-columns/index.js';

type Path = readonly string[];

/**
 * A reference sink: every value the reader hands over, by row and key path. What JSON.parse gives is
 * flattened the same way below, so the two can be compared exactly (an empty object has no fields to hand over).
 */
class FlatSink implements RecordSink<Path> {
  readonly root: Path = [];
  readonly rows: Map<string, unknown>[] = [];
  readonly bytesSeen: string[] = [];
  /** Strings handed over as UTF-8 bytes (setUtf8). */
  utf8Seen = 0;
  constructor(private readonly bytesFor: (path: Path) => boolean = () => false) {}
  nextRow(): number {
    return this.rows.push(new Map()) - 1;
  }
  child(parent: Path, key: string): Path {
    return [...parent, key];
  }
  set(node: Path, row: number, value: unknown): void {
    const fields = this.rows[row]!;
    expect(fields.has(JSON.stringify(node))).toBe(false); // never twice in one record
    fields.set(JSON.stringify(node), value);
  }
  expect(): void {}
  wantsBytes(node: Path): boolean {
    return this.bytesFor(node);
  }
  setBytes(node: Path, row: number, text: Uint8Array, start: number, end: number): boolean {
    const value = new TextDecoder().decode(text.subarray(start, end));
    if (value.startsWith('decline')) return false;
    this.bytesSeen.push(value);
    this.set(node, row, value);
    return true;
  }
  /** Arrays handed over as JSON text (setJson). */
  jsonSeen = 0;
  setJson(node: Path, row: number, text: Uint8Array, start: number, end: number): boolean {
    const json = new TextDecoder('utf-8', { fatal: true }).decode(text.subarray(start, end));
    const value = JSON.parse(json) as unknown;
    expect(JSON.stringify(value)).toBe(json); // what the reader promises: the text is stringify's
    this.jsonSeen++;
    this.set(node, row, value);
    return true;
  }
  setUtf8(node: Path, row: number, bytes: Uint8Array, start: number, end: number): boolean {
    const value = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start, end)); // valid UTF-8, or this throws
    if (value.startsWith('decline')) return false;
    this.utf8Seen++;
    this.set(node, row, value);
    return true;
  }
}

/** A record as the reference: every scalar or array under its key path. */
function flatten(record: Record<string, unknown>, path: string[] = [], into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) flatten(value as Record<string, unknown>, [...path, key], into);
    else into.set(JSON.stringify([...path, key]), value);
  }
  return into;
}

/** What the reader should hand over for `text`: the records at `recordsPath` of JSON.parse's result, flattened. */
function expected(text: string, recordsPath: readonly string[] = []): Map<string, unknown>[] {
  let value: unknown = JSON.parse(text);
  for (const key of recordsPath) value = (value as Record<string, unknown>)[key];
  return (Array.isArray(value) ? value : [value]).map((record) => flatten(record as Record<string, unknown>));
}

function read(text: string | Uint8Array, recordsPath: readonly string[] = [], sink = new FlatSink()) {
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const ok = new JsonColumnsReader(sink).read(bytes, recordsPath);
  return { ok, rows: sink.rows, sink };
}

/** Keys the reader reads itself: any string but one that starts with a digit (JavaScript objects list those first). */
const key = fc.string({ unit: 'binary', maxLength: 8 }).filter((k) => !/^[0-9]/.test(k));
const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.string({ unit: 'binary', maxLength: 12 }));
const { record } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(scalar, { maxLength: 4 }), fc.array(tie('record'), { maxLength: 2 }), tie('record')),
  record: fc.dictionary(key, tie('value'), { maxKeys: 6, noNullPrototype: true }),
}));
const spacing = fc.constantFrom(undefined, 0, 1, '\t', ' \r\n');

describe('JsonColumnsReader', () => {
  it('hands over exactly what JSON.parse reads, for any records without digit-first keys', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 6 }), spacing, fc.boolean(), (records, space, single) => {
        const text = JSON.stringify(single ? (records[0] ?? {}) : records, null, space);
        const { ok, rows } = read(text);
        expect(ok).toBe(true);
        expect(rows).toEqual(expected(text));
      }),
      { numRuns: 400 },
    );
  });

  it('declines any text JSON.parse refuses, and reads alike whatever it does accept', () => {
    // Valid texts with one byte deleted, replaced or inserted: mostly invalid JSON, sometimes valid and different.
    const edit = fc.tuple(fc.array(record, { minLength: 1, maxLength: 3 }), fc.nat(), fc.constantFrom('delete', 'replace', 'insert'), fc.constantFrom(...'{}[]":,.-+eE0 1\\tnufl\u00e9"'));
    fc.assert(
      fc.property(edit, ([records, at, how, char]) => {
        // Edited as UTF-8 bytes, as responses arrive; the reference is JSON.parse of their decoding, as the pipeline's fallback reads them.
        const bytes = new TextEncoder().encode(JSON.stringify(records));
        const i = at % bytes.length;
        const insert = new TextEncoder().encode(char);
        const edited = new Uint8Array([...bytes.subarray(0, i), ...(how === 'delete' ? [] : insert), ...bytes.subarray(how === 'insert' ? i : i + 1)]);
        const mutated = new TextDecoder().decode(edited);
        let parsed = true;
        try {
          JSON.parse(mutated);
        } catch {
          parsed = false;
        }
        const { ok, rows } = read(edited);
        if (!parsed) expect(ok).toBe(false);
        else if (ok) {
          const whole = JSON.parse(mutated) as unknown;
          const isRecords = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
          if (isRecords(whole) || (Array.isArray(whole) && whole.every(isRecords))) expect(rows).toEqual(expected(mutated));
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('reads keys in any order and any subset from record to record, keys whose hashes collide included', () => {
    // Aa and BB (and their concatenations) have one hash; é and the escaped b are read as strings.
    const pool = ['Aa', 'BB', 'AaAa', 'BBBB', 'AaBB', 'BBAa', 'x', 'é', 'a\\u0062', 'ab'];
    const rec = fc.uniqueArray(fc.nat(pool.length - 1), { maxLength: pool.length }).map((keys) => `{${keys.map((k, i) => `"${pool[k]}": ${i}`).join(',')}}`);
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 12 }), (records) => {
        const text = `[${records.join(',')}]`;
        const { ok, rows } = read(text);
        // "a\u0062" and "ab" are one key: JSON.parse keeps the last, the reader declines
        if (!ok) expect(records.some((r) => r.includes('"a\\u0062"') && r.includes('"ab"'))).toBe(true);
        else expect(rows).toEqual(expected(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['a duplicate key', '{"a": 1, "a": 2}'],
    ['a duplicate nested key', '[{"a": {"b": 1, "b": 1}}]'],
    ['a key that starts with a digit', '{"b": 1, "1": 2}'],
    ['a top-level scalar', '3'],
    ['an array holding a non-record', '[{"a": 1}, 2]'],
    ['trailing text', '{"a": 1} x'],
    ['a trailing comma', '{"a": 1,}'],
    ['a leading zero', '{"a": 01}'],
    ['a control character in a string', '{"a": "x\ty"}'],
  ])('declines %s (JSON.parse then reads it or names the problem)', (_, text) => {
    expect(read(text).ok).toBe(false);
  });

  it('reads numbers as JSON.parse does, in every spelling', () => {
    const spelled = fc
      .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9][0-9]{0,25})$/), fc.option(fc.stringMatching(/^[0-9]{1,25}$/)), fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), fc.integer({ min: 0, max: 400 }))))
      .map(([minus, whole, fraction, exponent]) => `${minus ? '-' : ''}${whole}${fraction === null ? '' : `.${fraction}`}${exponent === null ? '' : `${exponent[0]}${exponent[1]}${exponent[2]}`}`);
    fc.assert(
      fc.property(fc.array(spelled, { minLength: 1, maxLength: 5 }), (numbers) => {
        const text = `[${numbers.map((n, i) => `{"n${i}": ${n}, "l": [${n}]}`).join(',')}]`;
        const { ok, rows } = read(text);
        expect(ok).toBe(true);
        expect(rows).toEqual(expected(text)); // toEqual tells -0 from 0
      }),
      { numRuns: 500 },
    );
    // Mantissas about 2^53 (9007199254740992), where computing stops being exact, each with scales within ±22.
    const nearTwoTo53 = fc
      .tuple(fc.bigInt({ min: 2n ** 53n - 1000n, max: 2n ** 53n + 1000n }), fc.integer({ min: -24, max: 24 }), fc.boolean())
      .map(([mantissa, scale, minus]) => `${minus ? '-' : ''}${mantissa}e${scale}`);
    fc.assert(
      fc.property(nearTwoTo53, (n) => {
        const text = `{"n": ${n}}`;
        expect(read(text).rows).toEqual(expected(text));
      }),
      { numRuns: 500 },
    );
    const edges = ['-0', '0.1', '9007199254740993', '9007199254740991', '9007199254740992', '900719925474099.3', '900719925474099.25', '9007199254740993e-22', '1e-400', '1e400', '123456789012345.6', '0.30000000000000004', '2.2250738585072014e-308', '1.7976931348623157e308'];
    const text = `{${edges.map((n, i) => `"n${i}": ${n}`).join(',')}}`;
    expect(read(text).rows).toEqual(expected(text));
  });

  it('reads escapes, surrogate pairs and multi-byte UTF-8 in keys and values, and skips a byte-order mark', () => {
    const text = '{"caf\\u00e9": "\\"q\\" \\\\ \\/ \\b\\f\\n\\r\\t", "é€😀": "😀 \\ud83d\\ude00", "k\\u0000": ["\\u00e9", "é"], "lone": "\\udc00"}';
    const { ok, rows } = read(text);
    expect(ok).toBe(true);
    expect(rows).toEqual(expected(text));
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode('{"a": "é"}')]);
    expect(read(bom).rows).toEqual([new Map([['["a"]', 'é']])]);
  });

  it('reads 16 to 30 digit decimals as JSON.parse does, near halfway points between doubles too', () => {
    // Doubles as stringify writes them (17 digits mostly), other long spellings, and decimals a hair from the
    // point halfway between two doubles (its exact decimal expansion cut at the 18th-30th digit, nudged by one).
    const halfway = fc.tuple(fc.double({ min: 1e-6, max: 1e15, noNaN: true }), fc.integer({ min: 18, max: 30 }), fc.constantFrom(-1n, 0n, 1n)).map(([x, digits, nudge]) => {
      // x's bits: x = m * 2^e; the point halfway to the next double is (2m + 1) * 2^(e - 1) = (2m + 1) * 5^k / 10^k, k = 1 - e
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, x);
      const raw = view.getBigUint64(0);
      const e = Number((raw >> 52n) & 0x7ffn) - 1075;
      const m = (raw & ((1n << 52n) - 1n)) | (1n << 52n);
      const k = 1 - e;
      let text = ((2n * m + 1n) * 5n ** BigInt(k)).toString();
      let exponent = -k;
      if (text.length > digits) {
        exponent += text.length - digits;
        text = text.slice(0, digits);
      }
      return `${BigInt(text) + nudge}e${exponent}`;
    });
    const spelled = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => JSON.stringify(x)),
      fc.tuple(fc.bigInt({ min: 10n ** 15n, max: 10n ** 30n }), fc.integer({ min: -30, max: 5 })).map(([m, e]) => `${m}e${e}`),
      halfway,
    );
    fc.assert(
      fc.property(fc.array(spelled, { minLength: 1, maxLength: 8 }), fc.boolean(), (numbers, minus) => {
        const text = `[${numbers.map((n) => `{"n": ${minus && !n.startsWith("-") ? "-" : ""}${n}}`).join(",")}]`;
        expect(read(text).rows).toEqual(expected(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('unescapes strings as JSON.parse does, whatever escapes they are written with', () => {
    // Each UTF-16 unit written raw, as \uXXXX in either case, or by its short escape; lone surrogates included.
    const short: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    const written = fc.tuple(fc.string({ unit: 'binary', maxLength: 40 }), fc.array(fc.nat(3), { minLength: 40, maxLength: 40 }), fc.nat(5000)).map(([value, styles, padding]) => {
      let text = '';
      for (let i = 0; i < value.length; i++) {
        const unit = value.charCodeAt(i);
        const char = value[i]!;
        const u = unit.toString(16).padStart(4, '0');
        const style = styles[i]!;
        if (style === 1 || (unit < 0x20 && style !== 2) || (unit >= 0xd800 && unit <= 0xdfff)) text += `\\u${u}`;
        else if (style === 2 && short[char] !== undefined) text += short[char];
        else if (style === 3) text += `\\u${u.toUpperCase()}`;
        else if (char === '"' || char === '\\' || unit < 0x20) text += `\\u${u}`;
        else text += char;
      }
      // Sometimes long, past the reader's buffer, with a run of plain text to copy
      return padding > 4000 ? `${text}${'é😀a'.repeat(padding / 3)}${text}` : text;
    });
    fc.assert(
      fc.property(fc.array(written, { minLength: 1, maxLength: 4 }), (strings) => {
        const text = `[${strings.map((w, i) => `{"k${i}\\u00e9": "${w}", "l": ["${w}"]}`).join(',')}]`;
        const { ok, rows } = read(text);
        expect(ok).toBe(true);
        expect(rows).toEqual(expected(text));
      }),
      { numRuns: 300 },
    );
  });

  it.each(['"\\x"', '"\\u12G4"', '"\\u12"', '"ab\\', '"\\uD800\\u12"', '"a\\n\u0001"', '"\\'])('declines the invalid string %s, in a value and in a skipped part', (string) => {
    expect(read(`{"a": ${string}}`).ok).toBe(false);
    expect(read(`{"skipped": [{"a": ${string}}], "data": [{"a": 1}]}`, ['data']).ok).toBe(false);
  });

  it('hands strings without escapes as bytes to a sink that wants them, and the decoded string when it declines', () => {
    const sink = new FlatSink((path) => path.join('.') === 'at');
    const text = '[{"at": "2026-11-30T04:00:00Z", "x": "y"}, {"at": "decline é"}, {"at": "esc\\u0061ped"}]';
    const { ok, rows } = read(text, [], sink);
    expect(ok).toBe(true);
    expect(sink.bytesSeen).toEqual(['2026-11-30T04:00:00Z']); // only the path asked for, only without escapes
    expect(rows).toEqual(expected(text));
  });

  it('reads the records at recordsPath, keys and array indices, and declines a path that is not there', () => {
    const text = '{"meta": {"n": 2}, "data": {"pages": [{"items": [{"a": 1}]}, {"items": [{"a": 2}, {"a": 3}]}]}, "z": [1]}';
    expect(read(text, ['data', 'pages', '1', 'items']).rows).toEqual(expected(text, ['data', 'pages', '1', 'items']));
    expect(read(text, ['data', 'pages', '1', 'items']).rows).toHaveLength(2);
    expect(read(text, ['meta']).rows).toEqual([new Map([['["n"]', 2]])]);
    for (const missing of [['data', 'pages', '2', 'items'], ['data', 'nope'], ['z', '0']]) expect(read(text, missing).ok).toBe(false);
    // the rest of the text is still checked: invalid JSON after the records is declined
    expect(read(`${text.slice(0, -1)},}`, ['meta']).ok).toBe(false);
  });

  it('hands over an array holding objects as its own text only when that is what JSON.stringify writes, else as JSON.parse gives it', () => {
    // Texts in spellings stringify writes and in ones it does not: spaces, \/ and \u escapes, 1.0, 1e2, -0, 1e-7,
    // 16 digits, repeated and digit-first keys. FlatSink.setJson checks every text it is given against stringify.
    const number = fc.constantFrom('0', '-0', '1', '-1', '1.5', '1.50', '1.0', '1e2', '1E2', '0.000001', '0.0000001', '-0.5', '123456789012345', '1234567890123456', '0.1', '100', '12.345678901234');
    const str = fc.constantFrom('""', '"a"', '"\\/"', '"/"', '"\\u00e9"', '"é"', '"\\n"', '"\\u000a"', '"\\u001f"', '"\\u001F"', '"\\u0000"', '"\\t"', '"\\""', '"\\\\"', '"\u007f"', '"\u2028"', '"😀"', '"\\ud83d\\ude00"', '"\\ud800"');
    const key = fc.constantFrom('"a"', '"b"', '"1"', '"__proto__"', '"é"', '"\\u0061"', '"a b"');
    const space = fc.constantFrom('', '', '', ' ', '\n');
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, number, str, fc.constantFrom('true', 'false', 'null'), tie('object'), tie('array')),
      object: fc.tuple(fc.array(fc.tuple(key, tie('value'), space), { maxLength: 4 }), space).map(([fields, sp]) => `{${sp}${fields.map(([k, v, s]) => `${k}:${s}${v}`).join(',')}}`),
      array: fc.tuple(fc.array(fc.tuple(tie('value'), space), { maxLength: 4 }), space).map(([items, sp]) => `[${items.map(([v, s]) => `${s}${v}`).join(',')}${sp}]`),
    }));
    const nested = fc.tuple(fc.array(value, { maxLength: 3 }), fc.oneof(value.filter((v) => /^[[{]/.test(v as string)), fc.constant('{}'))).map(([before, inner]) => `[${[...before, inner].join(',')}]`);
    let handedAsText = 0;
    fc.assert(
      fc.property(fc.array(nested, { minLength: 1, maxLength: 4 }), (lists) => {
        const text = `[${lists.map((l, i) => `{"i": ${i}, "l": ${l}}`).join(',')}]`;
        const sink = new FlatSink();
        const { ok, rows } = read(text, [], sink);
        expect(ok).toBe(true);
        expect(rows).toEqual(expected(text));
        handedAsText += sink.jsonSeen;
      }),
      { numRuns: 500 },
    );
    expect(handedAsText).toBeGreaterThan(50); // the fast path was taken, not only the fallback
    const sink = new FlatSink();
    read('[{"l": [{"a":1,"b":[2.5,"x\\n",null]}]}, {"l": [{"a":1,"a":2}]}, {"l": [{"a": 1}]}, {"l": [{"a":1e2}]}]', [], sink);
    expect(sink.jsonSeen).toBe(1);
    // Each of these parses to what stringify writes otherwise: left to JSON.parse, and read the same.
    const others = ['[{"a":1,"1":2}]', '[{"a":"\\u0009"}]', '[{"a":"\\u001F"}]', '[1.00000000000000001,{}]', '[12345678901234567890,{}]', '[{"a":1e2}]', '[{"a":"\\/"}]', '[-0,{}]', '[1.10,{}]', '[1e-7,{}]', '[0.0000001,{}]'];
    for (const list of others) {
      const text = `[{"l": ${list}}]`;
      const declined = new FlatSink();
      expect(read(text, [], declined).rows).toEqual(expected(text));
      expect(declined.jsonSeen).toBe(0);
    }
  });

  it('hands over an array of scalars as an array, one holding objects as JSON.parse gives it, and repeated lists as equal arrays', () => {
    const text = '[{"t": ["a", 1, null, true]}, {"t": ["a", 1, null, true]}, {"t": [{"k": [1]}, 2]}, {"t": []}]';
    const { rows } = read(text);
    expect(rows).toEqual(expected(text));
  });
});
