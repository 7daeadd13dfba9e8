// Writes the inputs and outputs tables of README.md and docs/ from action.yml files, between
// `<!-- inputs:FILE -->`/`<!-- outputs:FILE -->` and `<!-- end -->` markers, so the docs cannot
// drift from what the action declares. `--check` only reports stale files (used by a test).
// The result goes through prettier, which `npm run lint` checks Markdown with.
import { readFileSync, writeFileSync } from 'node:fs';
import * as prettier from 'prettier';
import { parse } from 'yaml';

const docs = ['README.md', 'docs/gate.md'];
const check = process.argv.includes('--check');

function cell(text) {
  return String(text ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\n/g, ' ')
    .trim();
}

export function tables(actionFile) {
  const action = parse(readFileSync(actionFile, 'utf8'));
  const inputs = Object.entries(action.inputs ?? {}).map(
    ([name, spec]) =>
      `| \`${name}\` | ${cell(spec.description)} | ${spec.default === undefined || spec.default === '' ? '' : `\`${cell(spec.default)}\``} |`,
  );
  const outputs = Object.entries(action.outputs ?? {}).map(
    ([name, spec]) => `| \`${name}\` | ${cell(spec.description)} |`,
  );
  return {
    inputs: ['| input | description | default |', '| --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| output | description |', '| --- | --- |', ...outputs].join('\n'),
  };
}

let stale = [];
for (const doc of docs) {
  let text;
  try {
    text = readFileSync(doc, 'utf8');
  } catch {
    continue;
  }
  const updated = await prettier.format(
    text.replace(
      /<!-- (inputs|outputs):([^ ]+) -->\n[\s\S]*?<!-- end -->/g,
      (_all, kind, file) => `<!-- ${kind}:${file} -->\n${tables(file)[kind]}\n<!-- end -->`,
    ),
    { ...(await prettier.resolveConfig(doc)), filepath: doc },
  );
  if (updated !== text) {
    stale.push(doc);
    if (!check) writeFileSync(doc, updated);
  }
}
if (check && stale.length > 0) {
  console.error(`Stale tables in ${stale.join(', ')}: run npm run docs`);
  process.exit(1);
}
