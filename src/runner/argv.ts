import { InputError } from './errors.js';

/**
 * Splits a command-line string into arguments the way a POSIX shell would for words and quotes
 * (single quotes literal, double quotes with backslash escapes, backslash outside quotes), and
 * does nothing else: no variables, globs or command substitution. The result is passed to the
 * process as an argv array, never through a shell.
 */
export function splitArgs(text: string, inputName: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quote === "'") {
      if (ch === "'") quote = null;
      else current += ch;
    } else if (quote === '"') {
      if (ch === '"') quote = null;
      else if (ch === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]))
        current += text[++i];
      else current += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\') {
      if (i + 1 < text.length) current += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) {
    throw new InputError(
      `${inputName}: unterminated ${quote === '"' ? 'double' : 'single'} quote in "${text}". Close the quote or escape it with a backslash.`,
    );
  }
  if (inWord) args.push(current);
  return args;
}
