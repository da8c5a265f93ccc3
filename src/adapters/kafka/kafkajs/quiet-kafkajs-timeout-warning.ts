/**
 * kafkajs 2.2.4 computes a negative timer delay on Node 24, and Node warns about it on every run
 * (TimeoutNegativeWarning); the delay is clamped to 1 ms, which is what kafkajs meant. Importing
 * this module drops that one warning and keeps every other.
 */
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: never[]) => {
  const name = typeof warning === 'string' ? rest[0] : warning.name;
  if (name === 'TimeoutNegativeWarning') return;
  emitWarning(warning, ...rest);
};
