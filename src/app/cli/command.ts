/** A CLI command: its help text and what it does. `run` resolves to the exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly help: string;
  run(args: readonly string[]): Promise<number>;
}

/** True when the user asked for help; each command checks it before anything else. */
export const wantsHelp = (args: readonly string[]): boolean => args.includes('--help') || args.includes('-h');
