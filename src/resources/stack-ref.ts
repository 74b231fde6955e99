// worker.stack references: `name`, `name:version` or `name+flavor:version`, resolved against
// the Stack resources' `stack:` sections. Without a version the highest one wins.

export interface StackRef {
  name: string
  flavor?: string
  version?: string
}

export interface StackIdentity {
  name: string
  flavor?: string
  version: string
}

/** The identity a Stack resource's `stack:` section declares, or undefined when it has none. */
export function stackIdentity(section: unknown): StackIdentity | undefined {
  if (typeof section !== 'object' || section === null) return undefined
  const s = section as Record<string, unknown>
  if (typeof s.name !== 'string' || typeof s.version !== 'string') return undefined
  return {name: s.name, ...(typeof s.flavor === 'string' ? {flavor: s.flavor} : {}), version: s.version}
}

export function parseStackRef(text: string): StackRef {
  const [head, version] = text.split(':', 2) as [string, string | undefined]
  const [name, flavor] = head.split('+', 2) as [string, string | undefined]
  return {name, ...(flavor ? {flavor} : {}), ...(version ? {version} : {})}
}

export function formatStackRef(s: StackRef): string {
  return `${s.name}${s.flavor ? `+${s.flavor}` : ''}${s.version ? `:${s.version}` : ''}`
}

/** Compares versions part by part, numerically where both parts are numbers ("1.10" > "1.9"). */
function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/)
  const pb = b.split(/[.-]/)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? ''
    const y = pb[i] ?? ''
    if (x === y) continue
    const nx = Number(x)
    const ny = Number(y)
    if (x !== '' && y !== '' && Number.isFinite(nx) && Number.isFinite(ny)) return nx - ny
    return x < y ? -1 : 1
  }
  return 0
}

/** The stack a reference names among `stacks`, or undefined. A reference without a flavor matches only stacks without one. */
export function resolveStack<T extends StackIdentity>(ref: StackRef, stacks: readonly T[]): T | undefined {
  const candidates = stacks.filter((s) => s.name === ref.name && (s.flavor ?? undefined) === (ref.flavor ?? undefined))
  if (ref.version !== undefined) return candidates.find((s) => s.version === ref.version)
  return [...candidates].sort((a, b) => compareVersions(b.version, a.version))[0]
}
