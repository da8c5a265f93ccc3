/**
 * Command-line options of the benchmark scripts: `--name value` pairs, each with a default whose
 * type (number or text) is the option's type. An unknown option or a bad number stops the script
 * with the usage line.
 */
type OptionValue = number | string;

export const parseOptions = <T extends Readonly<Record<string, OptionValue>>>(
  argv: readonly string[],
  defaults: T,
  usage: string,
): T => {
  const out: Record<string, OptionValue> = { ...defaults };
  const fail = (message: string): never => {
    process.stderr.write(`${usage}\n`);
    throw new Error(message);
  };
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const name = flag.replace(/^--/, '');
    const raw = argv[i + 1];
    const fallback = defaults[name];
    if (!flag.startsWith('--') || fallback === undefined || raw === undefined) fail(`bad option ${flag}`);
    if (typeof fallback === 'number') {
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) fail(`${flag} takes a number ≥ 0, got ${raw ?? ''}`);
      out[name] = value;
    } else out[name] = raw ?? '';
  }
  return out as T;
};
