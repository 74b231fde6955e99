// How replicas are kept apart from the control plane and from each other (DESIGN §6).
//
// - uid (the control plane is root, util-linux's unshare and setpriv work): every workspace's
//   replicas run under a uid and gid of their own, allocated by drover from systemd's
//   DynamicUser range and recorded in <state>/uids.json, with no supplementary groups and
//   no_new_privs, in a fresh PID namespace with a private /proc. They cannot see the control
//   plane's processes or environment, cannot signal it, and cannot read its 0600/0700 files,
//   nor another workspace's folders (0700, owned by that workspace's uid).
// - pid-namespace (not root, unprivileged user namespaces allowed): a private PID namespace and
//   /proc, as the control plane's own user. Every descendant of a replica dies with it, but the
//   replica can read what that user can: single tenant (permissions.ts).
// - none: plain process groups, as the control plane's own user; descendants that leave the
//   group are found by the marker every replica carries in its environment (processes.ts).
//
// Inside a namespace the program is not pid 1: a small sh init is, so that SIGTERM reaches the
// program with its usual meaning (the kernel drops signals to a pid 1 that has no handler), and
// when the init exits the kernel kills whatever is left in the namespace.
import {spawnSync} from 'node:child_process'
import {accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'

type IsolationKind = 'uid' | 'pid-namespace' | 'none'

export interface Identity {
  uid: number
  gid: number
}

/** systemd's DynamicUser range: uids no distribution hands out to regular users. */
const UID_RANGE: readonly [number, number] = [61184, 65519]

/**
 * Run first in a replica's own mount namespace (private propagation: nothing leaks to the host):
 * bind-mounts each of N volume folders read-only over its mount point, then execs the rest. A mount
 * that fails fails the start (exit 126), never a silently writable volume.
 */
const READ_ONLY = `n=$1; shift
while [ "$n" -gt 0 ]; do
  mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || { echo "drover: cannot mount $2 read-only" >&2; exit 126; }
  shift 2; n=$((n-1))
done
exec "$@"`

export interface ReadOnlyMount {
  source: string
  target: string
}

const readOnlyFirst = (mounts: readonly ReadOnlyMount[] | undefined): string[] =>
  mounts && mounts.length > 0
    ? [
        '/bin/sh',
        '-c',
        READ_ONLY,
        'drover-mount',
        String(mounts.length),
        ...mounts.flatMap((m) => [m.source, m.target]),
      ]
    : []

/** unshare's options: a PID namespace of its own, with its own /proc, killed with its parent. */
const PID_NAMESPACE = ['--pid', '--fork', '--mount-proc', '--kill-child', '--']

/** setpriv's options: run as `uid`, no extra groups, no privileges to gain. */
const asUser = (setpriv: string, uid: number, gid: number) => [
  setpriv,
  `--reuid=${uid}`,
  `--regid=${gid}`,
  '--clear-groups',
  '--no-new-privs',
  '--',
]

const init = (program: readonly string[]) => ['/bin/sh', '-c', INIT, 'drover-init', ...program]

const INIT = `trap ':' TERM INT HUP
"$@" &
child=$!
wait $child; status=$?
while kill -0 $child 2>/dev/null; do wait $child; status=$?; done
exit $status`

export interface Isolation {
  readonly kind: IsolationKind
  /** One sentence for the start-up log and `server status`. */
  readonly detail: string
  /** The uid and gid of a workspace's replicas; undefined: the control plane's own. */
  identity(workspace: string): Identity | undefined
  /**
   * The command that runs `program` isolated for `workspace`, with the `readOnly` volume folders
   * bind-mounted read-only over their mount points in its mount namespace (readOnlyVolumes).
   */
  command(workspace: string, program: readonly string[], readOnly?: readonly ReadOnlyMount[]): string[]
  /** Whether command() can make folders read-only for the program alone. */
  readonly readOnlyVolumes: boolean
  /** How many processes stand between the wrapper's child and the program (for its pid). */
  readonly depth: number
}

export interface IsolationOptions {
  mode: 'auto' | 'off'
  /** Where the uid allocation is recorded (the data folder). */
  stateDir: string
  getuid?: () => number
}

const works = (args: string[]): boolean => {
  const r = spawnSync(args[0]!, args.slice(1), {stdio: 'ignore', timeout: 5000})
  return r.status === 0
}

const which = (name: string): string | undefined => {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin')
    .split(':')
    .concat(['/usr/bin', '/bin', '/usr/sbin', '/sbin'])) {
    const path = join(dir, name)
    try {
      accessSync(path, constants.X_OK)
      return path
    } catch {
      // not here
    }
  }
  return undefined
}

