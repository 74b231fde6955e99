// After the whole suite: no control plane or replica that a test started may outlive it
// (they would hold CI's output, or burn CPU). Each test file stops its own; this catches
// what a crashed test left, kills it, and says so.
import {existsSync, readFileSync, readdirSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'

function leftovers(): {pid: number; cmdline: string}[] {
  const out: {pid: number; cmdline: string}[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\u0000', ' ')
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0]
      if (
        state !== 'Z' &&
        cmdline.includes(`${tmpdir()}/drover-`) &&
        (cmdline.includes('drover-replica') || cmdline.includes('server/main.js'))
      )
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

export default function setup(): () => void {
  const before = new Set(entries())
  return () => {
    const left = leftovers()
    for (const p of left) {
      try {
        process.kill(p.cmdline.includes('drover-replica') ? -p.pid : p.pid, 'SIGKILL')
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
    if (left.length > 0)
      console.error(
        `tests left ${left.length} processes behind (killed):\n${left.map((p) => `  ${p.pid} …${p.cmdline.slice(-160)}`).join('\n')}`,
      )
  }
}
