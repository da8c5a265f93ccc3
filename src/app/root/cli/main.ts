#!/usr/bin/env node
import { existsSync } from 'node:fs';
import '../../../adapters/kafka/kafkajs/quiet-kafkajs-timeout-warning.ts';
import { wantsHelp, type Command } from './command.ts';
import { backfillCommand } from './backfill-command.ts';
import { demoCommand } from './demo-command.ts';
import { instrumentsCommand } from './instruments-command.ts';
import { liveCommand } from './live-command.ts';
import { endQuietlyWhenStdoutCloses, stdoutClosed } from './closed-stdout.ts';
import { packageVersion } from './package-version.ts';
import { recordCommand } from './record-command.ts';
import { replayCommand } from './replay-command.ts';
import { simulateCommand } from './simulate-command.ts';

const COMMANDS: readonly Command[] = [
  liveCommand,
  demoCommand,
  backfillCommand,
  recordCommand,
  replayCommand,
  simulateCommand,
  instrumentsCommand,
];

const usage = (): string =>
  [
    'tickflow — m.Stock market data into Kafka, with no lost tick',
    '',
    'usage: tickflow <command> [options]     tickflow <command> --help     tickflow --version',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Configuration comes from the environment (and .env); see the README.',
  ].join('\n');

const unknownCommand = (name: string): number => {
  process.stderr.write(`tickflow: unknown command "${name}"\n\n${usage()}\n`);
  return 2;
};

const main = async (argv: readonly string[]): Promise<number> => {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const topic = rest[0];
  if (name === 'help' && topic !== undefined && !topic.startsWith('-')) {
    const command = COMMANDS.find((c) => c.name === topic);
    if (command === undefined) return unknownCommand(topic);
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) return unknownCommand(name);
  if (wantsHelp(rest)) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  return command.run(rest);
};

endQuietlyWhenStdoutCloses();
// A .env file in the working folder fills in what the environment does not already set.
if (existsSync('.env')) process.loadEnvFile('.env');
const code = await main(process.argv.slice(2));
// Output cut short by its reader (`| head`) is not a failure of the command.
process.exitCode = stdoutClosed() ? 0 : code;
