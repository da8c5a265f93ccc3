/** A CLI command: its help text and what it does. `run` resolves to the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[]): Promise<number>;
}

/** True when the user asked for help; each command checks it before anything else. */
export const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');

/** Exit code of a command line that cannot be run: bad flags or settings. */
export const USAGE_EXIT_CODE = 2;

/**
 * Says what is wrong with the command line, one line each, and where its help is; returns the
 * exit code (2). Nothing has been started or connected when a command calls it.
 */
export const refuseArgs = (
  command: string,
  problems: readonly string[],
  err: { write(text: string): unknown } = process.stderr,
): number => {
  for (const problem of problems) err.write(`tickflow ${command}: ${problem}\n`);
  err.write(`See tickflow ${command} --help\n`);
  return USAGE_EXIT_CODE;
};