export const noIsolation = (
  detail = 'replicas run as plain process groups of the control plane’s own user',
): Isolation => ({
  kind: 'none',
  detail,
  identity: () => undefined,
  command: (_workspace, program) => [...program],
  readOnlyVolumes: false,
  depth: 0,
})

/** Finds the strongest isolation this host allows. */
export function probeIsolation(options: IsolationOptions): Isolation {
  if (options.mode === 'off')
    return noIsolation(
      'isolation turned off (isolation: off): replicas run as the control plane’s own user and can read what it can',
    )
  const root = (options.getuid ?? process.getuid)?.() === 0
  const unshare = which('unshare')
  const setpriv = which('setpriv')
  if (root && unshare && setpriv && works([unshare, ...PID_NAMESPACE, ...asUser(setpriv, 65534, 65534), 'true'])) {
    const uids = new UidAllocator(join(options.stateDir, 'uids.json'))
    return {
      kind: 'uid',
      detail: `each workspace's replicas run under a uid of their own (${UID_RANGE[0]}–${UID_RANGE[1]}) in a private PID namespace`,
      identity: (workspace) => uids.of(workspace),
      command: (workspace, program, readOnly) => {
        const {uid, gid} = uids.of(workspace)
        return [unshare, ...PID_NAMESPACE, ...readOnlyFirst(readOnly), ...asUser(setpriv, uid, gid), ...init(program)]
      },
      readOnlyVolumes: true,
      depth: 2,
    }
  }
  const userns = [unshare ?? 'unshare', '--user', '--map-current-user', ...PID_NAMESPACE]
  if (unshare && works([...userns, 'true'])) {
    const why = root ? 'setpriv is missing or cannot switch users' : 'the control plane is not root'
    return {
      kind: 'pid-namespace',
      detail: `replicas run as the control plane's own user (${why}), each in a private PID namespace: they can read what that user can`,
      identity: () => undefined,
      command: (_workspace, program, readOnly) => [...userns, ...readOnlyFirst(readOnly), ...init(program)],
      readOnlyVolumes: true,
      depth: 2,
    }
  }
  return noIsolation(
    `replicas run as the control plane's own user in plain process groups (${root ? 'unshare or setpriv do not work here' : 'not root, and no user namespaces'}): they can read what that user can`,
  )
}

/** Per-workspace uids, allocated once and recorded, like systemd's DynamicUser. */
class UidAllocator {
  private readonly table: Record<string, number>

  constructor(private readonly file: string) {
    try {
      this.table = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>
    } catch {
      this.table = {}
    }
  }

  of(workspace: string): Identity {
    let uid = this.table[workspace]
    if (uid === undefined) {
      const taken = new Set([...Object.values(this.table), ...systemIds()])
      for (let candidate = UID_RANGE[0]; candidate <= UID_RANGE[1]; candidate++) {
        if (!taken.has(candidate)) {
          uid = candidate
          break
        }
      }
      if (uid === undefined)
        throw new Error(`no free uid left in ${UID_RANGE[0]}–${UID_RANGE[1]} for workspace ${workspace}`)
      this.table[workspace] = uid
      mkdirSync(dirname(this.file), {recursive: true, mode: 0o700})
      writeFileSync(`${this.file}.tmp`, `${JSON.stringify(this.table, null, 2)}\n`, {mode: 0o600})
      renameSync(`${this.file}.tmp`, this.file)
    }
    return {uid, gid: uid}
  }
}

/** uids and gids the host already uses (/etc/passwd, /etc/group). */
function systemIds(): number[] {
  const out: number[] = []
  for (const file of ['/etc/passwd', '/etc/group']) {
    try {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const id = Number(line.split(':')[2])
        if (Number.isInteger(id)) out.push(id)
      }
    } catch {
      // no such file
    }
  }
  return out
}

/** Whether a user other than the owner can reach `path` (every folder above it has o+x). */
export function traversableByOthers(path: string): boolean {
  let dir = dirname(resolve(path))
  for (;;) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false
    } catch {
      return false
    }
    if (dirname(dir) === dir) return true
    dir = dirname(dir)
  }
}

/** Whether `file` can be run by any user: reachable and o+x. */
export function executableByOthers(file: string): boolean {
  try {
    return existsSync(file) && (statSync(file).mode & 0o001) !== 0 && traversableByOthers(file)
  } catch {
    return false
  }
}
