/** The fresh set (pip's report plus a new venv's seeds) and how a restored venv is brought to it. */
import { describe, expect, test } from '@jest/globals';
import {
  differencesFromFresh,
  parseInstallReport,
  planReconciliation,
  venvSeeds,
} from '../../src/deps/fresh-set.js';

const report = JSON.stringify({
  version: '1',
  install: [
    // A file:// index is still an index: not direct.
    {
      metadata: { name: 'Tomli', version: '2.4.1' },
      is_direct: false,
      download_info: { url: 'file:///simple/tomli.whl' },
    },
    { metadata: { name: 'pytest', version: '9.1.1' }, is_direct: false },
    {
      metadata: { name: 'my_lib', version: '0.1' },
      is_direct: true,
      download_info: { url: 'file:///w/mylib' },
    },
  ],
});

describe('parseInstallReport', () => {
  test('reads names (normalized), versions and direct references', () => {
    expect(parseInstallReport(report)).toEqual([
      { name: 'tomli', version: '2.4.1', direct: false },
      { name: 'pytest', version: '9.1.1', direct: false },
      { name: 'my-lib', version: '0.1', direct: true },
    ]);
  });

  test('refuses what is not a report', () => {
    expect(() => parseInstallReport('{}')).toThrow(/no "install" list/);
    expect(() => parseInstallReport('{"install":[{"metadata":{}}]}')).toThrow(/no name/);
  });
});

describe('venvSeeds', () => {
  test('setuptools comes with a new venv before Python 3.12 only', () => {
    expect(venvSeeds('3.11.7')).toEqual(['pip', 'setuptools']);
    expect(venvSeeds('3.12.1')).toEqual(['pip']);
    expect(venvSeeds('3.13.0')).toEqual(['pip']);
  });
});

describe('planReconciliation', () => {
  const fresh = parseInstallReport(report);
  test('removes what a fresh install would not have, keeps seeds, reinstalls direct references', () => {
    const installed = [
      { name: 'pip', version: '25.0' },
      { name: 'setuptools', version: '65.5.0' },
      { name: 'wheel', version: '0.45' },
      { name: 'tomli', version: '2.4.0' },
      { name: 'six', version: '1.17.0' },
      { name: 'pytest', version: '9.1.1' },
      { name: 'my-lib', version: '0.1' },
    ];
    expect(planReconciliation(fresh, installed, '3.11.7')).toEqual({
      remove: ['my-lib', 'six', 'wheel'],
      update: ['my-lib', 'tomli'],
    });
    // On 3.12 a fresh venv has no setuptools, so neither does the updated one.
    expect(planReconciliation(fresh, installed, '3.12.1').remove).toEqual([
      'my-lib',
      'setuptools',
      'six',
      'wheel',
    ]);
  });
});

describe('differencesFromFresh', () => {
  const fresh = [
    { name: 'tomli', version: '2.4.1' },
    { name: 'pytest', version: '9.1.1' },
  ];
  test('empty when the venv holds exactly the fresh set and the seeds', () => {
    const installed = [
      { name: 'pip', version: '25.0' },
      { name: 'setuptools', version: '65.5.0' },
      { name: 'Tomli', version: '2.4.1' },
      { name: 'pytest', version: '9.1.1' },
    ];
    expect(differencesFromFresh(fresh, installed, '3.11.7')).toEqual([]);
  });

  test('names every missing, extra or other-version distribution', () => {
    const installed = [
      { name: 'tomli', version: '2.4.0' },
      { name: 'six', version: '1.17.0' },
    ];
    expect(differencesFromFresh(fresh, installed, '3.12.1')).toEqual([
      'pip is missing',
      'pytest 9.1.1 is missing',
      'six 1.17.0 is extra',
      'tomli is 2.4.0, not 2.4.1',
    ]);
  });
});
