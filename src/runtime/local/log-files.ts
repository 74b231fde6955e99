// Per-replica log files. The program's stdout and stderr go straight into current.log (the
// control plane is never in the path, so logging goes on while it is down). Rotation by size is
// copy-and-truncate (the program keeps its file descriptor, opened O_APPEND); when an instance
// exits, its log becomes previous.log, and older instances shift to previous.2.log, ….
import {
  type FSWatcher,
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fstatSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  watch,
} from 'node:fs'
import {truncate} from 'node:fs/promises'
import {pipeline} from 'node:stream/promises'
import {join} from 'node:path'

export interface LogPolicy {
  /** current.log is rotated past this size. */
  maxBytes: number
  /** Rotated files kept per instance (current.log.1 …). */
  rotatedFiles: number
  /** Logs of earlier instances kept (previous.log, previous.2.log, …). */
  previousInstances: number
  /** How often sizes are looked at besides on writes (where the file system does not report them). */
  checkMs: number
}

/** On a write, the size is looked at within this long (writes in between are looked at once). */
const ROTATE_AFTER_WRITE_MS = 100

export class ReplicaLogs {
  constructor(
    readonly dir: string,
    private readonly policy: LogPolicy,
  ) {}

  get current(): string {
    return join(this.dir, 'current.log')
  }

  private previous(n: number): string {
    return join(this.dir, n === 1 ? 'previous.log' : `previous.${n}.log`)
  }

  /** A descriptor for the program's stdout and stderr. */
  open(): number {
    return openSync(this.current, 'a', 0o600)
  }

  private rotating = false
  private watcher?: FSWatcher
  private pending?: NodeJS.Timeout

  /**
   * Looks at the size within 100 ms of a write (inotify), so that rotation keeps up with a burst
   * and an idle replica costs nothing. Rotation errors go to `onError`.
   */
  watch(onError: (error: unknown) => void): void {
    this.unwatch()
    const check = () => {
      this.pending = undefined
      this.rotateIfNeeded().catch(onError)
    }
    try {
      this.watcher = watch(this.current, {persistent: false}, () => {
        if (!this.pending) this.pending = setTimeout(check, ROTATE_AFTER_WRITE_MS).unref()
      })
      this.watcher.on('error', () => this.unwatch())
    } catch {
      // no inotify here: the periodic check covers it
    }
  }

  unwatch(): void {
    this.watcher?.close()
    this.watcher = undefined
    clearTimeout(this.pending)
    this.pending = undefined
  }

  /**
   * Copy-and-truncate once current.log passes maxBytes. The copy runs off the event loop and
   * keeps only the last maxBytes (a burst between two checks would otherwise make a rotated
   * file of any size); lines written between the copy and the truncation are lost, as with
   * logrotate's copytruncate.
   */
  async rotateIfNeeded(): Promise<void> {
    if (this.rotating) return
    let size: number
    try {
      size = statSync(this.current).size
    } catch {
      return
    }
    if (size <= this.policy.maxBytes) return
    this.rotating = true
    try {
      for (let n = this.policy.rotatedFiles; n >= 2; n--) {
        const from = `${this.current}.${n - 1}`
        if (existsSync(from)) renameSync(from, `${this.current}.${n}`)
      }
      if (this.policy.rotatedFiles >= 1) {
        const start = Math.max(0, size - this.policy.maxBytes)
        // Copied aside, then renamed: a reader never sees a half-written rotated file.
        await pipeline(
          createReadStream(this.current, {start, end: size - 1}),
          createWriteStream(`${this.current}.1.tmp`, {mode: 0o600}),
        )
        renameSync(`${this.current}.1.tmp`, `${this.current}.1`)
      }
      await truncate(this.current, 0)
    } finally {
      this.rotating = false
    }
  }

  /** The instance that wrote current.log has exited: keep its log as previous.log. */
  archiveInstance(): void {
    if (!existsSync(this.current)) return
    rmSync(this.previous(this.policy.previousInstances), {force: true})
    for (let n = this.policy.previousInstances - 1; n >= 1; n--)
      if (existsSync(this.previous(n))) renameSync(this.previous(n), this.previous(n + 1))
    if (this.policy.previousInstances > 0) renameSync(this.current, this.previous(1))
    else rmSync(this.current, {force: true})
    for (let n = 1; n <= this.policy.rotatedFiles; n++) rmSync(`${this.current}.${n}`, {force: true})
  }

  /** Oldest first: the rotated files, then current.log; or the previous instance's log. */
  files(previous: boolean): string[] {
    if (previous) return existsSync(this.previous(1)) ? [this.previous(1)] : []
    const out: string[] = []
    for (let n = this.policy.rotatedFiles; n >= 1; n--)
      if (existsSync(`${this.current}.${n}`)) out.push(`${this.current}.${n}`)
    if (existsSync(this.current)) out.push(this.current)
    return out
  }
}

/** The last `count` lines of the files (oldest first), reading backwards in chunks. */
export function tailLines(files: readonly string[], count: number): string[] {
  const lines: string[] = []
  for (let f = files.length - 1; f >= 0 && lines.length < count; f--) {
    let fd: number
    try {
      fd = openSync(files[f]!, 'r')
    } catch {
      continue
    }
    try {
      // Read backwards in chunks, splitting on newline bytes: a character cut by a chunk
      // boundary stays whole because lines are decoded only once complete.
      let position = fstatSync(fd).size
      let carry = Buffer.alloc(0)
      const found: string[] = []
      while (position > 0 && found.length + lines.length <= count) {
        const size = Math.min(65_536, position)
        position -= size
        const buffer = Buffer.alloc(size)
        readSync(fd, buffer, 0, size, position)
        let chunk = Buffer.concat([buffer, carry])
        const parts: string[] = []
        for (let nl = chunk.lastIndexOf(0x0a); nl !== -1; nl = chunk.lastIndexOf(0x0a)) {
          parts.unshift(chunk.subarray(nl + 1).toString('utf8'))
          chunk = chunk.subarray(0, nl)
        }
        carry = chunk
        found.unshift(...parts)
      }
      if (position === 0 && carry.length > 0) found.unshift(carry.toString('utf8'))
      if (found.at(-1) === '') found.pop()
      lines.unshift(...found.slice(Math.max(0, found.length - (count - lines.length))))
    } finally {
      closeSync(fd)
    }
  }
  return lines.slice(Math.max(0, lines.length - count))
}

/**
 * Calls `onLine` for every line appended to `file` from `offset` on, until `signal` aborts.
 * Polls the size (inotify is not reliable on every file system the data folder may be on); a
 * file that shrank was rotated by truncation, and is read from its start again.
 */
export async function followFile(
  file: string,
  offset: number,
  onLine: (line: string) => void,
  signal: AbortSignal,
  pollMs = 200,
): Promise<void> {
  let position = offset
  let carry = ''
  while (!signal.aborted) {
    let size = 0
    try {
      size = statSync(file).size
    } catch {
      size = 0
    }
    if (size < position) position = 0
    if (size > position) {
      const fd = openSync(file, 'r')
      try {
        // At most 1 MiB a step: a burst is followed in steps, never read into memory at once.
        const buffer = Buffer.alloc(Math.min(size - position, 1024 * 1024))
        readSync(fd, buffer, 0, buffer.length, position)
        position += buffer.length
        const parts = (carry + buffer.toString('utf8')).split('\n')
        carry = parts.pop()!
        for (const line of parts) onLine(line)
      } finally {
        closeSync(fd)
      }
    }
    if (size > position) continue
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, pollMs)
      signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer)
          resolve()
        },
        {once: true},
      )
    })
  }
}
