// The processes of one replica instance: how it is started (a detached sh wrapper, its own
// process group), what belongs to it, and how all of it is killed.
//
// An instance's processes are found three ways, so that nothing it started survives it, with
// or without cgroups: its process group, its cgroup (when there is one), and a marker in the
// environment of every process it starts (DROVER_INSTANCE), which a process that left the
// group (setsid, a double fork) still carries. In a PID namespace (isolation.ts) the kernel
// kills the whole namespace with its init, which covers even a process that cleared its
// environment.
import {type ChildProcess, spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {readFileSync, readdirSync} from 'node:fs'
import {type ProcStat, childrenOf} from './proc.js'

// $1: exit file; $2 and $3: perl and the log pump (log-pump.ts), or empty; the rest: the
// program. Starts the pump on a pipe (before joining cgroups: the pump's memory is not the
// replica's) and makes the pipe its own stdout and stderr, which the program inherits; joins
// the cgroups named in DROVER_CGROUP_PROCS, starts the program, and records its exit status.
// TERM and INT are trapped (not ignored: an ignored signal would be inherited by the program)
// so that the wrapper outlives the group signal and writes the status once the program is gone.
// The pump is started by a subshell that exits at once: it is no descendant of the wrapper.
const WRAPPER = `exitfile=$1; perl=$2; pump=$3; shift 3
if [ -n "$pump" ]; then
  fifo="$exitfile.pipe"
  rm -f "$fifo"; mkfifo -m 600 "$fifo" || { echo "drover: cannot make the log pipe $fifo" >&2; exit 125; }
  ( (unset DROVER_INSTANCE DROVER_CGROUP_PROCS; exec "$perl" "$pump") < "$fifo" & )
  exec > "$fifo" 2>&1
  rm -f "$fifo"
fi
for f in $DROVER_CGROUP_PROCS; do echo $$ > "$f" || { echo "drover: cannot join cgroup $f" >&2; exit 125; }; done
unset DROVER_CGROUP_PROCS
trap ':' TERM INT HUP
"$@" &
child=$!
echo $child > "$exitfile.pid"
wait $child; status=$?
while kill -0 $child 2>/dev/null; do wait $child; status=$?; done
echo $status > "$exitfile.tmp" && mv "$exitfile.tmp" "$exitfile"
exit $status`

export const MARKER_VARIABLE = 'DROVER_INSTANCE'

export const newMarker = (prefix: string) => `${prefix}-${randomBytes(8).toString('hex')}`

export interface SpawnOptions {
  exitFile: string
  command: readonly string[]
  cwd: string
  env: Record<string, string>
  /** File descriptor for stdout and stderr (the log file). */
  log: number
  /** Stamps every line with its time on its way to the log (log-pump.ts). */
  pump?: {perl: string; script: string}
}

/** Starts the wrapper, detached in its own process group. */
export function spawnWrapper(options: SpawnOptions): ChildProcess {
  const pump = options.pump ? [options.pump.perl, options.pump.script] : ['', '']
  return spawn('/bin/sh', ['-c', WRAPPER, 'drover-replica', options.exitFile, ...pump, ...options.command], {
    detached: true,
    stdio: ['ignore', options.log, options.log],
    cwd: options.cwd,
    env: options.env,
  })
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig)
  } catch {
    // gone already
  }
}

/** Pids whose environment carries the marker (processes that left the group included). */
function markedProcesses(marker: string): number[] {
  const needle = `\0${MARKER_VARIABLE}=${marker}\0`
  const out: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue
    try {
      if (`\0${readFileSync(`/proc/${entry}/environ`, 'latin1')}`.includes(needle)) out.push(Number(entry))
    } catch {
      // gone, or not ours to read
    }
  }
  return out
}

/** Kills everything of an instance: its group, its cgroup's members, and every marked process. */
export function killInstance(
  wrapperPid: number | undefined,
  marker: string | undefined,
  cgroupPids: readonly number[],
): number {
  if (wrapperPid !== undefined) signal(-wrapperPid, 'SIGKILL')
  const rest = new Set([...cgroupPids, ...(marker ? markedProcesses(marker) : [])])
  for (const pid of rest) signal(pid, 'SIGKILL')
  return rest.size
}

/** The program's pid: `depth` single children below the wrapper's child (unshare, init). */
export function programBelow(pid: number, depth: number): number | undefined {
  let current: number | undefined = pid
  for (let level = 0; level < depth && current !== undefined; level++) current = childrenOf(current)[0]
  return current
}

/** Every process, indexed by parent and by process group: built once per sampling pass. */
export interface ProcessTree {
  byParent: Map<number, ProcStat[]>
  byGroup: Map<number, ProcStat[]>
  byPid: Map<number, ProcStat>
}

export function processTree(stats: readonly ProcStat[]): ProcessTree {
  const tree: ProcessTree = {byParent: new Map(), byGroup: new Map(), byPid: new Map()}
  for (const s of stats) {
    if (s.state === 'Z') continue
    tree.byPid.set(s.pid, s)
    for (const [index, key] of [
      [tree.byParent, s.ppid],
      [tree.byGroup, s.pgrp],
    ] as const) {
      const list = index.get(key)
      if (list) list.push(s)
      else index.set(key, [s])
    }
  }
  return tree
}

/** Members of the instance: its process group and every descendant of the wrapper. */
export function instanceMembers(wrapperPid: number, tree: ProcessTree): ProcStat[] {
  const byParent = tree.byParent
  const out = new Map<number, ProcStat>()
  for (const s of tree.byGroup.get(wrapperPid) ?? []) out.set(s.pid, s)
  const queue = [wrapperPid]
  while (queue.length > 0) {
    for (const child of byParent.get(queue.pop()!) ?? []) {
      if (out.has(child.pid)) continue
      out.set(child.pid, child)
      queue.push(child.pid)
    }
  }
  const self = tree.byPid.get(wrapperPid)
  if (self) out.set(self.pid, self)
  return [...out.values()]
}
