/** jest 30 + ts-jest in ESM mode; run with NODE_OPTIONS=--experimental-vm-modules. */
export default {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  // Deletes the temp folders of the runner harness (tools/harness.ts) after each test file.
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/temp-cleanup.ts'],
  testTimeout: 120000,
  // e2e tests start real Python and pip; two cores, so keep parallelism modest.
  maxWorkers: 2,
};
