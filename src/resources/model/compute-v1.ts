// Compute v1: where workers run (DataOS's `type: compute`, research/dataos-spec.md §3.4). DataOS's
// fields are kept unchanged (dataplane, purpose, nodePool) so that its Compute manifests validate;
// drover's additions (defaults, namespacePrefix) are documented as such in their descriptions.
import {z} from 'zod'
import {LABEL_KEY_PATTERN, LABEL_VALUE_PATTERN, NAMESPACE_PREFIX_PATTERN} from '../patterns.js'
import {cpuQuantity, described, memoryQuantity, metaSection, resourceName} from './common.js'

const quantities = (what: string) =>
  described(
    z.strictObject({
      cpu: described(cpuQuantity, `CPU ${what}: cores ("1", "0.5") or millicores ("500m").`).optional(),
      memory: described(memoryQuantity, `Memory ${what}: bytes or a quantity ("128Mi", "1Gi").`).optional(),
    }),
    `CPU and memory ${what}.`,
  )

const toleration = z.strictObject({
  key: described(
    z.string(),
    'Taint key the toleration matches; empty with operator Exists matches every taint.',
  ).optional(),
  operator: described(z.enum(['Equal', 'Exists']), 'Equal (key and value match) or Exists (the key alone).').default(
    'Equal',
  ),
  value: described(z.string(), 'Taint value, with operator Equal.').optional(),
  effect: described(
    z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
    'Taint effect matched; every effect when left out.',
  ).optional(),
  tolerationSeconds: described(
    z.int().min(0),
    'With NoExecute: how long the pod stays bound after the taint.',
  ).optional(),
})

const computeSection = described(
  z.strictObject({
    dataplane: resourceName(
      "Where the work runs: local (this machine) or a Kubernetes dataplane named in the control plane's configuration (dataplanes:)",
    ),
    purpose: described(
      z.enum(['runnable', 'query', 'gpu']),
      'What the compute is for: runnable (workers), query (query clusters, DataOS) or gpu.',
    ).default('runnable'),
    nodePool: described(
      z.strictObject({
        nodeSelector: described(
          z.record(z.string().regex(new RegExp(LABEL_KEY_PATTERN)), z.string().regex(new RegExp(LABEL_VALUE_PATTERN))),
          'Node labels a pod must carry to run on this compute (Kubernetes nodeSelector).',
          [{'dataos.io/purpose': 'runnable'}],
        ).optional(),
        tolerations: described(z.array(toleration), 'Node taints that pods of this compute tolerate.').optional(),
      }),
      'The Kubernetes node pool: which nodes run the pods.',
    ).optional(),
    defaults: described(
      z.strictObject({
        requests: quantities('requested by a worker that requests none (LimitRange defaultRequest)').optional(),
        limits: quantities('limit of a worker that sets none (LimitRange default)').optional(),
      }),
      "drover's addition: resources for workers that give none, as a Kubernetes LimitRange does. A worker with a limit and no request requests its limit; a utilization target is measured against the request.",
      [{requests: {cpu: '100m', memory: '256Mi'}, limits: {memory: '1Gi'}}],
    ).optional(),
    namespacePrefix: described(
      z.string().regex(new RegExp(NAMESPACE_PREFIX_PATTERN)).max(15),
      "drover's addition, Kubernetes dataplanes: the namespace of a workspace is this prefix followed by the workspace name (default: no prefix).",
      ['drover-'],
    ).optional(),
  }),
  'The Compute-specific section.',
)

export const computeManifest = z.strictObject({
  ...metaSection('compute', 'v1', 'instance'),
  compute: computeSection,
})

export type ComputeSpec = z.input<typeof computeSection>
