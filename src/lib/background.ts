// Background work of the control plane (timers, fire-and-forget steps) goes through one helper:
// a failure is logged and counted (drover_background_failures_total), never an unhandled
// rejection that takes the process down, never silently lost.
export class Background {
  failures = 0

  constructor(private readonly report: (what: string, error: unknown) => void) {}

  failed(what: string, error: unknown): void {
    this.failures++
    try {
      this.report(what, error)
    } catch {
      // the report itself failed (a log that cannot be written): counted all the same
    }
  }

  /** Runs `task` without waiting for it. */
  run(what: string, task: () => unknown): void {
    try {
      Promise.resolve(task()).catch((error: unknown) => this.failed(what, error))
    } catch (error) {
      this.failed(what, error)
    }
  }

  /** Runs `task` every `ms`, never two at once; the timer does not keep the process alive. */
  every(ms: number, what: string, task: () => unknown): NodeJS.Timeout {
    let running = false
    const timer = setInterval(() => {
      if (running) return
      running = true
      try {
        Promise.resolve(task())
          .catch((error: unknown) => this.failed(what, error))
          .finally(() => (running = false))
      } catch (error) {
        running = false
        this.failed(what, error)
      }
    }, ms)
    timer.unref()
    return timer
  }
}
