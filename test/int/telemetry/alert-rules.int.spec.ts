import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ALERTS_FILE, ALERTS_TEST_FILE, PROMETHEUS_DIR, alertNames, readAlerts } from './alert-rules-file.ts';

const run = promisify(execFile);

interface PromtoolResult {
  readonly code: number;
  readonly output: string;
}

const promtool = async (args: readonly string[], cwd: string): Promise<PromtoolResult> => {
  try {
    const { stdout, stderr } = await run('promtool', [...args], { cwd, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: unknown; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error('promtool is not installed: scripts/setup.sh installs Debian’s prometheus package', {
        cause: e,
      });
    }
    return {
      code: typeof err.code === 'number' ? err.code : -1,
      output: `${err.stdout ?? ''}${err.stderr ?? ''}`,
    };
  }
};

describe('infra/prometheus/alerts.yml', () => {
  const alerts = readAlerts();
  const names = alertNames(alerts);

  it('passes promtool check rules, with every rule counted', async () => {
    const recorded = [...alerts.matchAll(/^\s*- record: /gm)].length;
    const result = await promtool(['check', 'rules', ALERTS_FILE], PROMETHEUS_DIR);
    expect(result.output).toContain(`SUCCESS: ${names.length + recorded} rules found`);
    expect(result.code).toBe(0);
  });

  it('passes its promtool unit tests', async () => {
    const result = await promtool(['test', 'rules', ALERTS_TEST_FILE], PROMETHEUS_DIR);
    expect(result.output).toContain('SUCCESS');
    expect(result.code).toBe(0);
  });

  it('has a firing and a not-firing case for every alert', () => {
    expect(names).toEqual(
      expect.arrayContaining([
        'TickflowFeedDisconnected',
        'TickflowFeedMute',
        'TickflowSinkSpilling',
        'TickflowJournalNearlyFull',
        'TickflowGapOpenPastDeadline',
        'TickflowBackfillFailed',
        'TickflowQuarantineRateHigh',
        'TickflowDown',
      ]),
    );
    const cases = readFileSync(ALERTS_TEST_FILE, 'utf8')
      .split(/^\s*- eval_time: /m)
      .slice(1);
    for (const name of names) {
      const mine = cases.filter((c) => new RegExp(`alertname: ${name}\\s`).test(c));
      expect(
        mine.some((c) => /exp_alerts: \[\]/.test(c)),
        `${name} never checked silent`,
      ).toBe(true);
      expect(
        mine.some((c) => /exp_labels:/.test(c)),
        `${name} never checked firing`,
      ).toBe(true);
    }
  });

  it('every alert has a severity, a summary and a description', () => {
    const blocks = alerts.split(/^\s*- alert: /m).slice(1);
    expect(blocks).toHaveLength(names.length);
    for (const block of blocks) {
      expect(block).toMatch(/severity: (critical|warning)/);
      expect(block).toMatch(/summary: /);
      expect(block).toMatch(/description: /);
    }
  });

  it('the unit tests catch a feed alert that forgets market hours', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tickflow-alerts-'));
    try {
      cpSync(ALERTS_TEST_FILE, join(dir, 'alerts.test.yml'));
      const unguarded = alerts.replaceAll(' and on (job, instance) market_open == 1', '');
      expect(unguarded).not.toBe(alerts);
      writeFileSync(join(dir, 'alerts.yml'), unguarded);
      const result = await promtool(['test', 'rules', 'alerts.test.yml'], dir);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('TickflowFeedDisconnected');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
