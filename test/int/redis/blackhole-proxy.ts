import { createServer, connect, type Socket } from 'node:net';

export interface BlackholeProxy {
  readonly url: string;
  /**
   * From now on, connections already open neither forward nor close: both ends stay connected and
   * hear nothing, as behind a dead NAT entry or a crashed host. New connections work normally.
   */
  silenceOpenConnections(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of a Redis server, to cut connections without closing them. */
export const startBlackholeProxy = async (target: {
  host: string;
  port: number;
}): Promise<BlackholeProxy> => {
  const pairs = new Set<{ client: Socket; upstream: Socket; silent: boolean }>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    const pair = { client, upstream, silent: false };
    pairs.add(pair);
    client.on('data', (d) => {
      if (!pair.silent) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!pair.silent) client.write(d);
    });
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    for (const s of [client, upstream]) {
      s.on('error', drop);
      s.on('close', drop);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `redis://127.0.0.1:${address.port}`,
    silenceOpenConnections: () => {
      for (const p of pairs) p.silent = true;
    },
    close: async () => {
      for (const p of pairs) {
        p.client.destroy();
        p.upstream.destroy();
      }
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};
