// Worker v1beta: every field of DESIGN §2 and research/dataos-spec.md §2, DataOS names kept.
import {z} from 'zod'
import {NAME_MAX_LENGTH} from '../names.js'
import {ENV_NAME_PATTERN, FILE_NAME_PATTERN, NAME_PATTERN, STACK_REF_PATTERN, VOLUME_PATH_PATTERN} from '../patterns.js'
import {cpuQuantity, described, memoryQuantity, metaSection, resourceName, scalarText, stringList} from './common.js'

const percentage = (what: string) =>
  described(
    z.int().min(1),
    `Target average ${what} utilization of the replicas, in percent of resources.requests.${what === 'CPU' ? 'cpu' : 'memory'} (above 100 is allowed: usage beyond the request).`,
    [80],
  )

const autoscaling = described(
  z.strictObject({
    enabled: described(z.boolean(), 'Turns autoscaling on; when on, replicas is only the starting count.').default(
      true,
    ),
    minReplicas: described(z.int().min(1), 'Fewest replicas the autoscaler keeps.', [1]).default(1),
    maxReplicas: described(z.int().min(1), 'Most replicas the autoscaler starts.', [5]),
    targetCPUUtilizationPercentage: percentage('CPU').optional(),
    targetMemoryUtilizationPercentage: percentage('memory').optional(),
  }),
  'Horizontal autoscaling on CPU and memory (Kubernetes HPA semantics). Without a target it scales on CPU at 80 %. Also accepted spelled autoScaling, as DataOS samples write it.',
  [{enabled: true, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70}],
)

const quantities = (what: string) =>
  described(
    z.strictObject({
      cpu: described(cpuQuantity, `CPU ${what}, in cores ("1", 0.5) or millicores ("500m").`, ['500m']).optional(),
      memory: described(memoryQuantity, `Memory ${what}, a Kubernetes quantity ("128Mi", "1Gi") or bytes.`, [
        '256Mi',
      ]).optional(),
    }),
    `CPU and memory ${what} of each replica.`,
  )

const volumeMount = (what: string) =>
  described(
    z.strictObject({
      name: resourceName(`Name of the ${what}`),
      directory: described(
        z.string().min(1).regex(new RegExp(VOLUME_PATH_PATTERN)),
        "Where the volume appears to the program, inside the replica's folder (DataOS: the path inside the container). An absolute path is taken from the replica's folder too (/data is <replica folder>/data); '..' segments are refused.",
        ['data'],
      ),
      readOnly: described(
        z.boolean(),
        'Mount read-only for the program. Enforced where replicas have a mount namespace of their own (the control plane runs as root, or user namespaces are allowed); elsewhere the condition LimitsEnforced says it is not.',
      ).optional(),
      subPath: described(
        z.string().regex(new RegExp(VOLUME_PATH_PATTERN)),
        "Sub-folder of the volume to mount instead of its root; '..' segments are refused.",
      ).optional(),
    }),
    `A ${what} made available to every replica.`,
  )

