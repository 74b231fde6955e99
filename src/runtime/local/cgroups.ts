// Resource limits and accounting through cgroups: v2 when the host has a writable unified
// hierarchy with the memory and cpu controllers, else v1 (these machines mount v1 memory, cpu
// and cpuacct, writable as root), else nothing — and then the runtime falls back to a memory
// watchdog and says that CPU limits are not enforced.
import {existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {LimitsSupport} from '../runtime.js'

const ROOT = '/sys/fs/cgroup'
const CFS_PERIOD_US = 100_000

export interface CgroupLayout {
  version: 1 | 2
  /** v2: the parent folder of replica cgroups. v1: per controller. */
  memory?: string
  cpu?: string
  cpuacct?: string
}

const read = (path: string) => readFileSync(path, 'utf8').trim()

function tryMkdir(path: string): boolean {
  try {
    mkdirSync(path, {recursive: true})
    return true
  } catch {
    return false
  }
}

function writable(file: string, value: string): boolean {
  try {
    writeFileSync(file, value)
    return true
  } catch {
    return false
  }
}

/** Finds what this host lets the control plane use, under a parent cgroup named `parent`. */
/** What cgroups enforce here (the runtime adds what its isolation enforces). */
export type CgroupSupport = Omit<LimitsSupport, 'readOnlyVolumes'>

export function probeCgroups(parent: string, mode: 'auto' | 'off'): {layout?: CgroupLayout; support: CgroupSupport} {
  const none = (detail: string): {support: CgroupSupport} => ({support: {memory: 'watchdog', cpu: 'none', detail}})
  if (mode === 'off')
    return none(
      'cgroups turned off (cgroups: off); memory limits are enforced by a watchdog, CPU limits are not enforced',
    )
  // v2: a unified hierarchy at the root with the controllers we need.
  const controllers = join(ROOT, 'cgroup.controllers')
  if (existsSync(controllers) && /\bmemory\b/.test(read(controllers)) && /\bcpu\b/.test(read(controllers))) {
    const dir = join(ROOT, parent)
    if (
      tryMkdir(dir) &&
      writable(join(ROOT, 'cgroup.subtree_control'), '+memory +cpu') &&
      writable(join(dir, 'cgroup.subtree_control'), '+memory +cpu')
    ) {
      return {
        layout: {version: 2, memory: dir, cpu: dir},
        support: {memory: 'cgroup-v2', cpu: 'cgroup-v2', detail: `cgroup v2 at ${dir}`},
      }
    }
  }
  // v1: one hierarchy per controller (cpu and cpuacct may share one).
  const layout: CgroupLayout = {version: 1}
  const memory = join(ROOT, 'memory')
  if (existsSync(join(memory, 'memory.limit_in_bytes')) && tryMkdir(join(memory, parent)))
    layout.memory = join(memory, parent)
  for (const name of ['cpu', 'cpu,cpuacct']) {
    const dir = join(ROOT, name)
    if (!layout.cpu && existsSync(join(dir, 'cpu.cfs_quota_us')) && tryMkdir(join(dir, parent)))
      layout.cpu = join(dir, parent)
  }
  for (const name of ['cpuacct', 'cpu,cpuacct']) {
    const dir = join(ROOT, name)
    if (!layout.cpuacct && existsSync(join(dir, 'cpuacct.usage')) && tryMkdir(join(dir, parent)))
      layout.cpuacct = join(dir, parent)
  }
  if (!layout.memory && !layout.cpu)
    return none(
      'no writable cgroup (v2 or v1) on this host; memory limits are enforced by a watchdog, CPU limits are not enforced',
    )
  return {
    layout,
    support: {
      memory: layout.memory ? 'cgroup-v1' : 'watchdog',
      cpu: layout.cpu ? 'cgroup-v1' : 'none',
      detail: [
        layout.memory
          ? `memory: cgroup v1 at ${layout.memory}`
          : 'memory: no writable cgroup, a watchdog kills replicas over their limit',
        layout.cpu ? `cpu: cgroup v1 at ${layout.cpu}` : 'cpu: no writable cgroup, CPU limits are not enforced',
      ].join('; '),
    },
  }
}

/** The cgroups of one replica instance. */
export class ReplicaCgroup {
  readonly dirs: {memory?: string; cpu?: string; cpuacct?: string}

  constructor(
    private readonly layout: CgroupLayout,
    readonly name: string,
  ) {
    this.dirs = {
      ...(layout.memory ? {memory: join(layout.memory, name)} : {}),
      ...(layout.cpu ? {cpu: join(layout.cpu, name)} : {}),
      ...(layout.cpuacct && layout.version === 1 ? {cpuacct: join(layout.cpuacct, name)} : {}),
    }
  }

  /** Creates the folders and sets the limits (bytes, cores). */
  create(limits: {memory?: number; cpu?: number}): void {
    const dirs = [...new Set(Object.values(this.dirs))]
    for (const dir of dirs) mkdirSync(dir, {recursive: true})
    if (this.layout.version === 2) {
      const dir = this.dirs.memory!
      if (limits.memory !== undefined) writeFileSync(join(dir, 'memory.max'), String(Math.floor(limits.memory)))
      if (limits.cpu !== undefined)
        writeFileSync(
          join(dir, 'cpu.max'),
          `${Math.max(1000, Math.round(limits.cpu * CFS_PERIOD_US))} ${CFS_PERIOD_US}`,
        )
      return
    }
    if (this.dirs.memory && limits.memory !== undefined)
      writeFileSync(join(this.dirs.memory, 'memory.limit_in_bytes'), String(Math.floor(limits.memory)))
    if (this.dirs.cpu && limits.cpu !== undefined) {
      writeFileSync(join(this.dirs.cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US))
      writeFileSync(
        join(this.dirs.cpu, 'cpu.cfs_quota_us'),
        String(Math.max(1000, Math.round(limits.cpu * CFS_PERIOD_US))),
      )
    }
  }

  /** The cgroup.procs files a process writes its pid into to join. */
  procsFiles(): string[] {
    return [...new Set(Object.values(this.dirs))].map((d) => join(d, 'cgroup.procs'))
  }

  /** CPU time used, nanoseconds. */
  cpuNanos(): number | undefined {
    try {
      if (this.layout.version === 2) {
        const m = /usage_usec (\d+)/.exec(read(join(this.dirs.cpu!, 'cpu.stat')))
        return m ? Number(m[1]) * 1000 : undefined
      }
      return this.dirs.cpuacct ? Number(read(join(this.dirs.cpuacct, 'cpuacct.usage'))) : undefined
    } catch {
      return undefined
    }
  }

  /** Working set in bytes: usage minus inactive file cache (what Kubernetes compares with limits). */
  memoryBytes(): number | undefined {
    if (!this.dirs.memory) return undefined
    try {
      const v2 = this.layout.version === 2
      const usage = Number(read(join(this.dirs.memory, v2 ? 'memory.current' : 'memory.usage_in_bytes')))
      const stat = read(join(this.dirs.memory, 'memory.stat'))
      const inactive = Number(
        new RegExp(`^${v2 ? 'inactive_file' : 'total_inactive_file'} (\\d+)$`, 'm').exec(stat)?.[1] ?? 0,
      )
      return Math.max(0, usage - inactive)
    } catch {
      return undefined
    }
  }

  /** How many times the kernel's OOM killer fired in this cgroup. */
  oomKills(): number {
    if (!this.dirs.memory) return 0
    try {
      const text = read(join(this.dirs.memory, this.layout.version === 2 ? 'memory.events' : 'memory.oom_control'))
      return Number(/^oom_kill (\d+)$/m.exec(text)?.[1] ?? 0)
    } catch {
      return 0
    }
  }

  /** Pids still in the cgroup (children that left the process group included). */
  pids(): number[] {
    const out = new Set<number>()
    for (const file of this.procsFiles()) {
      try {
        for (const line of read(file).split('\n')) if (line) out.add(Number(line))
      } catch {
        // gone already
      }
    }
    return [...out]
  }

  remove(): void {
    for (const dir of [...new Set(Object.values(this.dirs))]) {
      try {
        rmdirSync(dir)
      } catch {
        // still busy or gone; a later remove (or the next start) cleans it
      }
    }
  }
}
