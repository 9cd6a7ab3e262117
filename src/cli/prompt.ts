import { createInterface } from 'node:readline';

/** Reads all of stdin (a piped key), trimmed of the trailing newline. */
export async function readStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks for a secret on the terminal without echoing what is typed. */
export async function promptHidden(question: string, stdin = process.stdin, stdout = process.stdout): Promise<string> {
  const rl = createInterface({ input: stdin, output: stdout, terminal: true });
  const writer = rl as unknown as { _writeToOutput: (s: string) => void };
  let asked = false;
  writer._writeToOutput = (text: string) => {
    if (!asked) {
      stdout.write(text);
      asked = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    stdout.write('\n');
  }
}

/** Asks a yes/no question; only "y" or "yes" is yes. */
export async function confirm(question: string, stdin = process.stdin, stdout = process.stdout): Promise<boolean> {
  const rl = createInterface({ input: stdin, output: stdout });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
