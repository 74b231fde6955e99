// Kubernetes quantity syntax for worker.resources: cpu in cores or millicores ("500m", "1",
// 0.5), memory in bytes with a binary or decimal suffix ("128Mi", "1Gi", "1G", 1048576).
// Memory deliberately rejects the "m" suffix: Kubernetes reads "128m" as 0.128 bytes, a
// classic mistake that a scheduler only reports at run time.

export const CPU_PATTERN = '^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)m?$'
export const MEMORY_PATTERN = '^([0-9]+(\\.[0-9]+)?|\\.[0-9]+)([KMGTPE]i|[kMGTPE]|[eE][0-9]+)?$'

const cpuRe = new RegExp(CPU_PATTERN)
const memoryRe = new RegExp(MEMORY_PATTERN)

const memorySuffix: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
}

/** CPU quantity in cores (`"250m"` → 0.25), or undefined when it is not a CPU quantity. */
export function parseCpu(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string' || !cpuRe.test(value)) return undefined
  return value.endsWith('m') ? Number(value.slice(0, -1)) / 1000 : Number(value)
}

/** Memory quantity in bytes (`"128Mi"` → 134217728), or undefined when it is not one. */
export function parseMemory(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string' || !memoryRe.test(value)) return undefined
  const m = /^([0-9.]+)(.*)$/.exec(value)!
  const suffix = m[2]!
  if (/^[eE]/.test(suffix)) return Number(m[1]) * 10 ** Number(suffix.slice(1))
  return Number(m[1]) * memorySuffix[suffix]!
}

/** A hint for a value that is not a valid quantity, when the mistake is a common one. */
export function quantityHint(kind: 'cpu' | 'memory', value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined
  const v = value.trim()
  if (v !== value || /\s/.test(v)) return `write it without spaces, e.g. "${v.replace(/\s+/g, '')}"`
  if (kind === 'memory') {
    const milli = /^([0-9.]+)m$/.exec(v)
    if (milli) return `"m" means milli (${v} would be a thousandth of ${milli[1]} bytes); did you mean "${milli[1]}Mi"?`
    const bytes = /^([0-9.]+)\s*([kKmMgGtTpP])[bB]$/.exec(v) ?? /^([0-9.]+)\s*([kKmMgGtTpP])[iI][bB]?$/.exec(v)
    if (bytes) {
      const unit = bytes[2]!.toUpperCase()
      return `did you mean "${bytes[1]}${unit}i" (binary, as Kubernetes writes it) or "${bytes[1]}${unit === 'K' ? 'k' : unit}"?`
    }
    return 'use a Kubernetes quantity such as "128Mi" or "1Gi"'
  }
  const cores = /^([0-9.]+)\s*(cores?|cpus?)$/i.exec(v)
  if (cores) return `did you mean "${cores[1]}"?`
  const milli = /^([0-9.]+)\s*(milli(cores?|cpus?)?|mc)$/i.exec(v)
  if (milli) return `did you mean "${milli[1]}m"?`
  return 'use cores ("1", "0.5") or millicores ("500m")'
}

/** Formats bytes back as the shortest exact binary quantity (for messages). */
export function formatMemory(bytes: number): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = memorySuffix[unit]!
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`
  }
  return String(bytes)
}
