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
            {
              group: ['io-ts', 'io-ts/*'],
              message: 'Wire codecs belong to the port that owns the format (src/ports), not the domain.',
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
    // The use cases: ports in, ports out. Only the composition root (src/app/root) picks adapters,
    // touches the container, the process or the environment.
    files: ['src/app/**/*.ts'],
    ignores: ['src/app/root/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'node:crypto',
              allowImportNames: ['createHash'],
              message: 'Only hashing (createHash): no randomness or keys in a use case.',
            },
          ],
          patterns: [
            {
              group: ['node:*', '!node:crypto'],
              message: 'Use cases do no I/O: take a port, the root passes an adapter.',
            },
            {
              group: ['**/adapters/**', '**/dev/**', '**/simulator/**', '**/root/**'],
              message: 'Use cases import ports and the domain; the composition root wires adapters in.',
            },
            {
              group: [
                'kafkajs',
                'ws',
                'ioredis',
                'prom-client',
                '@platformatic/kafka',
                'inversify',
                'reflect-metadata',
              ],
              message: 'Use cases see ports, not clients or the container.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Settings are decoded by the composition root.' },
      ],
    },
  },
  {
    // What the broker's wire and our own files say, readable by both the client and the simulator: pure.
    files: ['src/protocol/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'src/protocol is pure: no Node I/O modules.' },
            {
              group: ['**/adapters/**', '**/app/**', '**/ports/**', '**/simulator/**', '**/dev/**'],
              message: 'src/protocol depends on the domain only.',
            },
            {
              group: ['io-ts', 'io-ts/*', 'kafkajs', 'ws', 'ioredis', 'inversify'],
              message: 'src/protocol is pure.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'src/protocol is pure.' }],
    },
  },
  {
    // The fake broker must read the protocol document on its own, not through the client's code.
    files: ['src/simulator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**', '**/app/**'],
              message: 'The simulator shares no code with the client it tests (src/protocol is shared).',
            },
          ],
        },
      ],
    },
  },
  {
    // In-memory fakes stand beside the real adapters: both implement the port, neither imports the other.
    files: ['src/adapters/memory/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*/**', '!../../**'], message: 'A fake imports the port, never another adapter.' },
            { group: ['**/app/**'], message: 'Adapters and ports do not depend on the application layer.' },
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
