// Leadership (server/leadership.ts) over an in-memory lease whose answers the test decides; the
// lease of PostgreSQL itself is tested in test/integration/store/postgres.test.ts, and two real
// control planes in test/integration/server/high-availability.test.ts.
import {describe, expect, it} from 'vitest'
import {Leadership, SoleLease} from '../../../src/server/leadership.js'
import type {ControlPlaneRecord, LeaseState, LeaseStore} from '../../../src/store/store.js'
import {waitFor} from '../../helpers/wait.js'

/** A lease the test controls: `renew` says what renewals answer (true, false, or a failure). */
class TestLease implements LeaseStore {
  holder: string | undefined
  epoch = 0
  renew: boolean | 'fail' = true
  released: number[] = []
  async acquireLease(holder: string): Promise<number | undefined> {
    if (this.holder) return undefined
    this.holder = holder
    return ++this.epoch
  }
  async renewLease(holder: string, epoch: number): Promise<boolean> {
    if (this.renew === 'fail') throw new Error('the database does not answer')
    return this.renew && this.holder === holder && this.epoch === epoch
  }
  async releaseLease(holder: string, epoch: number): Promise<void> {
    this.released.push(epoch)
    if (this.holder === holder) this.holder = undefined
  }
  async lease(): Promise<LeaseState> {
    return {epoch: this.epoch, ...(this.holder ? {holder: this.holder} : {})}
  }
  async heartbeat(): Promise<void> {}
  async leaveMembers(): Promise<void> {}
  async members(): Promise<ControlPlaneRecord[]> {
    return []
  }
}

const member = {id: 'me', host: 'h', url: 'http://h', pid: 1, version: '0', startedAt: '2026-12-05T00:00:00Z'}

function leadership(lease: LeaseStore, leaseMs: number, renewMs = 60_000) {
  const log: string[] = []
  const l = new Leadership({
    lease,
    member,
    leaseMs,
    renewMs,
    onLead: async (epoch) => {
      log.push(`lead ${epoch}`)
    },
    onFollow: async (reason) => {
      log.push(`follow: ${reason}`)
    },
    onError: () => {},
  })
  return {l, log}
}

describe('Leadership', () => {
  it('leads when the lease is free, renews it, and steps down when another took it', async () => {
    const lease = new TestLease()
    const {l, log} = leadership(lease, 60_000)
    await l.tick()
    expect(l.epoch()).toBe(1)
    await l.tick()
    expect(l.stats.renewals).toBe(1)
    lease.renew = false
    lease.holder = 'other'
    await l.tick()
    expect(l.leading()).toBe(false)
    expect(log).toEqual(['lead 1', 'follow: another control plane took the lease'])
    lease.holder = undefined
    await l.tick()
    expect(l.epoch()).toBe(2)
    await l.stop()
    expect(lease.released).toEqual([2])
  })

  it('leads on while the database does not answer, until its lease surely ran out', async () => {
    const lease = new TestLease()
    const {l, log} = leadership(lease, 2000)
    await l.tick()
    lease.renew = 'fail'
    await l.tick()
    expect(l.leading(), 'the lease still holds').toBe(true)
    await waitFor('the lease to run out', () => !l.leading())
    await l.tick()
    expect(log).toEqual(['lead 1', 'follow: the lease expired before it could be renewed'])
  })

  it('knows it may no longer act the moment it runs again after a pause longer than its lease', async () => {
    const lease = new TestLease()
    const {l} = leadership(lease, 1000)
    await l.tick()
    expect(l.epoch()).toBe(1)
    // As SIGSTOP would: nothing of this process runs for longer than the lease (no timer, no I/O).
    const until = performance.now() + 1050
    while (performance.now() < until) {
      // paused
    }
    expect(l.epoch(), 'no epoch to write under, before any timer ran').toBeUndefined()
  })

  it('never lapses alone on its store (SQLite): one control plane leads, epoch 1', async () => {
    const l = new Leadership({
      lease: new SoleLease(),
      member,
      leaseMs: 1,
      renewMs: 60_000,
      lapses: false,
      onLead: async () => {},
      onFollow: async () => {},
      onError: () => {},
    })
    await l.tick()
    const until = performance.now() + 5
    while (performance.now() < until) {
      // longer than its lease
    }
    expect(l.epoch()).toBe(1)
    await l.stop()
    expect(l.leading()).toBe(false)
  })
})