const workerSection = described(
  z.strictObject({
    title: described(z.string(), 'Display title.').optional(),
    tags: stringList('Tags of the worker, for search and display.').optional(),
    replicas: described(
      z.int().min(0),
      'Desired number of replicas when autoscaling is off; the starting count when it is on.',
      [2],
    ).default(1),
    autoscaling: autoscaling.optional(),
    autoScaling: autoscaling.optional(),
    highAvailabilityConfig: described(
      z.strictObject({
        level: described(
          z.enum(['hostname', 'zone', 'region']),
          'Failure domain the replicas are spread across.',
        ).optional(),
        mode: described(
          z.enum(['preferred', 'required']),
          'preferred: best effort; required: do not place replicas that would share a domain.',
        ).optional(),
        tags: stringList('Tags (accepted for DataOS compatibility).').optional(),
      }),
      'Spread of replicas across failure domains; meaningful on Kubernetes, recorded on the local runtime.',
    ).optional(),
    stack: described(
      z.string().regex(new RegExp(STACK_REF_PATTERN)),
      'The Stack that runs the worker: name, name:version or name+flavor:version. Without a version the highest registered version is used.',
      ['node', 'command:1.0', 'bento+worker:3.0'],
    ),
    stackSpec: described(
      z.record(z.string(), z.unknown()),
      "The stack's own configuration, validated against the stack's schema when it declares one and handed to the program as a file.",
    ).optional(),
    compute: resourceName('Compute the worker runs on; runnable-default is the local runtime'),
    logLevel: described(
      z.enum(['INFO', 'DEBUG', 'WARN', 'ERROR']),
      'Log level handed to the program as LOG_LEVEL.',
    ).default('INFO'),
    envs: described(
      z.record(z.string().regex(new RegExp(ENV_NAME_PATTERN)), scalarText),
      'Environment variables of every replica; numbers and booleans are passed as text.',
      [{KAFKA_TOPIC: 'orders', BATCH_SIZE: 100}],
    ).optional(),
    configs: described(
      z.record(z.string().regex(new RegExp(FILE_NAME_PATTERN)), scalarText),
      "Files written into each replica's config folder (DROVER_CONFIG_DIR): file name to content.",
      [{'app.properties': 'retries=3\n'}],
    ).optional(),
    secrets: stringList(
      'Names of Secret resources in the same workspace whose keys reach the program as environment variables (deprecated in DataOS: prefer dataosSecrets).',
      [['db-credentials']],
    ).optional(),
    dataosSecrets: described(
      z.array(
        z.strictObject({
          name: resourceName('Name of the Secret'),
          workspace: described(
            z.string().regex(new RegExp(NAME_PATTERN)).max(NAME_MAX_LENGTH),
            "Workspace of the Secret; defaults to the worker's.",
          ).optional(),
          key: described(z.string(), 'Take only this key.').optional(),
          keys: stringList('Take only these keys.').optional(),
          allKeys: described(z.boolean(), 'Take every key (the default when no key or keys are given).').optional(),
          consumptionType: described(
            z.enum(['envVars', 'propFile', 'propfile', 'file']),
            'How the values reach the program: envVars (environment), propFile (one properties file) or file (one file per key, in DROVER_SECRET_DIR).',
          ).default('envVars'),
        }),
      ),
      'Secret resources to hand to the program; their values are never printed by get, logs or events.',
      [[{name: 'db-credentials', consumptionType: 'envVars'}]],
    ).optional(),
    resources: described(
      z.strictObject({
        requests: quantities('requested (the base of autoscaling utilization)').optional(),
        limits: quantities('limit').optional(),
      }),
      'CPU and memory requests and limits per replica, in Kubernetes quantity syntax.',
      [{requests: {cpu: '100m', memory: '128Mi'}, limits: {cpu: '1', memory: '1Gi'}}],
    ).optional(),
    dataosVolumes: described(
      z.array(volumeMount('Volume resource')),
      'Volume resources mounted into every replica.',
    ).optional(),
    tempVolume: resourceName(
      "Volume that holds each replica's temporary folder (DROVER_TEMP_DIR): one folder per replica, removed with it",
    ).optional(),
    persistentVolume: volumeMount('persistent Volume').optional(),
    dryRun: described(z.boolean(), 'Validate and store the worker but never start it.').default(false),
    runAsUser: described(
      z.string(),
      'User id the worker acts as; only callers allowed to act as that user may set it.',
    ).optional(),
    runAsApiKey: described(z.string(), 'API key the worker acts with; never printed.').optional(),
    topology: described(
      z.array(
        z.strictObject({
          name: described(z.string(), 'Name of the element.'),
          type: described(z.string(), 'Kind of element (e.g. input, processor, output).'),
          doc: described(z.string(), 'Description of the element.').optional(),
          properties: described(z.record(z.string(), z.unknown()), 'Free-form properties.').optional(),
          dependencies: stringList('Names of the elements this one depends on.').optional(),
        }),
      ),
      "Optional description of the worker's parts, for display.",
    ).optional(),
  }),
  'The Worker-specific section.',
)

export const workerManifest = z.strictObject({
  ...metaSection('worker', 'v1beta', 'workspace'),
  worker: workerSection,
})

/**
 * A worker section as stored: it passed validation, but defaults may be absent (hence the input
 * type). The scheduler and the server read stored workers through this type.
 */
export type WorkerSpec = z.input<typeof workerSection>
export type AutoscalingSpec = z.input<typeof autoscaling>
