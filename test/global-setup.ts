// After the whole suite: no control plane or replica that a test started may outlive it
// (they would hold CI's output, or burn CPU). Each test file stops its own; this catches
// what a crashed test left, kills it, and says so.
import {readFileSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'

function leftovers(): {pid: number; cmdline: string}[] {
  const out: {pid: number; cmdline: string}[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\u0000', ' ')
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0]
      if (state !== 'Z' && cmdline.includes(`${tmpdir()}/drover-`) && (cmdline.includes('drover-replica') || cmdline.includes('server/main.js'))) out.push({pid: Number(entry), cmdline})
    } catch {
      // gone
    }
  }
  return out
}

export default function setup(): () => void {
  return () => {
    const left = leftovers()
    for (const p of left) {
      try {
        process.kill(p.cmdline.includes('drover-replica') ? -p.pid : p.pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
    if (left.length > 0) console.error(`tests left ${left.length} processes behind (killed):\n${left.map((p) => `  ${p.pid} …${p.cmdline.slice(-160)}`).join('\n')}`)
  }
}
