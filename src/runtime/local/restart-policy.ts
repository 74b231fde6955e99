// When to restart a replica that exited: exponential back-off with full jitter (DESIGN §5:
// 1 s doubling to 60 s, reset after 10 min up; CrashLooping after 5 exits in 10 min). A pure
// function of the replica's exit history and the clock, so tests run it in milliseconds.

export interface RestartPolicy {
  initialBackoffMs: number
  maxBackoffMs: number
  /** A run at least this long resets the back-off. */
  resetAfterMs: number
  crashLoopThreshold: number
  crashLoopWindowMs: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialBackoffMs: 1000,
  maxBackoffMs: 60_000,
  resetAfterMs: 10 * 60_000,
  crashLoopThreshold: 5,
  crashLoopWindowMs: 10 * 60_000,
}

export interface ExitRecord {
  /** When the process started and when it exited (epoch ms). */
  startedAt: number
  exitedAt: number
}

export interface RestartDecision {
  /** Wait this long before starting again. */
  delayMs: number
  /** Exits in a row that did not reset the back-off, this one included. */
  consecutive: number
  /** At least crashLoopThreshold exits within crashLoopWindowMs. */
  crashLooping: boolean
}

/**
 * The decision after the last exit in `history` (oldest first). `random` in [0, 1) gives the
 * jitter: the delay is uniform in [cap / 2, cap] ("equal jitter", so a restart never comes
 * immediately after a crash), cap = min(max, initial × 2^(consecutive − 1)).
 */
export function decideRestart(
  history: readonly ExitRecord[],
  now: number,
  policy: RestartPolicy,
  random: () => number = Math.random,
): RestartDecision {
  let consecutive = 0
  for (let i = history.length - 1; i >= 0; i--) {
    const run = history[i]!
    if (run.exitedAt - run.startedAt >= policy.resetAfterMs) {
      // A long healthy run before this exit: back to the first step (this exit still counts).
      if (i === history.length - 1) consecutive = 1
      break
    }
    consecutive++
  }
  const cap = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.max(0, consecutive - 1))
  const delayMs = Math.round(cap / 2 + random() * (cap / 2))
  const recent = history.filter((h) => now - h.exitedAt <= policy.crashLoopWindowMs).length
  return {delayMs, consecutive, crashLooping: recent >= policy.crashLoopThreshold}
}
