import { WebSocketServer, type WebSocket } from 'ws';

/** One client connection as the test server saw it. */
export interface SeenConnection {
  /** The request path and query, credentials included. */
  readonly url: string;
  /** Text messages the client sent, in order. */
  readonly received: string[];
  readonly socket: WebSocket;
  closed: boolean;
}

/**
 * A bare WebSocket server on 127.0.0.1 for the feed behaviours the simulator cannot stage exactly:
 * the test decides each frame, each refusal and each silence. It speaks nothing by itself.
 */
export const startFeedTestServer = async () => {
  const connections: SeenConnection[] = [];
  const refusals: number[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (_info, done) => {
      const status = refusals.shift();
      if (status === undefined) done(true);
      else done(false, status, 'refused');
    },
  });
  wss.on('connection', (socket, request) => {
    const seen: SeenConnection = { url: request.url ?? '', received: [], socket, closed: false };
    socket.on('message', (data, isBinary) => {
      if (!isBinary)
        seen.received.push(
          (Buffer.isBuffer(data)
            ? data
            : Array.isArray(data)
              ? Buffer.concat(data)
              : Buffer.from(data)
          ).toString('utf8'),
        );
    });
    socket.on('close', () => {
      seen.closed = true;
    });
    connections.push(seen);
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = wss.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  const waitFor = async <T>(what: string, check: () => T | undefined, timeoutMs = 5000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = check();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  return {
    wsUrl: `ws://127.0.0.1:${port}`,
    connections,
    /** Refuses the next handshakes with these HTTP statuses, one each. */
    refuseNext: (...statuses: number[]) => refusals.push(...statuses),
    /** The n-th connection (1-based) once it has sent its mode messages. */
    subscribed: (n: number, modeMessages = 1) =>
      waitFor(`connection ${n} to subscribe`, () => {
        const c = connections[n - 1];
        return c !== undefined && c.received.filter((m) => m.includes('"mode"')).length >= modeMessages
          ? c
          : undefined;
      }),
    waitFor,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
};
export type FeedTestServer = Awaited<ReturnType<typeof startFeedTestServer>>;
