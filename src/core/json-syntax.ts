/**
 * Where JSON text goes wrong. Node 20's JSON.parse gives a position for some errors and none for others
 * ("Unexpected token 'x', ... is not valid JSON"); a config file's author needs a line and a column.
 */

/**
 * The offset of the first character at which `text` can no longer be JSON (`text.length` when it ends too
 * early), or undefined when it is JSON. Follows RFC 8259 as JSON.parse does, so the two agree on the place.
 */
export function jsonSyntaxErrorAt(text: string): number | undefined {
  let at = 0;
  const stop = (): never => {
    throw new SyntaxAt(at);
  };
  const skipSpace = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const take = (char: string) => (text[at] === char ? at++ : stop());
  const digits = () => {
    if (!isDigit(text[at])) stop();
    while (isDigit(text[at])) at++;
  };
  const string = () => {
    take('"');
    for (let char = text[at]; char !== '"'; char = text[at]) {
      if (char === undefined || char < ' ') stop();
      at++;
      if (char !== '\\') continue;
      if (text[at] === 'u') {
        for (const end = ++at + 4; at < end; at++) if (!/^[0-9a-fA-F]$/.test(text[at] ?? '')) stop();
      } else if ('"\\/bfnrt'.includes(text[at] ?? 'x')) at++;
      else stop();
    }
    at++;
  };
  const number = () => {
    if (text[at] === '-') at++;
    if (text[at] === '0') at++;
    else digits();
    if (text[at] === '.') {
      at++;
      digits();
    }
    if (text[at] === 'e' || text[at] === 'E') {
      at++;
      if (text[at] === '+' || text[at] === '-') at++;
      digits();
    }
  };
  const items = (close: string, item: () => void) => {
    at++;
    skipSpace();
    if (text[at] === close) {
      at++;
      return;
    }
    for (;;) {
      item();
      skipSpace();
      if (text[at] !== ',') break;
      at++;
      skipSpace();
    }
    take(close);
  };
  const value = (): void => {
    skipSpace();
    const char = text[at];
    if (char === '{') return items('}', member);
    if (char === '[') return items(']', value);
    if (char === '"') return string();
    if (char === '-' || isDigit(char)) return number();
    const word = ['true', 'false', 'null'].find((w) => w[0] === char);
    if (!word) stop();
    for (const letter of word!) take(letter);
  };
  const member = () => {
    string();
    skipSpace();
    take(':');
    value();
  };
  try {
    value();
    skipSpace();
    if (at < text.length) stop();
    return undefined;
  } catch (error) {
    if (error instanceof SyntaxAt) return error.offset;
    throw error;
  }
}

class SyntaxAt {
  constructor(readonly offset: number) {}
}

const isDigit = (char: string | undefined) => char !== undefined && char >= '0' && char <= '9';

/** The 1-based line and column of an offset; a column counts characters (code points), as editors do. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: [...before.slice(lineStart)].length + 1 };
}
