// Which control plane schedules (decision 0015). Every control plane serves the API; one, the
// leader, runs the reconcilers and the autoscaler, under a lease kept in the shared store: it
// renews the lease every renewMs, and another takes it, with the next epoch, once it has not
// been renewed for leaseMs (by the database's clock). The scheduler's writes carry the epoch
// (store.fencedStore) and the store refuses them once another epoch leads; what the store
// cannot fence (a Kubernetes write) is done only while leading() holds, which this process
// decides by its own monotonic clock from when it asked for the lease: a leader paused past
// its lease (SIGSTOP, a long GC, a frozen VM) knows it may no longer act the moment it runs.
import {performance} from 'node:perf_hooks'
import type {ControlPlaneRecord, LeaseState, LeaseStore} from '../store/store.js'

export interface LeadershipOptions {
  lease: LeaseStore
  /** This control plane, as `server status` shows it. */
  member: Omit<ControlPlaneRecord, 'lastSeen'>
  leaseMs: number
  renewMs: number
  /** False for a SoleLease: nobody else can lead, so the lease never lapses by this process's clock. */
  lapses?: boolean
  /** Became the leader under `epoch`: start scheduling. */
  onLead: (epoch: number) => Promise<void>
  /** No longer the leader: stop scheduling (awaited before the lease is sought again). */
  onFollow: (reason: string) => Promise<void>
  onError: (what: string, error: unknown) => void
}

export class Leadership {
  private current: {epoch: number; since: string; deadline: number} | undefined
  private timer?: NodeJS.Timeout
  private ticking: Promise<void> | undefined
  private stopped = false
  /** Renewals that held, leases taken, leases lost: for /metrics. */
  readonly stats = {renewals: 0, acquired: 0, lost: 0}
  /** This control plane as others see it; its url is set once it listens. */
  readonly member: Omit<ControlPlaneRecord, 'lastSeen'>

  constructor(private readonly options: LeadershipOptions) {
    this.member = {...options.member}
  }

  /** The epoch this control plane leads under, while its lease surely holds; else undefined. */
  epoch(): number | undefined {
    return this.leading() ? this.current!.epoch : undefined
  }

  /** Whether the lease surely still holds: asked for less than leaseMs ago by this process's clock. */
  leading(): boolean {
    return this.current !== undefined && (this.options.lapses === false || performance.now() < this.current.deadline)
  }

  /** Since when this control plane leads (its own clock), if it does. */
  since(): string | undefined {
    return this.leading() ? this.current!.since : undefined
  }

  /** Seeks the lease at once, then every renewMs. */
  async start(): Promise<void> {
    await this.tick()
    this.timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.options.onError('lead the scheduler', error))
    }, this.options.renewMs)
    this.timer.unref()
  }

  /** One renewal (or attempt to lead); runs are never concurrent. */
  tick(): Promise<void> {
    this.ticking ??= this.renew().finally(() => {
      this.ticking = undefined
    })
    return this.ticking
  }

  private async renew(): Promise<void> {
    if (this.stopped) return
    const {lease, leaseMs} = this.options
    const member = this.member
    await lease.heartbeat(member, leaseMs * 4).catch((error: unknown) => this.options.onError('heartbeat', error))
    const asked = performance.now()
    if (this.current) {
      if (!this.leading()) return this.stepDown('the lease expired before it could be renewed')
      let renewed: boolean
      try {
        renewed = await lease.renewLease(member.id, this.current.epoch, leaseMs)
      } catch (error) {
        // The database does not answer: lead on while the lease surely holds, then stop.
        this.options.onError('renew the lease', error)
        if (!this.leading()) await this.stepDown('the lease expired: the database did not answer')
        return
      }
      if (!renewed) return this.stepDown('another control plane took the lease')
      this.stats.renewals++
      this.current.deadline = asked + leaseMs
      return
    }
    let epoch: number | undefined
    try {
      epoch = await lease.acquireLease(member.id, leaseMs)
    } catch (error) {
      this.options.onError('seek the lease', error)
      return
    }
    if (epoch === undefined || this.stopped) return
    this.stats.acquired++
    this.current = {epoch, since: new Date().toISOString(), deadline: asked + leaseMs}
    await this.options.onLead(epoch)
  }

  private async stepDown(reason: string): Promise<void> {
    if (!this.current) return
    this.current = undefined
    this.stats.lost++
    await this.options.onFollow(reason)
  }

  /** Stops seeking the lease; a leader stops scheduling and gives the lease up for another to take at once. */
  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.timer)
    await this.ticking
    const held = this.current
    if (held) {
      this.current = undefined
      await this.options.onFollow('the control plane is stopping')
      await this.options.lease.releaseLease(this.member.id, held.epoch).catch(() => undefined)
    }
    await this.options.lease.leaveMembers(this.member.id).catch(() => undefined)
  }
}

/**
 * The lease of a store one control plane owns (SQLite: the data folder is claimed by one
 * process): the one control plane always gets it, under epoch 1.
 */
export class SoleLease implements LeaseStore {
  private holder: string | undefined
  private since: string | undefined
  private member: ControlPlaneRecord | undefined

  async acquireLease(holder: string): Promise<number | undefined> {
    if (this.holder && this.holder !== holder) return undefined
    this.holder = holder
    this.since = new Date().toISOString()
    return 1
  }

  async renewLease(holder: string): Promise<boolean> {
    return this.holder === holder
  }

  async releaseLease(holder: string): Promise<void> {
    if (this.holder === holder) this.holder = undefined
  }

  async lease(): Promise<LeaseState> {
    return this.holder ? {holder: this.holder, epoch: 1, ...(this.since ? {since: this.since} : {})} : {epoch: 1}
  }

  async heartbeat(member: Omit<ControlPlaneRecord, 'lastSeen'>): Promise<void> {
    this.member = {...member, lastSeen: new Date().toISOString()}
  }

  async leaveMembers(): Promise<void> {
    this.member = undefined
  }

  async members(): Promise<ControlPlaneRecord[]> {
    return this.member ? [this.member] : []
  }
}
