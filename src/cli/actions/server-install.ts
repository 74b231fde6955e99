// `drover server install --systemd`: the control plane as a system service. Writes a unit that
// runs this package's server on this package's Node, as a dedicated user, restarted on failure,
// ready when it says so (Type=notify: the server calls systemd-notify once it listens), with the
// hardening that does not break the local runtime, and prints how to enable it.
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {UsageError} from '../errors.js'
import type {Io, Outcome} from '../io.js'
import {serverMainPath} from '../local-server.js'

export interface InstallFlags {
  systemd: boolean
  user?: string
  'unit-dir'?: string
  'data-dir'?: string
  'config-dir'?: string
  print?: boolean
}

interface UnitOptions {
  node: string
  main: string
  user: string
  dataDir: string
  configDir: string
}

/** The unit file; every line is a choice README ("Running as a service") explains. */
function systemdUnit(o: UnitOptions): string {
  return `# drover control plane; written by \`drover server install --systemd\`.
[Unit]
Description=drover control plane
After=network-online.target
Wants=network-online.target

[Service]
# Ready when it listens: the server tells systemd (systemd-notify, hence NotifyAccess=all).
Type=notify
NotifyAccess=all
ExecStart=${o.node} ${o.main}
# Settings: ${o.configDir}/server.yaml, then DROVER_* here (or in a drop-in), as README says.
Environment=DROVER_DATA_DIR=${o.dataDir} DROVER_CONFIG_DIR=${o.configDir} DROVER_LOG_LEVEL=info
User=${o.user}
Group=${o.user}
StateDirectory=${o.dataDir.replace(/^\/var\/lib\//, '')}
ConfigurationDirectory=${o.configDir.replace(/^\/etc\//, '')}
ReadWritePaths=${o.dataDir} ${o.configDir}
Restart=on-failure
RestartSec=2
TimeoutStopSec=45
# Replicas outlive a restart of the control plane, which adopts them (README "Running workers"):
# only the server is stopped, and it manages the cgroups of its replicas below its own.
KillMode=process
Delegate=yes
# Hardening that the local runtime does not need to get around.
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
ProtectKernelTunables=yes
RestrictSUIDSGID=yes
LockPersonality=yes

[Install]
WantedBy=multi-user.target
`
}

const NAME = /^[a-z_][a-z0-9_-]{0,31}$/

export async function serverInstall(flags: InstallFlags, _io: Io): Promise<Outcome> {
  if (!flags.systemd) throw new UsageError('say which service manager: --systemd (the only one so far)')
  const user = flags.user ?? 'drover'
  if (!NAME.test(user)) throw new UsageError(`--user ${JSON.stringify(user)}: a system user name (a-z, 0-9, _ and -)`)
  const absolute = (flag: string, value: string) => {
    if (!value.startsWith('/') || /\s/.test(value))
      throw new UsageError(`--${flag} ${JSON.stringify(value)}: an absolute path without spaces`)
    return value.replace(/\/+$/, '')
  }
  const dataDir = absolute('data-dir', flags['data-dir'] ?? '/var/lib/drover')
  const configDir = absolute('config-dir', flags['config-dir'] ?? '/etc/drover')
  if (!dataDir.startsWith('/var/lib/') || !configDir.startsWith('/etc/'))
    throw new UsageError(
      '--data-dir must be below /var/lib and --config-dir below /etc (systemd creates them for the user)',
    )
  const unit = systemdUnit({node: process.execPath, main: serverMainPath(), user, dataDir, configDir})
  if (flags.print) return {data: {unit}, render: () => unit.trimEnd()}
  const unitDir = absolute('unit-dir', flags['unit-dir'] ?? '/etc/systemd/system')
  const path = join(unitDir, 'drover.service')
  const replaced = existsSync(path)
  mkdirSync(unitDir, {recursive: true})
  writeFileSync(path, unit, {mode: 0o644})
  const next = [
    `id ${user} >/dev/null 2>&1 || useradd --system --home-dir ${dataDir} --shell /usr/sbin/nologin ${user}`,
    'systemctl daemon-reload',
    'systemctl enable --now drover',
    'journalctl -u drover -f   # its log: JSON lines',
  ]
  return {
    data: {unit: path, replaced, next},
    render: () =>
      `${replaced ? 'replaced' : 'wrote'} ${path}\nto run it now and at every boot (as root):\n${next.map((l) => `  ${l}`).join('\n')}`,
  }
}
