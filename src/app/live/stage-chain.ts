import type { LiveMessage, Pass, Stage } from './live-message.ts';

/** The end of every chain: what passes the last stage goes nowhere. */
const nowhere: Pass = () => undefined;

/**
 * Links the stages in order, each handed the entry of the one after it, and returns the first
 * one's entry. Built once: passing a message allocates nothing beyond what the stages do.
 */
export const chainStages = (stages: readonly Stage[], end: Pass = nowhere): Pass =>
  stages.reduceRight<Pass>((next, stage) => stage.connect(next), end);

/** What a stage alone passes on for these messages, in order (tests, and a stage's own checks). */
export const runStage = async (stage: Stage, messages: readonly LiveMessage[]): Promise<LiveMessage[]> => {
  const out: LiveMessage[] = [];
  const entry = stage.connect((m) => {
    out.push(m);
  });
  for (const m of messages) await entry(m);
  return out;
};
