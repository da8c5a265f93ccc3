import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DASHBOARD = fileURLToPath(new URL('../../../infra/grafana/dashboards/tickflow.json', import.meta.url));

/** One query of one panel, with Grafana's own variables replaced so Prometheus can run it alone. */
export interface PanelTarget {
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

// Fixed stand-ins for what Grafana fills in from the time picker and the scrape interval.
const GRAFANA_VARIABLES: readonly (readonly [RegExp, string])[] = [
  [/\$__rate_interval/g, '1m'],
  [/\$__interval/g, '15s'],
  [/\$__range/g, '5m'],
];

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null;

const asList = (u: unknown): unknown[] => (Array.isArray(u) ? u : []);

/** Panels at the top and inside rows; a row panel holds its collapsed panels in `panels`. */
const flatten = (panels: unknown[]): Record<string, unknown>[] =>
  panels.filter(isRecord).flatMap((p) => [p, ...flatten(asList(p['panels']))]);

export const withFixedVariables = (expr: string): string =>
  GRAFANA_VARIABLES.reduce((e, [pattern, value]) => e.replace(pattern, value), expr);

/** Every Prometheus query of the shipped dashboard, named by its panel's title. */
export const dashboardTargets = (): PanelTarget[] => {
  const dashboard: unknown = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  if (!isRecord(dashboard)) throw new Error(`${DASHBOARD}: not a JSON object`);
  return flatten(asList(dashboard['panels'])).flatMap((p) =>
    asList(p['targets'])
      .filter(isRecord)
      .map((t) => ({
        panel: String(p['title']),
        refId: String(t['refId']),
        expr: withFixedVariables(String(t['expr'])),
      })),
  );
};

/** Panels that would draw nothing: not a graph (row, text) is fine, a graph without a query is not. */
export const panelsWithoutQuery = (): string[] => {
  const dashboard: unknown = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
  if (!isRecord(dashboard)) return [];
  return flatten(asList(dashboard['panels']))
    .filter((p) => p['type'] !== 'row' && p['type'] !== 'text')
    .filter((p) =>
      asList(p['targets'])
        .filter(isRecord)
        .every((t) => typeof t['expr'] !== 'string'),
    )
    .map((p) => String(p['title']));
};
