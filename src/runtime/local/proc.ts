// What /proc says about processes: start time (to tell a process from one that reused its pid),
// CPU time and memory, and the members of a process group.
import {readFileSync, readdirSync} from 'node:fs'

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux build in use). */
export const TICKS_PER_SECOND = 100
const PAGE_SIZE = 4096

export interface ProcStat {
  pid: number
  state: string
  ppid: number
  pgrp: number
  /** utime + stime, in ticks. */
  cpuTicks: number
  /** Start time after boot, in ticks: with the pid, identifies the process. */
  startTicks: number
  /** Resident set size, bytes. */
  rss: number
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  // The command name (field 2) is in parentheses and may hold spaces: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return {
    pid,
    state: rest[0]!,
    ppid: Number(rest[1]),
    pgrp: Number(rest[2]),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    startTicks: Number(rest[19]),
    rss: Number(rest[21]) * PAGE_SIZE,
  }
}

/** Whether `pid` is still the process that started at `startTicks` (and not a zombie). */
export function isSameProcess(pid: number, startTicks: number): boolean {
  const stat = readStat(pid)
  return stat !== undefined && stat.startTicks === startTicks && stat.state !== 'Z'
}

/** Every process, read once: for sampling many process groups in one pass. */
export function allStats(): ProcStat[] {
  const out: ProcStat[] = []
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue
    const stat = readStat(Number(entry))
    if (stat) out.push(stat)
  }
  return out
}

/**
 * The process `pid` and its descendants, read through /proc/<pid>/task/<tid>/children: a few
 * files per replica instead of every process (the memory watchdog runs often).
 */
export function treeStats(pid: number): ProcStat[] {
  const out: ProcStat[] = []
  const queue = [pid]
  const seen = new Set<number>()
  while (queue.length > 0) {
    const current = queue.pop()!
    if (seen.has(current)) continue
    seen.add(current)
    const stat = readStat(current)
    if (!stat || stat.state === 'Z') continue
    out.push(stat)
    queue.push(...childrenOf(current))
  }
  return out
}

/** The children of `pid`, from /proc/<pid>/task/<tid>/children (every thread's). */
export function childrenOf(pid: number): number[] {
  const out: number[] = []
  let tasks: string[] = []
  try {
    tasks = readdirSync(`/proc/${pid}/task`)
  } catch {
    return out
  }
  for (const tid of tasks) {
    try {
      for (const child of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' '))
        if (child.trim()) out.push(Number(child))
    } catch {
      // gone
    }
  }
  return out
}
