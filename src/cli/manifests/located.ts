// A problem with its place in a file: what `apply --lint` prints, one per line, as
// `file:line:col: message` (the format editors and CI annotations understand).

export interface LocatedProblem {
  file: string
  line?: number
  column?: number
  /** Field path (`worker.resources.limits.memory`); absent for file-level problems. */
  field?: string
  code: string
  /** One line, without the location; includes the hint. */
  message: string
  /** A warning: printed as `file:line:col: warning: …`; the resource stays valid. */
  severity?: 'warning'
}

export function formatLocated(p: LocatedProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.column ?? 1}`
  return `${where}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`
}

export function byPosition(a: LocatedProblem, b: LocatedProblem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)
}
