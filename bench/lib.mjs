// Small helpers shared by the benchmarks: timing, medians, tables.
import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import {cpus, totalmem} from 'node:os'
import {join} from 'node:path'

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

/** Wall time of one run of a command, in ms; throws when it fails. */
export function timeCommand(cmd, args, options = {}) {
  const start = process.hrtime.bigint()
  const r = spawnSync(cmd, args, {stdio: ['ignore', 'ignore', 'pipe'], ...options})
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== (options.expectStatus ?? 0))
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
  return ms
}

/**
 * Runs every variant once per round, in a new random order each round (the machines are
 * noisy; interleaving spreads the noise evenly), and returns the samples per variant.
 */
export function interleaved(variants, rounds, warmup = 3) {
  const samples = Object.fromEntries(variants.map((v) => [v.name, []]))
  for (let round = -warmup; round < rounds; round++) {
    const order = [...variants].sort(() => Math.random() - 0.5)
    for (const v of order) {
      const ms = v.run()
      if (round >= 0) samples[v.name].push(ms)
    }
  }
  return samples
}

export function machine() {
  const c = cpus()
  return `${c.length} × ${c[0]?.model.trim()}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`
}

export function table(rows, headers) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
  return [line(headers), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}

/**
 * The admin key of a control plane started on DROVER_DATA_DIR=dir/data, DROVER_CONFIG_DIR=dir/config:
 * its file is named by the product (local-admin-<hash>.key for a folder other than the default).
 */
export async function adminKey(root, dir) {
  const {localFiles} = await import(join(root, 'dist/api/local.js'))
  const files = localFiles({DROVER_DATA_DIR: join(dir, 'data'), DROVER_CONFIG_DIR: join(dir, 'config')})
  return readFileSync(files.adminKey, 'utf8').trim()
}
