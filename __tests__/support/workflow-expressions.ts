/**
 * GitHub's expression engine (@actions/expressions) with the runner's status functions, which the
 * library leaves to its host: success(), failure(), cancelled(), always().
 */
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';

/** What the status functions see: the results before this job (or step) and the run's state. */
export interface Status {
  /** Results of every job this one needs, directly or not (or of the steps before this step). */
  before: string[];
  runCancelled: boolean;
}

const CONTEXTS = [
  'github',
  'inputs',
  'needs',
  'steps',
  'env',
  'matrix',
  'jobs',
  'secrets',
  'strategy',
  'runner',
  'vars',
];
const STATUS_FUNCTION = /\b(success|failure|cancelled|always)\s*\(/i;

function statusFunctions(status: Status): Map<string, FunctionDefinition> {
  const fn = (name: string, value: () => boolean): [string, FunctionDefinition] => [
    name,
    { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(value()) },
  ];
  return new Map([
    // A failure or skip anywhere up the chain stops the default success() (GitHub's docs on needs).
    fn('success', () => !status.runCancelled && status.before.every((r) => r === 'success')),
    fn('failure', () => status.before.includes('failure')),
    fn('cancelled', () => status.runCancelled),
    fn('always', () => true),
  ]);
}

function evaluateExpression(
  expression: string,
  contexts: object,
  status: Status,
): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const functions = statusFunctions(status);
  const parsed = new Parser(lexed.tokens, CONTEXTS, [...functions.values()]).parse();
  const context = JSON.parse(JSON.stringify(contexts), data.reviver) as data.Dictionary;
  return new Evaluator(parsed, context, functions).evaluate();
}

const WHOLE = /^\s*\$\{\{(.*)\}\}\s*$/s;

/**
 * An `if:` as the runner decides it: `${{ }}` optional, and without a status function the
 * condition is `success() && (condition)`. A missing `if:` is `success()`.
 */
export function condition(text: string | undefined, contexts: object, status: Status): boolean {
  const expression = text === undefined ? 'success()' : (WHOLE.exec(text)?.[1] ?? text);
  const full = STATUS_FUNCTION.test(expression) ? expression : `success() && (${expression})`;
  return truthy(evaluateExpression(full, contexts, status));
}

/** A value with `${{ }}` parts (with:, env:, outputs:, environment:), as the runner renders it. */
export function interpolate(text: unknown, contexts: object): string {
  if (typeof text !== 'string')
    return text === undefined || text === null ? '' : JSON.stringify(text);
  const noStatus: Status = { before: [], runCancelled: false };
  return text.replace(/\$\{\{(.*?)\}\}/gs, (_all, expression: string) =>
    evaluateExpression(expression, contexts, noStatus).coerceString(),
  );
}
