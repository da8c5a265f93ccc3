import { either as E } from 'fp-ts';
import { describeServiceConfig } from '../config/describe-service-config.ts';
import { startLivePipeline } from '../live-pipeline.ts';
import { handleShutdownSignals } from '../shutdown-signals.ts';
import { refuseArgs, type Command } from './command.ts';
import { parseArgs } from './flags.ts';
import { terminalOtpPrompt } from './otp-prompt.ts';
import { startup } from '../startup.ts';

export const liveCommand: Command = {
  name: 'live',
  summary: 'log in to m.Stock, follow the live feed and publish every tick to Kafka',
  help: `tickflow live [--check-config]

Logs in to m.Stock (MSTOCK_USER, MSTOCK_PASS, MSTOCK_API_KEY, and MSTOCK_TOTP_SECRET or MSTOCK_OTP;
with neither, the OTP is asked on the terminal), subscribes the instruments (config/nifty50.csv, or
INSTRUMENTS / INSTRUMENTS_FILE) and publishes every tick to TICK_TOPIC on KAFKA_BROKER.
Telemetry on METRICS_PORT: /metrics, /healthz, /readyz. SIGTERM or SIGINT stop it cleanly.
With CLUSTER_GROUP set, instances of the same group share the instruments through a Kafka consumer
group on CLUSTER_TOPIC (README: Cluster); each follows only the shards it is assigned.

  --check-config   print the effective configuration (secrets masked) and exit`,
  run: async (args) => {
    const parsed = parseArgs(args, { switches: ['--check-config'] });
    if (E.isLeft(parsed)) return refuseArgs('live', parsed.left);
    const s = await startup(process.env, 'live', 'live');
    if (s === undefined) return 2;
    if (parsed.right.switches.has('--check-config')) {
      process.stdout.write(`${describeServiceConfig(s.config).join('\n')}\n`);
      return 0;
    }
    const pipeline = await startLivePipeline({
      startup: s,
      env: process.env,
      sink: { kind: 'kafka' },
      ...(process.stdin.isTTY ? { promptOtp: terminalOtpPrompt } : {}),
    });
    if (pipeline === undefined) return 1;
    handleShutdownSignals(s.logger, s.config.app.shutdownGraceMs, () => pipeline.stop());
    try {
      await pipeline.service.done;
    } catch {
      await pipeline.stop();
      return 1;
    }
    await pipeline.stop();
    return 0;
  },
};
