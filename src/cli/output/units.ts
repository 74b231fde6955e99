// Quantities for people: CPU in millicores or cores, memory in binary units.

export function formatCores(cores: number | undefined): string {
  if (cores === undefined) return '-'
  return cores < 1 ? `${Math.round(cores * 1000)}m` : `${Math.round(cores * 100) / 100}`
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return '-'
  for (const [unit, size] of [
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const) {
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10}${unit}`
  }
  return `${bytes}B`
}

/** "300", "300s", "5m", "1h", "250ms" → milliseconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim())
  if (!m) return undefined
  const n = Number(m[1])
  return n * ({ms: 1, s: 1000, m: 60_000, h: 3_600_000}[m[2] ?? 's'] ?? 1000)
}

/** 50 ms, 2 s, 1.5 s, 3 min: the --timeout a user gave, said back the way they would say it. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`
  return `${Number((ms / 1000).toFixed(1))} s`
}
