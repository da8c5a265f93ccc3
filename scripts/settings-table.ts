/**
 * Prints every environment variable tickflow reads as a Markdown table, for the README:
 *   node scripts/settings-table.ts
 */
import { KAFKA_SINK_ENV } from '../src/adapters/kafka/kafka-settings.ts';
import { SETTINGS } from '../src/app/root/config/settings.ts';

const rows: string[] = ['| variable | default | meaning |', '| --- | --- | --- |'];
const shown = new Set<string>();
for (const s of Object.values(SETTINGS)) {
  const d: unknown = s.default;
  const def = d === undefined ? '' : Array.isArray(d) ? d.join(',') : JSON.stringify(d).replace(/^"|"$/g, '');
  rows.push(
    `| \`${s.env}\`${s.secret ? ' (secret, `_FILE` too)' : ''} | ${def === '' ? '—' : `\`${def}\``} | ${s.doc} |`,
  );
  shown.add(s.env);
}
for (const [name, spec] of Object.entries(KAFKA_SINK_ENV)) {
  if (shown.has(name)) continue;
  rows.push(`| \`${name}\` | ${spec.default === '' ? '—' : `\`${spec.default}\``} | ${spec.doc} |`);
}
console.log(rows.join('\n'));
