import js from '@eslint/js';
import jest from 'eslint-plugin-jest';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'dist.building-*/**',
      'node_modules/**',
      'coverage/**',
      'examples/**',
      '**/.venv/**',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Type-aware rules for the TypeScript sources, tests and tools: floating promises, awaits of
  // non-promises and the like are bugs a type checker can see.
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ['__tests__/**/*.ts'],
    ...jest.configs['flat/recommended'],
    rules: {
      ...jest.configs['flat/recommended'].rules,
      // Our assertion helpers (expectCleanFailure, expectCleanInputError, ...) count as expects.
      'jest/expect-expect': ['error', { assertFunctionNames: ['expect', 'expect*'] }],
      // A beforeAll that checks its setup worked fails every test of the block with the cause.
      'jest/no-standalone-expect': ['error', { additionalTestBlockFunctions: ['beforeAll'] }],
      // Parsed YAML/JSON and jest's asymmetric matchers are `any` by design in tests.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    // Property and table tests check a different outcome per generated case: the branch picks
    // the expectation, and every case asserts.
    files: [
      '__tests__/gate/properties.test.ts',
      '__tests__/workflows/conditions.test.ts',
      '__tests__/workflows/parser.test.ts',
    ],
    rules: { 'jest/no-conditional-expect': 'off' },
  },
);
