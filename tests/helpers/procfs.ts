/** Reading processes from /proc (Linux): children of a process, and CPU time used. */
import { readdirSync, readFileSync } from 'node:fs';

/** Parent pid and CPU ticks (user + system) of a process, or undefined if it is gone. */
function stat(pid: number): { parent: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which may itself contain spaces and parentheses.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** Process ids whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  return allPids().filter((p) => stat(p)?.parent === pid);
}

/** CPU seconds used so far by a process. */
export function cpuSeconds(pid: number): number {
  return (stat(pid)?.ticks ?? 0) / 100;
}

/** CPU seconds used so far by a process and all its descendants. */
export function treeCpuSeconds(rootPid: number): number {
  const stats = new Map(allPids().map((p) => [p, stat(p)] as const));
  const inTree = (pid: number): boolean => pid === rootPid || (pid > 1 && inTree(stats.get(pid)?.parent ?? 0));
  let ticks = 0;
  for (const [pid, s] of stats) if (s && inTree(pid)) ticks += s.ticks;
  return ticks / 100;
}
