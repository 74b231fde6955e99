// What the control plane process needs from its host before it serves: the data folder claimed
// (one control plane per folder), the readiness handshake with whoever started it, the refusal
// to expose plain HTTP, and log lines that a full disk cannot block.
//
// Readiness handshake: when DROVER_READY_FD names an open file descriptor (the CLI passes a
// pipe as fd 3), one JSON line is written to it — {"ready":true,"url":…,"pid":…} once the
// server listens, or {"ready":false,"error":…} when it cannot start — and the fd is closed.
// Under systemd (NOTIFY_SOCKET set, the unit of `drover server install --systemd`), readiness
// is also told to systemd with systemd-notify.
import {spawn} from 'node:child_process'
import {closeSync, readFileSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import type {ServerState, localFiles} from '../api/local.js'
import {isServerProcess} from '../lib/server-process.js'
import {ConfigError, type ServerConfig} from './config.js'

export type LocalFiles = ReturnType<typeof localFiles>

export function signalReady(message: Record<string, unknown>): void {
  // Under systemd (Type=notify): READY=1 through systemd-notify, which NotifyAccess=all admits.
  if (message.ready === true && process.env.NOTIFY_SOCKET)
    spawn('systemd-notify', ['--ready', `--pid=${process.pid}`, `--status=listening at ${String(message.url)}`], {
      stdio: 'ignore',
    }).on('error', () => {})
  const fd = Number(process.env.DROVER_READY_FD)
  if (!Number.isInteger(fd) || fd < 3) return
  try {
    writeSync(fd, `${JSON.stringify(message)}\n`)
    closeSync(fd)
  } catch {
    // The starter went away; nothing to tell.
  }
}

export class AlreadyRunningError extends ConfigError {}

/**
 * Claims the data folder for this process: the pid file is created exclusively, so of two
 * control planes started at once on the same folder exactly one runs. A pid file left by a
 * process that is gone is taken over.
 */
export function claimDataDir(config: ServerConfig, files: LocalFiles): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(files.pid, `${process.pid}\n`, {mode: 0o600, flag: 'wx'})
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    const owner = Number(readFileSync(files.pid, 'utf8').trim())
    if (Number.isInteger(owner) && owner !== process.pid && isServerProcess(owner)) {
      let url = ''
      try {
        url = (JSON.parse(readFileSync(files.state, 'utf8')) as ServerState).url
      } catch {
        // still starting
      }
      throw new AlreadyRunningError(
        `a control plane is already running on ${config.dataDir} (pid ${owner}${url ? `, ${url}` : ''})`,
      )
    }
    rmSync(files.pid, {force: true})
  }
  throw new ConfigError(`cannot claim ${files.pid}`)
}

/** Removes the state and pid files, when they are still this process's. */
export function releaseDataDir(files: LocalFiles): void {
  for (const file of [files.state, files.pid]) {
    try {
      const owner =
        file === files.state
          ? (JSON.parse(readFileSync(file, 'utf8')) as ServerState).pid
          : Number(readFileSync(file, 'utf8'))
      if (owner === process.pid) rmSync(file, {force: true})
    } catch {
      // already gone
    }
  }
}

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host)

/** Plain HTTP on a non-loopback address only when asked for; TLS needs both halves. */
export function exposureCheck(config: ServerConfig): void {
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined))
    throw new ConfigError('--tls-cert and --tls-key go together')
  if (!config.tlsCert && !isLoopback(config.host) && !config.insecure) {
    throw new ConfigError(
      `refusing to serve plain HTTP on ${config.host}: API keys would cross the network in clear; give --tls-cert and --tls-key, or --insecure to accept that`,
    )
  }
}

/**
 * Log lines go to fd 1 with one write each; a line that cannot be written (disk full) is
 * dropped and counted. pino's own destination loops forever on ENOSPC in its sync flush.
 */
export function logStream(): {write(line: string): void; readonly dropped: number} {
  let dropped = 0
  return {
    get dropped() {
      return dropped
    },
    write: (line: string) => {
      try {
        writeSync(1, line)
      } catch {
        dropped++
      }
    },
  }
}
