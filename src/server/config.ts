// Server configuration: defaults < config file < DROVER_* environment < flags, parsed once and
// validated with zod. Every server setting comes from here; main.ts reads the environment only
// for process plumbing (the readiness fd, the API key it must not hand to replicas).
import {existsSync, readFileSync} from 'node:fs'
import {userInfo} from 'node:os'
import {parseArgs} from 'node:util'
import {parse as parseYaml} from 'yaml'
import {z} from 'zod'
import {DEFAULT_PORT, configDir, dataDir, localFiles} from '../api/local.js'
import {parseCpu, parseMemory} from '../resources/quantity.js'

const MiB = 1024 * 1024
const ms = (fallback: number) => z.coerce.number().int().min(0).default(fallback)
const flag = (fallback: boolean) =>
  z.preprocess((v) => (typeof v === 'boolean' ? String(v) : v), z.stringbool()).default(fallback)
/** Settings given as bare flags (--single-tenant) rather than with a value. */
const BOOLEAN_FLAGS = new Set(['singleTenant', 'insecure', 'ha'])

/** A Kubernetes cluster that runs the workers of computes naming it (config file only). */
const dataplaneSchema = z.strictObject({
  /** A kubeconfig file; without one, the pod's service account (the control plane runs in the cluster). */
  kubeconfig: z.string().min(1).optional(),
  /** A context of that kubeconfig (default: its current context). */
  context: z.string().min(1).optional(),
})

const serverConfigSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(DEFAULT_PORT),
  dataDir: z.string().min(1),
  configDir: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  bodyLimit: z.coerce
    .number()
    .int()
    .min(1024)
    .default(5 * MiB),
  eventsPerResource: z.coerce.number().int().min(1).max(10_000).default(100),
  synchronous: z.enum(['FULL', 'NORMAL']).default('FULL'),
  /**
   * Where resources, users and events are kept: `sqlite` (a file in the data folder, the
   * default) or a PostgreSQL URL, `postgres://user:password@host:5432/drover` (libpq's
   * `?host=/socket/folder` and `sslmode` understood). Also DROVER_STORE_URL.
   */
  store: z
    .string()
    .refine((v) => v === 'sqlite' || /^postgres(ql)?:\/\//.test(v), 'sqlite, or a postgres://… URL')
    .default('sqlite'),
  /**
   * Highly available: one of several control planes on one PostgreSQL store (README "Running
   * highly available"). Workers then run on Kubernetes dataplanes only.
   */
  ha: flag(false),
  /** The scheduler's lease (a shared store): another control plane leads when it was not renewed for this long. */
  leaseMs: z.coerce.number().int().min(1000).max(600_000).default(15_000),
  /** How often the leader renews its lease (and every control plane says it is alive). */
  leaseRenewMs: z.coerce.number().int().min(100).max(300_000).default(5000),
  /**
   * The key secret values are encrypted with (created on first start). Control planes sharing a
   * store must share it. Default: encryption.key in the config folder.
   */
  encryptionKeyFile: z.string().min(1).optional(),
  /** The local admin, created on first start; its key goes to local-admin.key. */
  adminUser: z
    .string()
    .regex(/^[a-z_][-a-z0-9_.]{0,63}$/i)
    .default(() => safeUserName()),

  // Supervision (DESIGN §5). Every timing is a setting, which is how tests run in milliseconds.
  restartInitialBackoffMs: ms(1000),
  restartMaxBackoffMs: ms(60_000),
  restartResetAfterMs: ms(600_000),
  crashLoopThreshold: z.coerce.number().int().min(1).default(5),
  crashLoopWindowMs: ms(600_000),
  stopGraceMs: ms(30_000),
  minReadyMs: ms(1000),
  exitPollMs: ms(1000),
  progressPollMs: ms(500),
  /** How often CPU and memory of replicas are sampled (get runtime, the autoscaler). */
  sampleMs: ms(5000),
  resyncMs: ms(30_000),
  reconcileConcurrency: z.coerce.number().int().min(1).max(256).default(8),
  logMaxBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(10 * MiB),
  logRotatedFiles: z.coerce.number().int().min(0).max(20).default(2),
  logPreviousInstances: z.coerce.number().int().min(0).max(20).default(2),
  logCheckMs: z.coerce.number().int().min(10).max(60_000).default(1000),
  cgroups: z.enum(['auto', 'off']).default('auto'),
  cgroupParent: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('drover'),
  /** How often the memory watchdog samples replicas that no cgroup limits. */
  watchdogMs: z.coerce.number().int().min(10).max(1000).default(50),

  // Security (README "Security model").
  /** Replica isolation: auto (the strongest the host allows) or off. */
  isolation: z.enum(['auto', 'off']).default('auto'),
  /** Not root: trust every workspace writer like the control plane's own user. */
  singleTenant: flag(false),
  /** Where replica and volume folders go; default <dataDir>, or a folder isolated replicas can reach. */
  runtimeDir: z.string().min(1).optional(),
  /** The most replicas a worker may ask for. */
  maxReplicas: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Nesting depth of request bodies (the manifest reader allows 100). */
  maxBodyDepth: z.coerce.number().int().min(8).max(1000).default(128),
  tlsCert: z.string().min(1).optional(),
  tlsKey: z.string().min(1).optional(),
  /** Serve plain HTTP on an address other than loopback. */
  insecure: flag(false),
  /** A graceful shutdown that takes longer is cut short (a second signal cuts it at once). */
  shutdownTimeoutMs: ms(15_000),

  // The autoscaler (Kubernetes HPA defaults).
  autoscalePeriodMs: ms(15_000),
  autoscaleTolerance: z.coerce.number().min(0).max(1).default(0.1),
  scaleDownStabilizationMs: ms(300_000),
  scaleUpLimitPods: z.coerce.number().int().min(1).default(4),
  scaleUpLimitPercent: z.coerce.number().min(1).default(100),
  defaultCpuTarget: z.coerce.number().int().min(1).default(80),
  cpuInitializationMs: ms(300_000),
  /**
   * The requests a worker's utilization targets are measured against when it sets none (DataOS
   * fills them from the compute; a Compute resource will own these, issue 10).
   */
  defaultCpuRequest: z
    .string()
    .refine((v) => (parseCpu(v) ?? 0) > 0, 'must be a CPU quantity such as 100m or 0.5')
    .default('100m'),
  defaultMemoryRequest: z
    .string()
    .refine((v) => (parseMemory(v) ?? 0) > 0, 'must be a memory quantity such as 256Mi or 1Gi')
    .default('256Mi'),

  /**
   * Kubernetes dataplanes by name (what a Compute's `dataplane` names): `hub: {kubeconfig:
   * /etc/drover/hub.kubeconfig, context: prod}`. Cluster credentials live here, never in resources.
   * `local` is this machine and cannot be redefined.
   */
  dataplanes: z
    .record(
      z
        .string()
        .regex(/^[a-z]([-a-z0-9]*[a-z0-9])?$/, 'a dataplane name is lowercase letters, digits and -')
        .refine((n) => n !== 'local', 'local is this machine'),
      dataplaneSchema,
    )
    .default({}),
})

