import { readFile } from 'node:fs/promises';

/**
 * Resident memory of a process in bytes, from /proc/<pid>/status (VmRSS): what the kernel holds
 * for it, the figure a container's memory limit counts. Linux only, as the benchmark machine is.
 */
export const residentBytes = async (pid: number): Promise<number> => {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (m?.[1] === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]) * 1024;
};

export const MB = 1024 * 1024;
