// `drover server install --systemd`: the unit it writes passes systemd's own check
// (systemd-analyze verify, without a warning), and the server tells systemd when it is ready.
import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/run-cli.js'
import {type ServerProcess, startServerProcess, tempDir} from '../helpers/server.js'
import {waitFor} from '../helpers/wait.js'

const analyze = spawnSync('systemd-analyze', ['--version']).status === 0
if (!analyze) {
  if (process.env.DROVER_REQUIRE_SYSTEMD === '1')
    throw new Error('systemd-analyze is required (DROVER_REQUIRE_SYSTEMD=1)')
  console.warn('!!! systemd unit check SKIPPED: no systemd-analyze here (apt-get install systemd)')
}

describe('server install --systemd', () => {
  const dir = tempDir('systemd')

  it.skipIf(!analyze)('writes a unit that systemd-analyze verify accepts without a warning', async () => {
    const units = join(dir, 'units')
    const r = await runCli(['server', 'install', '--systemd', '--unit-dir', units])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`wrote ${units}/drover.service\n`)
    expect(r.stdout).toContain('systemctl enable --now drover')
    const unit = readFileSync(join(units, 'drover.service'), 'utf8')
    expect(unit).toMatch(new RegExp(`^ExecStart=\\S+/node ${ROOT}/dist/server/main\\.js$`, 'm'))
    for (const line of ['Type=notify', 'Restart=on-failure', 'User=drover', 'KillMode=process', 'NoNewPrivileges=yes'])
      expect(unit.split('\n')).toContain(line)
    const verify = spawnSync('systemd-analyze', ['verify', join(units, 'drover.service')], {encoding: 'utf8'})
    expect({status: verify.status, stderr: verify.stderr, stdout: verify.stdout}).toEqual({
      status: 0,
      stderr: '',
      stdout: '',
    })
    expect((await runCli(['server', 'install', '--systemd', '--unit-dir', units])).stdout).toMatch(/^replaced /)
  })

  it('prints the unit with --print, and refuses what it cannot write', async () => {
    const printed = await runCli(['server', 'install', '--systemd', '--print', '--user', 'svc'])
    expect(printed.code).toBe(0)
    expect(printed.stdout).toContain('\nUser=svc\n')
    expect((await runCli(['server', 'install'])).code).toBe(2)
    expect((await runCli(['server', 'install', '--systemd', '--user', 'a b'])).stderr).toMatch(/--user "a b"/)
    expect((await runCli(['server', 'install', '--systemd', '--data-dir', 'relative'])).code).toBe(2)
  })

  describe('under systemd (NOTIFY_SOCKET)', () => {
    let server: ServerProcess | undefined
    afterAll(async () => server?.stop())

    it('tells systemd it is ready once it listens', async () => {
      // A stand-in for systemd-notify that writes down how it was called (no systemd runs here).
      const bin = join(dir, 'bin')
      mkdirSync(bin, {recursive: true})
      const calls = join(dir, 'notify-calls')
      writeFileSync(join(bin, 'systemd-notify'), `#!/bin/sh\necho "$@" >> ${calls}\n`)
      chmodSync(join(bin, 'systemd-notify'), 0o755)
      server = await startServerProcess({
        home: join(dir, 'cp'),
        env: {PATH: `${bin}:${process.env.PATH}`, NOTIFY_SOCKET: join(dir, 'notify')},
      })
      const line = await waitFor('systemd-notify called', () => {
        try {
          return readFileSync(calls, 'utf8') || undefined
        } catch {
          return undefined
        }
      })
      expect(line).toBe(`--ready --pid=${server.pid} --status=listening at ${server.url}\n`)
    })
  })
})
