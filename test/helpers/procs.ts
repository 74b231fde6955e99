// Processes as /proc shows them: to check that tests leave no replica behind.
import {readFileSync, readdirSync} from 'node:fs'

export interface Proc {
  pid: number
  cmdline: string
}

function processes(): Proc[] {
  const out: Proc[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\u0000', ' ').trim()
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0]
      if (state !== 'Z' && cmdline) out.push({pid: Number(entry), cmdline})
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** Live processes whose command line mentions `marker` (a folder unique to the test). */
export function processesWith(marker: string): Proc[] {
  return processes().filter((p) => p.cmdline.includes(marker) && p.pid !== process.pid)
}

export function pgidOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2])
  } catch {
    return undefined
  }
}

/**
 * The replica wrappers among the processes mentioning `marker`: each leads its own process group.
 * A wrapper's forks (the log pump's subshell, the program before its exec) carry the same command
 * line for a moment but not the group: counting them would count one replica twice.
 */
export function replicaWrappers(marker: string): Proc[] {
  return processesWith(marker).filter((p) => p.cmdline.includes('drover-replica') && pgidOf(p.pid) === p.pid)
}

/** SIGKILLs the process group of every replica whose files are under `dir`. */
export function killReplicasUnder(dir: string): void {
  for (const p of processesWith(dir)) {
    if (!p.cmdline.includes('drover-replica')) continue
    try {
      process.kill(-p.pid, 'SIGKILL')
    } catch {
      // gone
    }
  }
}
