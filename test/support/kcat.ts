import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface KcatMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: string;
  readonly partition: number;
}

/**
 * Reads a whole topic with kcat (librdkafka's CLI, an independent client), from the beginning to
 * the current end of every partition.
 */
export const readTopicWithKcat = async (broker: string, topic: string): Promise<KcatMessage[]> => {
  const { stdout } = await run(
    'kcat',
    ['-b', broker, '-t', topic, '-C', '-e', '-q', '-f', '%p\t%k\t%h\t%s\n'],
    {
      maxBuffer: 512 * 1024 * 1024,
      timeout: 120_000,
    },
  );
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const [partition = '', key = '', headers = '', ...value] = line.split('\t');
      return { partition: Number(partition), key, headers, value: value.join('\t') };
    });
};
