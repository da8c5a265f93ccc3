import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KAFKA_SINK_ENV } from '../../../src/adapters/kafka/kafka-settings.ts';
import { SETTINGS } from '../../../src/app/root/config/settings.ts';

describe('README', () => {
  const readme = readFileSync('README.md', 'utf8');

  it('documents every environment variable tickflow reads', () => {
    const names = [...Object.values(SETTINGS).map((s) => s.env), ...Object.keys(KAFKA_SINK_ENV)];
    const missing = names.filter((n) => !readme.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('starts with the two commands: run it, test it', () => {
    const firstBlock = readme.split('```')[1] ?? '';
    expect(firstBlock).toContain('./dev demo');
    expect(firstBlock).toContain('./dev test');
  });
});
