// After the whole suite: no control plane, replica or PostgreSQL that a test started may outlive it
// (they would hold CI's output, or burn CPU). Each test file stops its own; this catches
// what a crashed test left, kills it, and says so. Only this run's: every test folder that a
// control plane or replica runs in is below the run's own folder (test/helpers: runDir()), so a
// suite running beside this one (a stress run, another checkout) keeps its processes (killing
// every /tmp/drover-* process broke a concurrent run's replicas).
import {chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import type {TestProject} from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder below which this run's tests put their homes and data folders. */
    droverRunDir: string
  }
}

function leftovers(runDir: string): {pid: number; cmdline: string}[] {
  const out: {pid: number; cmdline: string}[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\u0000', ' ')
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0]
      if (
        state === 'Z' ||
        !(cmdline.includes('drover-replica') || cmdline.includes('server/main.js') || cmdline.includes('bin/postgres '))
      )
        continue
      // A replica names its folder on its command line; a control plane has its data folder (or
      // its home) in its environment.
      const ours = (text: string) => text.includes(`${runDir}/`)
      if (ours(cmdline) || ours(readFileSync(`/proc/${entry}/environ`, 'latin1')))
        out.push({pid: Number(entry), cmdline})
    } catch {
      // gone
    }
  }
  return out
}

// A control plane run as root whose data folder sits below a folder others cannot traverse puts
// its replica folders in /var/lib/drover/<hash>: what the suite made there goes with it. Only
// folders whose data folder (their data-folder file) is gone: another suite or a control plane
// running beside this one keeps its own (removing those broke a concurrent run's replicas).
const FALLBACK = '/var/lib/drover'
const entries = () => {
  try {
    return readdirSync(FALLBACK)
  } catch {
    return []
  }
}

export default function setup(project: TestProject): () => void {
  const before = new Set(entries())
  const runDir = mkdtempSync(join(tmpdir(), 'drover-run-'))
  // Traversable (not listable) by others: isolated replicas run under uids of their own below it.
  chmodSync(runDir, 0o711)
  project.provide('droverRunDir', runDir)
  return () => {
    const left = leftovers(runDir)
    for (const p of left) {
      try {
        // A throwaway PostgreSQL (test/helpers/postgres.ts) is told to stop at once; it takes its backends.
        if (p.cmdline.includes('bin/postgres ')) process.kill(p.pid, 'SIGQUIT')
        else process.kill(p.cmdline.includes('drover-replica') ? -p.pid : p.pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
    for (const entry of entries()) {
      if (before.has(entry)) continue
      let dataFolder: string
      try {
        dataFolder = readFileSync(`${FALLBACK}/${entry}/data-folder`, 'utf8').trim()
      } catch {
        continue // not a control plane's, or one of an older version: not ours to judge
      }
      if (dataFolder && !existsSync(dataFolder)) rmSync(`${FALLBACK}/${entry}`, {recursive: true, force: true})
    }
    rmSync(runDir, {recursive: true, force: true})
    if (left.length > 0)
      console.error(
        `tests left ${left.length} processes behind (killed):\n${left.map((p) => `  ${p.pid} …${p.cmdline.slice(-160)}`).join('\n')}`,
      )
  }
}
