// Reading a stored Compute: its dataplane, and whether that is this machine (local) or a
// Kubernetes cluster of the control plane's configuration.
import {isObject, type Json} from '../lib/json.js'
import type {ComputeSpec} from './model/compute-v1.js'

/** The dataplane that means this machine: workers run as processes of the control plane. */
const LOCAL_DATAPLANE = 'local'

export function computeSpec(manifest: Json): ComputeSpec {
  return (isObject(manifest.compute) ? manifest.compute : {dataplane: LOCAL_DATAPLANE}) as ComputeSpec
}

export const dataplaneOf = (manifest: Json) => computeSpec(manifest).dataplane

export const isKubernetesCompute = (manifest: Json) => dataplaneOf(manifest) !== LOCAL_DATAPLANE

type Quantity = string | number
type Amounts = {cpu?: Quantity; memory?: Quantity}
export interface Resources {
  requests?: Amounts
  limits?: Amounts
}

/**
 * A worker's resources with its compute's defaults, as a Kubernetes LimitRange fills them: a
 * missing limit takes the default limit; a missing request takes the worker's own limit, else the
 * default request, else the default limit.
 */
export function effectiveResources(
  own: Resources | undefined,
  defaults: Resources | undefined,
): {requests: Amounts; limits: Amounts} {
  const requests: Amounts = {}
  const limits: Amounts = {}
  for (const r of ['cpu', 'memory'] as const) {
    const limit = own?.limits?.[r] ?? defaults?.limits?.[r]
    const request = own?.requests?.[r] ?? own?.limits?.[r] ?? defaults?.requests?.[r] ?? defaults?.limits?.[r]
    if (limit !== undefined) limits[r] = limit
    if (request !== undefined) requests[r] = request
  }
  return {requests, limits}
}

/**
 * A compute's status: its dataplane, and whether workers can run there: this machine always;
 * a Kubernetes dataplane when the configuration has it and it answers (`unreachable` says why not).
 */
export function computeStatusOf(
  manifest: Json,
  configured: ReadonlySet<string> = new Set(),
  unreachable?: string,
): {phase: string; dataplane: string; reachable: boolean; message?: string} {
  const dataplane = dataplaneOf(manifest)
  if (dataplane === LOCAL_DATAPLANE) return {phase: 'Active', dataplane, reachable: true}
  if (!configured.has(dataplane))
    return {
      phase: 'Active',
      dataplane,
      reachable: false,
      message: `dataplane ${dataplane} is not in this control plane's configuration (dataplanes:)`,
    }
  return unreachable === undefined
    ? {phase: 'Active', dataplane, reachable: true}
    : {phase: 'Active', dataplane, reachable: false, message: unreachable}
}
