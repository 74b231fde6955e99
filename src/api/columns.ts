// The columns resources are shown with, by `drover get` and by the Operations page alike: STATUS
// (the lifecycle: active, error), RUNTIME (what runs: pending, running:2/3, crashlooping:0/1,
// dry-run, stopped; a compute's dataplane), kubectl's AGE and the wide columns.
import type {ResourceObject} from './types.js'

export function statusColumn(r: ResourceObject): string {
  return ['Failed', 'Error'].includes(r.status.phase) ? 'error' : 'active'
}

export function runtimeColumn(r: ResourceObject): string {
  // A compute: its dataplane, and whether workers can run there.
  if (r.manifest.type === 'compute' && typeof r.status.dataplane === 'string')
    return `${r.status.dataplane}${r.status.reachable === false ? ' (unreachable)' : ''}`
  if (r.manifest.type !== 'worker') return ''
  const section = r.manifest.worker as {dryRun?: boolean} | undefined
  if (section?.dryRun) return 'dry-run'
  const phase = r.status.phase.toLowerCase()
  if (phase === 'pending' || r.status.desiredReplicas === undefined) return phase
  const blocked = r.status.conditions?.some((c) => c.type === 'Progressing' && c.reason === 'RolloutBlocked')
  return `${phase}:${r.status.readyReplicas ?? 0}/${r.status.desiredReplicas}${blocked ? ' (rollout blocked)' : ''}${r.status.stopped === true && phase !== 'stopped' ? ' (stopping)' : ''}`
}

export function wideCells(r: ResourceObject): string[] {
  const w = (r.manifest.worker ?? {}) as {stack?: string; compute?: string; replicas?: number}
  if (r.manifest.type !== 'worker') return ['', '', '', '']
  const s = r.status
  return [
    `${s.readyReplicas ?? 0}/${s.desiredReplicas ?? w.replicas ?? 1}`,
    String(w.stack ?? ''),
    String(w.compute ?? ''),
    typeof s.revision === 'string' ? s.revision : '-',
  ]
}

/** kubectl's AGE: 45s, 12m, 5h, 3d, 2y. */
export function age(since: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(since)) / 1000))
  if (seconds < 120) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 120) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 48) return `${hours}h`
  const days = Math.floor(hours / 24)
  return days < 730 ? `${days}d` : `${Math.floor(days / 365)}y`
}
