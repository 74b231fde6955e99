// Whether a pid is alive, and whether it is a control plane rather than a process that reused
// the pid of one that died. Used by the CLI (to find the local server) and by the server (to
// refuse a second one on the same data directory).
import {readFileSync} from 'node:fs'
import {join} from 'node:path'

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Whether `pid` is a running control plane, not a process that reused the pid of one that died. */
export function isServerProcess(pid: number): boolean {
  if (!isAlive(pid)) return false
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(join('server', 'main.js'))
  } catch {
    return true // no /proc here: trust the pid
  }
}
