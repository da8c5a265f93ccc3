// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', '.cache/', '.tickflow/', 'bin/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // An un-awaited send() loses ticks silently: these two are the rules this product needs most.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-confusing-void-expression': 'off',
    },
  },
  {
    // The domain is pure: no I/O, no container, no adapters, no clock.
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/domain is pure: no Node I/O modules.' },
            {
              group: ['**/adapters/**', '**/app/**', '**/ports/**'],
              message: 'src/domain depends on nothing outside it.',
            },
            {
              group: ['kafkajs', 'ws', 'ioredis', 'prom-client', 'inversify', 'reflect-metadata'],
              message: 'src/domain is pure: no I/O libraries, no DI container.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes in as a value in the domain.' },
        { object: 'Math', property: 'random', message: 'Randomness comes in as a value in the domain.' },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/domain is pure.' }],
    },
  },
  {
    // Ports and adapters never see the container; only the composition root does.
    files: ['src/ports/**/*.ts', 'src/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/app/**'], message: 'Adapters and ports do not depend on the application layer.' },
            { group: ['reflect-metadata'], message: 'Only the composition root uses the container.' },
          ],
          paths: [
            {
              name: 'inversify',
              importNames: ['Container', 'injectable', 'inject'],
              message: 'Only the composition root (src/app/root) uses the container.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
