// `drover version`: the CLI's version, and the control plane's (kubectl version). The local
// control plane is asked only when it runs: a version question never starts it.
import {packageVersion} from '../../lib/package-root.js'
import {resolveTarget} from '../context.js'
import {DroverError, EXIT} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {runningServer} from '../local-server.js'
import {withClient} from '../remote.js'

interface Versions {
  client: {version: string; node: string; platform: string}
  server?: {url?: string; version?: string; running: boolean; error?: string}
}

export async function version(flags: {client: boolean}, io: Io): Promise<Outcome> {
  const data: Versions = {
    client: {version: packageVersion(), node: process.version, platform: `${process.platform}-${process.arch}`},
  }
  let exitCode: (typeof EXIT)[keyof typeof EXIT] = EXIT.ok
  if (!flags.client) {
    const target = resolveTarget()
    if (target.kind === 'local' && !runningServer()) data.server = {running: false}
    else
      try {
        data.server = await withClient(io, async (client) => ({
          url: client.url,
          running: true,
          version: (await client.health()).version,
        }))
      } catch (error) {
        if (!(error instanceof DroverError)) throw error
        data.server = {running: false, error: error.message, ...(target.kind === 'remote' ? {url: target.url} : {})}
        exitCode = error.exitCode
      }
  }
  const render = () => {
    const lines = [`client: drover ${data.client.version} (node ${data.client.node}, ${data.client.platform})`]
    const s = data.server
    if (s?.error) lines.push(`control plane: ${s.error}`)
    else if (s?.running) lines.push(`control plane: drover ${s.version ?? 'unknown'} at ${s.url}`)
    else if (s) lines.push('control plane: the local one is not running (any command starts it)')
    return lines.join('\n')
  }
  return {data, render, exitCode}
}
