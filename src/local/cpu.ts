import { readdir, readFile } from 'node:fs/promises';

/** Linux reports process CPU time in clock ticks; USER_HZ is 100 on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds used so far by every live process in a process group (the replica and whatever it started),
 * read from /proc. Undefined where /proc is not available.
 */
export async function processGroupCpuSeconds(pgid: number): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  let ticks = 0;
  await Promise.all(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(async (pid) => {
        try {
          const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
          // Fields after the parenthesised command name: state(3) ppid(4) pgrp(5) … utime(14) stime(15).
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (Number(fields[2]) !== pgid) return;
          ticks += Number(fields[11]) + Number(fields[12]);
        } catch {
          // The process ended between readdir and readFile.
        }
      }),
  );
  return ticks / TICKS_PER_SECOND;
}
