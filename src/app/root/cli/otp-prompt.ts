import { createInterface } from 'node:readline/promises';
import type { OtpPrompt } from '../../../adapters/mstock/session-manager.ts';

/** Asks for the SMS OTP on the terminal; only offered when stdin is a terminal. */
export const terminalOtpPrompt: OtpPrompt = async (signal) => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question('m.Stock OTP (sent by SMS): ', signal === undefined ? {} : { signal });
    return answer.trim();
  } finally {
    rl.close();
  }
};
