// A keyed work queue in the manner of controller-runtime: a key is queued at most once, at
// most one reconcile per key runs at a time (a key added while it runs is run again after),
// failures back off exponentially per key, and every key is resynced periodically, so that a
// missed wake-up is never permanent.

export interface QueueOptions {
  concurrency: number
  initialBackoffMs: number
  maxBackoffMs: number
  resyncMs: number
  /** Every key, for the periodic resync. */
  keys: () => Promise<string[]> | string[]
  onError?: (key: string, error: unknown) => void
  /**
   * Take no key until start() (those added before are dropped): the scheduler of a control plane
   * that may not lead. start() is followed by a resync, which adds them all.
   */
  idleUntilStarted?: boolean
}

/** A reconcile; it may ask to run again after a while (nothing returned: only when something changes). */
// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is the common case
export type Handler = (key: string) => Promise<{requeueAfterMs?: number} | void>

export class WorkQueue {
  private readonly pending: string[] = []
  private readonly queued = new Set<string>()
  private readonly processing = new Set<string>()
  private readonly dirty = new Set<string>()
  private readonly failures = new Map<string, number>()
  private readonly delayed = new Map<string, {at: number; timer: NodeJS.Timeout}>()
  private resyncTimer?: NodeJS.Timeout
  private stopped = false
  private idleWaiters: (() => void)[] = []
  /** Reconciles run, for tests and metrics. */
  runs = 0

  constructor(
    private readonly handler: Handler,
    private readonly options: QueueOptions,
  ) {
    this.stopped = options.idleUntilStarted === true
  }

  /** Starts (or starts again after stop()) running keys and resyncing. */
  start(): void {
    this.stopped = false
    clearInterval(this.resyncTimer)
    this.resyncTimer = setInterval(
      () => this.resync().catch((error: unknown) => this.report('(resync)', error)),
      this.options.resyncMs,
    )
    this.resyncTimer.unref()
  }

  async resync(): Promise<void> {
    for (const key of await this.options.keys()) this.add(key)
  }

  add(key: string): void {
    if (this.stopped) return
    if (this.processing.has(key)) {
      this.dirty.add(key)
      return
    }
    if (this.queued.has(key)) return
    this.queued.add(key)
    this.pending.push(key)
    this.pump()
  }

  /** Adds the key after `ms`, unless an earlier wake-up for it is already due. */
  addAfter(key: string, ms: number): void {
    if (this.stopped) return
    const at = Date.now() + ms
    const existing = this.delayed.get(key)
    if (existing && existing.at <= at) return
    if (existing) clearTimeout(existing.timer)
    const timer = setTimeout(() => {
      this.delayed.delete(key)
      this.add(key)
    }, ms)
    timer.unref()
    this.delayed.set(key, {at, timer})
  }

  private pump(): void {
    while (!this.stopped && this.processing.size < this.options.concurrency && this.pending.length > 0) {
      const key = this.pending.shift()!
      this.queued.delete(key)
      this.processing.add(key)
      this.run(key).catch((error: unknown) => this.report(key, error))
    }
    if (this.processing.size === 0 && this.pending.length === 0) for (const w of this.idleWaiters.splice(0)) w()
  }

  private async run(key: string): Promise<void> {
    this.runs++
    try {
      const result = await this.handler(key)
      this.failures.delete(key)
      if (result?.requeueAfterMs !== undefined) this.addAfter(key, result.requeueAfterMs)
    } catch (error) {
      const n = (this.failures.get(key) ?? 0) + 1
      this.failures.set(key, n)
      this.report(key, error)
      this.addAfter(key, Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** (n - 1)))
    } finally {
      this.processing.delete(key)
      if (this.dirty.delete(key)) this.add(key)
      this.pump()
    }
  }

  /** Reports a failure; a failing reporter is not allowed to take the queue down with it. */
  private report(key: string, error: unknown): void {
    try {
      this.options.onError?.(key, error)
    } catch {
      // nothing more to do
    }
  }

  /** Resolves when nothing is queued or running (delayed keys excepted). */
  idle(): Promise<void> {
    if (this.processing.size === 0 && this.pending.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearInterval(this.resyncTimer)
    for (const d of this.delayed.values()) clearTimeout(d.timer)
    this.delayed.clear()
    this.pending.length = 0
    this.queued.clear()
    if (this.processing.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }
}
