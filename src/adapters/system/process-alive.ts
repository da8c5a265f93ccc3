/**
 * Whether a process with this pid exists. EPERM means it does, under another user: a lock or a
 * server folder it holds is still in use.
 */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};
