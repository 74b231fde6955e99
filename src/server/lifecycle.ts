// The control plane's life once it is wired (main.ts): adopt what runs, start the scheduler,
// listen, say so; on SIGTERM or SIGINT close everything and leave the replicas running (the
// next control plane adopts them); on SIGUSR2 (`drover server stop --stop-workers`) stop them
// first. A shutdown longer than shutdownTimeoutMs, or a second signal, exits at once.
import {writeFileSync} from 'node:fs'
import type {FastifyInstance} from 'fastify'
import type {ServerState} from '../api/local.js'
import type {Background} from '../lib/background.js'
import type {ClusterDataplane, WorkloadRuntime} from '../runtime/runtime.js'
import {redactUrl} from '../lib/redact-url.js'
import type {LeaseStore, ResourceStore} from '../store/store.js'
import type {ServerConfig} from './config.js'
import {type LocalFiles, isLoopback, releaseDataDir, signalReady} from './host.js'
import type {Leadership} from './leadership.js'

export interface ControlPlane {
  config: ServerConfig
  files: LocalFiles
  version: string
  app: FastifyInstance
  store: ResourceStore & {unwritable?: string; probeWrite(): Promise<void>}
  runtime: WorkloadRuntime
  /** Kubernetes dataplanes: their watches stop with the control plane, their pods run on. */
  dataplanes: ClusterDataplane[]
  /** Whether this control plane schedules: the queue and the autoscaler run while it leads. */
  leadership: Leadership
  /** The scheduler's lease and the control planes sharing the store (server status). */
  lease: LeaseStore
  /** Samples the replicas' CPU and memory (get runtime, the autoscaler, the page's charts). */
  sample: () => Promise<void>
  background: Background
  /** Set once the control plane serves; /readyz reads it. */
  readiness: {ready: boolean}
  /** Said in the start-up log: how replicas are kept apart. */
  isolationNote: {level: 'info' | 'warn'; fields: Record<string, unknown>; message: string}
}

export async function run(plane: ControlPlane): Promise<void> {
  const {config, files, app, store, runtime, leadership, background} = plane
  // Replicas left running by an earlier control plane are taken over before anything is started.
  await runtime.adopt()
  for (const dataplane of plane.dataplanes) dataplane.start()
  const sampler = background.every(config.sampleMs, 'sample replicas', plane.sample)
  // While the store cannot write, try a write every 2 s: /readyz turns ready again by itself.
  const storeProbe = background.every(2000, 'probe the store', async () => {
    if (store.unwritable) await store.probeWrite().catch(() => undefined)
  })

  await app.listen({host: config.host, port: config.port})
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  const url = `${config.tlsCert ? 'https' : 'http'}://${host}:${port}`
  const state: ServerState = {pid: process.pid, url, startedAt: new Date().toISOString(), version: plane.version}
  writeFileSync(files.state, `${JSON.stringify(state)}\n`, {mode: 0o600})
  // The scheduler runs while this control plane leads: at once alone, after the lease shared.
  leadership.member.url = url
  await leadership.start()
  plane.readiness.ready = true
  app.log.info(
    {
      url,
      dataDir: config.dataDir,
      store: config.store === 'sqlite' ? 'sqlite' : redactUrl(config.store),
      version: plane.version,
    },
    'control plane ready',
  )
  const note = plane.isolationNote
  app.log[note.level](note.fields, note.message)
  if (!config.tlsCert && !isLoopback(config.host))
    app.log.warn(
      {host: config.host},
      'serving plain HTTP on a non-loopback address (--insecure): API keys cross the network in clear',
    )
  signalReady({ready: true, ...state})

  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) {
      app.log.warn({signal}, 'second signal: exiting now')
      process.exit(1)
    }
    closing = true
    plane.readiness.ready = false
    app.log.info({signal}, 'shutting down')
    setTimeout(() => {
      app.log.error({timeoutMs: config.shutdownTimeoutMs}, 'shutdown took too long: exiting now')
      process.exit(1)
    }, config.shutdownTimeoutMs).unref()
    clearInterval(sampler)
    clearInterval(storeProbe)
    await leadership.stop()
    if (signal === 'SIGUSR2') await Promise.all(runtime.keys().map((key) => runtime.remove(key)))
    await runtime.close()
    await Promise.all(plane.dataplanes.map((d) => d.close()))
    await app.close()
    await store.close()
    releaseDataDir(files)
    process.exit(0)
  }
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGUSR2'] as const) {
    process.on(signal, () => background.run(`shut down on ${signal}`, () => shutdown(signal)))
  }
}
