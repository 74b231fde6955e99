// What the Operations page charts: per worker, a bounded ring of samples over the last hour
// (replicas running and ready against desired and against the autoscaler's recommendation, and
// each replica's CPU and memory), taken when the control plane samples its replicas. Memory is
// bounded: at most maxPoints per worker, none older than windowMs, forgotten with the worker.
import type {WorkerHistoryView} from '../api/types.js'

/** A sample: the wire's shape (GET …/history), kept as it is sent. */
export type HistoryPoint = WorkerHistoryView['points'][number]

export class WorkerHistory {
  private readonly rings = new Map<string, HistoryPoint[]>()

  constructor(
    private readonly windowMs = 3_600_000,
    private readonly maxPoints = 720,
  ) {}

  record(id: string, point: HistoryPoint): void {
    const ring = this.rings.get(id) ?? []
    ring.push(point)
    let drop = Math.max(0, ring.length - this.maxPoints)
    while (drop < ring.length && ring[drop]!.t < point.t - this.windowMs) drop++
    if (drop > 0) ring.splice(0, drop)
    this.rings.set(id, ring)
  }

  series(id: string): readonly HistoryPoint[] {
    return this.rings.get(id) ?? []
  }

  /** Forgets the workers not in `live`. */
  keep(live: ReadonlySet<string>): void {
    for (const id of this.rings.keys()) if (!live.has(id)) this.rings.delete(id)
  }
}