export type ServerConfig = z.infer<typeof serverConfigSchema>

function safeUserName(): string {
  try {
    const name = userInfo().username.toLowerCase()
    return /^[a-z_][-a-z0-9_.]{0,63}$/.test(name) ? name : 'admin'
  } catch {
    return 'admin'
  }
}

export class ConfigError extends Error {}

/** Settings only a config file can give (nested ones). */
const FILE_ONLY = new Set<string>(['dataplanes'])
const KEYS = (Object.keys(serverConfigSchema.shape) as (keyof ServerConfig)[]).filter((k) => !FILE_ONLY.has(k))
const envName = (key: string) => `DROVER_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
const flagName = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)

/** `--port 0 --data-dir /x --config file.yaml` etc.; DROVER_PORT, DROVER_DATA_DIR, …; the config file. */
export function loadServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig {
  let values: Record<string, string | undefined>
  try {
    const options = Object.fromEntries([
      ...KEYS.map((k) => [flagName(k), {type: BOOLEAN_FLAGS.has(k) ? ('boolean' as const) : ('string' as const)}]),
      ['config', {type: 'string' as const}],
    ])
    values = parseArgs({args: [...argv], options, strict: true, allowPositionals: false}).values as Record<
      string,
      string | undefined
    >
  } catch (error) {
    throw new ConfigError((error as Error).message)
  }
  const file =
    values.config ??
    env.DROVER_CONFIG ??
    (existsSync(localFiles(env).serverConfig) ? localFiles(env).serverConfig : undefined)
  let fromFile: Record<string, unknown> = {}
  if (file) {
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'))
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed)))
        throw new Error('must be a mapping of settings')
      fromFile = (parsed ?? {}) as Record<string, unknown>
    } catch (error) {
      throw new ConfigError(`${file}: ${(error as Error).message}`)
    }
  }
  const merged: Record<string, unknown> = {dataDir: dataDir(env), configDir: configDir(env), ...fromFile}
  // The name libraries and images use for a store URL; DROVER_STORE and --store win over it.
  if (env.DROVER_STORE_URL) merged.store = env.DROVER_STORE_URL
  for (const key of KEYS) {
    const fromEnv = env[envName(key)]
    if (fromEnv !== undefined && fromEnv !== '') merged[key] = fromEnv
    const fromFlag = values[flagName(key)] as string | boolean | undefined
    if (fromFlag !== undefined) merged[key] = String(fromFlag)
  }
  const result = serverConfigSchema
    .refine((c) => !c.ha || c.store !== 'sqlite', {
      path: ['ha'],
      message: 'needs a PostgreSQL store shared by the control planes (--store postgres://…)',
    })
    .refine((c) => c.leaseRenewMs * 2 <= c.leaseMs, {
      path: ['leaseRenewMs'],
      message: 'must be at most half of leaseMs, so that a renewal can fail once without losing the lease',
    })
    .safeParse(merged)
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`)
    throw new ConfigError(`invalid configuration${file ? ` (file ${file})` : ''}: ${issues.join('; ')}`)
  }
  return result.data
}
