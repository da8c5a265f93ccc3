let closed = false;

/** True once stdout's reader has gone away. */
export const stdoutClosed = (): boolean => closed;

/**
 * `tickflow replay ... | head`: once the reader of stdout is gone, every write fails with EPIPE
 * (Node ignores SIGPIPE), which crashes with a stack trace when nothing listens. Instead a running
 * command that handles SIGTERM stops as on SIGTERM (closing what it opened); otherwise the process
 * ends at once with 0, as a Unix tool does on a closed pipe.
 */
export const endQuietlyWhenStdoutCloses = (): void => {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    if (closed) return;
    closed = true;
    if (process.listenerCount('SIGTERM') > 0) process.kill(process.pid, 'SIGTERM');
    else process.exit(0);
  });
};
