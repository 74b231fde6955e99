// `drover dashboard`: a one-time login link to the Operations page of the current context's
// control plane, printed, and opened in the browser on a desktop (a display, and xdg-open or
// open). The link works once, within a minute, and opens a session with this CLI's API key's
// permissions.
import {spawn} from 'node:child_process'
import {resolveTarget} from '../context.js'
import type {Io, Outcome} from '../io.js'
import {withClient} from '../remote.js'

export async function dashboard(flags: {'no-browser'?: boolean}, io: Io): Promise<Outcome> {
  const target = resolveTarget()
  const {url, expiresAt} = await withClient(io, async (client) => {
    const token = await client.loginToken()
    return {url: new URL(token.path, client.url).toString(), expiresAt: token.expiresAt}
  })
  const opener = process.platform === 'darwin' ? 'open' : 'xdg-open'
  const desktop = process.platform === 'darwin' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  let opened = false
  if (desktop && !flags['no-browser'] && !io.json) {
    opened = await new Promise<boolean>((resolve) => {
      const child = spawn(opener, [url], {stdio: 'ignore', detached: true})
      child.once('error', () => resolve(false))
      child.once('spawn', () => {
        child.unref()
        resolve(true)
      })
    })
  }
  return {
    data: {url, expiresAt, context: target.name, opened},
    render: () =>
      `${url}\n${opened ? 'Opened in your browser. ' : ''}The link logs in once, until ${expiresAt}; run drover dashboard again for another.`,
  }
}
