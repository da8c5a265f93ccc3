import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const PROMETHEUS_DIR = fileURLToPath(new URL('../../../infra/prometheus/', import.meta.url));
export const ALERTS_FILE = `${PROMETHEUS_DIR}alerts.yml`;
export const ALERTS_TEST_FILE = `${PROMETHEUS_DIR}alerts.test.yml`;

export const alertNames = (yaml: string): string[] =>
  [...yaml.matchAll(/^\s*- alert: (\w+)\s*$/gm)].map((m) => m[1] ?? '');

/** Every `expr:`, one-line or a `|` block (the lines indented deeper than the key). */
export const expressions = (yaml: string): string[] => {
  const lines = yaml.split('\n');
  const out: string[] = [];
  lines.forEach((line, i) => {
    const m = /^(\s*)expr: (.*)$/.exec(line);
    if (m === null) return;
    const indent = (m[1] ?? '').length;
    const head = m[2] ?? '';
    if (head.trim() !== '|') {
      out.push(head);
      return;
    }
    const body: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.trim() !== '' && next.search(/\S/) <= indent) break;
      body.push(next);
    }
    out.push(body.join('\n'));
  });
  return out;
};

const NOT_METRICS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'bool', 'offset']);

/** The series names an expression selects: label matchers, ranges, grouping and functions cut out. */
export const metricNames = (expr: string): string[] => {
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)].map((m) => m[1] ?? '');
  return names.filter((n) => !NOT_METRICS.has(n));
};

export const readAlerts = (): string => readFileSync(ALERTS_FILE, 'utf8');
