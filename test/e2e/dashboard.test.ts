// `drover dashboard` as a user runs it: the built CLI, the local control plane it starts, and
// the one-time login link it prints.
import {describe, expect, it} from 'vitest'
import {runCli} from '../helpers/run-cli.js'

describe('drover dashboard', () => {
  it('prints a link that logs in once, with the CLI’s key', async () => {
    const r = await runCli(['dashboard', '--no-browser'], {timeoutMs: 30_000})
    expect(r.code, r.stderr).toBe(0)
    const [link, note] = r.stdout.trim().split('\n')
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ui\/login\?token=[\w-]+\.[\w-]+$/)
    expect(note).toMatch(
      /^The link logs in once, until \d{4}-\d\d-\d\dT[\d:.]+Z; run drover dashboard again for another\.$/,
    )
    const first = await fetch(link!, {redirect: 'manual'})
    expect(first.status).toBe(303)
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!
    const home = await fetch(new URL('/', link), {headers: {cookie}})
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('signed in as <strong>')
    expect((await fetch(link!, {redirect: 'manual'})).status).toBe(401)
    const json = await runCli(['dashboard', '--output', 'json'], {timeoutMs: 30_000})
    expect(JSON.parse(json.stdout)).toMatchObject({context: 'local', opened: false})
    expect((await runCli(['server', 'stop'])).code).toBe(0)
  }, 60_000)
})
