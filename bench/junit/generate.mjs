#!/usr/bin/env node
/**
 * Writes a pytest-style JUnit report (xunit1: `file` and `line` on every testcase) with N test
 * cases: ~2% failures with multi-line tracebacks, ~5% skipped, realistic ids and durations.
 * Deterministic (seeded), written in buffered chunks so 1M cases (~170 MB) take a few seconds.
 *
 *   node bench/junit/generate.mjs <cases> <out.xml>
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Small seeded PRNG (mulberry32) so every run writes the same file. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PACKAGES = ['api', 'core', 'models', 'io', 'utils', 'pipelines', 'features', 'serving'];
const VERBS = ['parses', 'rejects', 'returns', 'handles', 'computes', 'loads', 'saves', 'merges'];
const NOUNS = ['empty_input', 'unicode', 'large_batch', 'missing_key', 'nan_values', 'timeout'];

function escapeXml(text) {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function traceback(file, line, name, rnd) {
  const left = Math.floor(rnd() * 100);
  return [
    `def ${name.replace(/\[.*$/, '')}(self):`,
    `        result = compute(${left})`,
    `>       assert result == ${left + 1}`,
    `E       assert ${left} == ${left + 1}`,
    `E        +  where ${left} = compute(${left})`,
    '',
    `${file}:${line + 3}: AssertionError`,
  ].join('\n');
}

/** Returns the XML of test case number i (and its outcome, for the suite counts). */
function testcase(i, rnd) {
  const pkg = PACKAGES[i % PACKAGES.length];
  const moduleNo = Math.floor(i / 200);
  const file = `tests/${pkg}/test_module_${moduleNo}.py`;
  const classname = `tests.${pkg}.test_module_${moduleNo}.TestCase${Math.floor(i / 20) % 10}`;
  const base = `test_${VERBS[i % VERBS.length]}_${NOUNS[i % NOUNS.length]}`;
  const name = i % 3 === 0 ? `${base}[case-${i % 7}-${i}]` : `${base}_${i}`;
  const line = 10 + (i % 180) * 7;
  const time = (rnd() < 0.01 ? rnd() * 5 : rnd() * 0.02).toFixed(3);
  const attrs = `classname="${classname}" name="${escapeXml(name)}" file="${file}" line="${line}" time="${time}"`;
  const roll = rnd();
  if (roll < 0.02) {
    const tb = traceback(file, line, name, rnd);
    const message = escapeXml(tb.split('\n')[3].slice(8));
    return {
      outcome: 'failure',
      time,
      xml: `<testcase ${attrs}><failure message="${message}">${escapeXml(tb)}</failure></testcase>`,
    };
  }
  if (roll < 0.07) {
    const reason = 'requires GPU &amp; CUDA &gt;= 12';
    return {
      outcome: 'skipped',
      time,
      xml: `<testcase ${attrs}><skipped type="pytest.skip" message="${reason}">${file}:${line}: ${reason}</skipped></testcase>`,
    };
  }
  return { outcome: 'passed', time, xml: `<testcase ${attrs} />` };
}

async function generate(cases, outPath) {
  const out = createWriteStream(outPath, { highWaterMark: 1 << 20 });
  const rnd = random(cases);
  const counts = { failure: 0, skipped: 0, passed: 0 };
  const bodies = [];
  let buffered = 0;
  const header =
    '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">' +
    `<testsuite name="pytest" errors="0" failures="FAILURES" skipped="SKIPPED" tests="${cases}" time="TIME" timestamp="2025-01-01T00:00:00+00:00" hostname="bench">`;
  // Counts are only known at the end; pytest writes them first. We write the real counts into a
  // fixed-width field instead of buffering the whole file.
  const width = String(cases).length;
  const pad = (n) => String(n).padStart(width, '0');
  out.write(
    header
      .replace('FAILURES', '0'.repeat(width))
      .replace('SKIPPED', '0'.repeat(width))
      .replace('TIME', '0000000.000'),
  );
  let total = 0;
  for (let i = 0; i < cases; i++) {
    const { outcome, time, xml } = testcase(i, rnd);
    counts[outcome]++;
    bodies.push(xml);
    buffered += xml.length;
    total += Number(time);
    if (buffered > 1 << 20) {
      if (!out.write(bodies.join('\n'))) await once(out, 'drain');
      bodies.length = 0;
      buffered = 0;
    }
  }
  bodies.push('</testsuite></testsuites>\n');
  out.end(bodies.join('\n'));
  await once(out, 'finish');
  // Patch the counts into the header (same byte length, so the file stays well-formed).
  const { open } = await import('node:fs/promises');
  const handle = await open(outPath, 'r+');
  const patched = header
    .replace('FAILURES', pad(counts.failure))
    .replace('SKIPPED', pad(counts.skipped))
    .replace('TIME', total.toFixed(3).padStart(11, '0'));
  await handle.write(patched, 0, 'utf8');
  await handle.close();
  return counts;
}

const [casesArg, outPath] = process.argv.slice(2);
const cases = Number(casesArg);
if (!Number.isInteger(cases) || cases <= 0 || !outPath) {
  console.error('usage: node bench/junit/generate.mjs <cases> <out.xml>');
  process.exit(2);
}
const counts = await generate(cases, outPath);
console.log(JSON.stringify({ cases, ...counts, file: outPath }));
