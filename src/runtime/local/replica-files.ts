// The files of a replica: its folder (config, secrets, temp, volume links) made fresh for each
// instance, and the record that lets the next control plane adopt it.
//
// Every path built from the manifest (config and secret file names, volume folders) is
// resolved and checked to stay inside its folder, and no existing link is followed on the way:
// a hostile `directory` can neither delete nor replace a file outside the replica's folder.
// With an isolated identity, what the program may use (config, secrets, temp, volumes) is
// owned by its workspace's uid and 0700; the rest (record, exit status, logs) stays the control
// plane's.
import {
  chmodSync,
  chownSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import {dirname, isAbsolute, join, relative, resolve, sep} from 'node:path'
import type {ExitInfo, ProcessSpec} from '../runtime.js'
import type {Identity, ReadOnlyMount} from './isolation.js'
import type {ExitRecord} from './restart-policy.js'

export class PathEscapeError extends Error {}

/** `base` joined with a relative path from user input; throws when it would leave `base`. */
export function contained(base: string, path: string): string {
  if (path.includes('\0')) throw new PathEscapeError(`${JSON.stringify(path)} holds a NUL character`)
  // An absolute path is taken from the base (the replica folder stands for the container's root).
  const target = resolve(base, path.replace(/^\/+/, ''))
  const rel = relative(base, target)
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
    throw new PathEscapeError(`${JSON.stringify(path)} is not inside ${base}`)
  return target
}

/** Fails when any folder between `base` (excluded) and `target` is a symbolic link: nothing is followed. */
function noLinksBetween(base: string, target: string): void {
  const parts = relative(base, target).split(sep).slice(0, -1)
  let dir = base
  for (const part of parts) {
    dir = join(dir, part)
    try {
      if (lstatSync(dir).isSymbolicLink())
        throw new PathEscapeError(`${dir} is a link; a volume cannot be placed through it`)
    } catch (error) {
      if (error instanceof PathEscapeError) throw error
      return // does not exist yet: nothing below it can be a link
    }
  }
}

export interface ReplicaDirs {
  configDir: string
  secretDir: string
  tempDir: string
  /** Volume folders to bind-mount read-only over their mount points, in the replica's mount namespace (isolation.ts). */
  readOnly: ReadOnlyMount[]
}

function own(path: string, identity: Identity | undefined): void {
  if (identity) chownSync(path, identity.uid, identity.gid)
}

/** Makes the replica's folders for a new instance: config and secrets fresh, temp kept, volumes linked. */
export function prepareReplicaFiles(
  dir: string,
  spec: ProcessSpec,
  volumeRoot: string,
  identity: Identity | undefined,
  options: {mounts: boolean} = {mounts: false},
): ReplicaDirs {
  const configDir = join(dir, 'config')
  const secretDir = join(dir, 'secrets')
  // With a tempVolume the temporary folder lives in that volume, one per replica (its folder's
  // name), and goes with the replica (removeReplicaFiles).
  if (spec.tempVolume) volumeFolder(volumeRoot, spec.tempVolume, identity)
  const tempDir = spec.tempVolume ? tempVolumeDir(dir, volumeRoot, spec.tempVolume) : join(dir, 'tmp')
  const readOnly: ReadOnlyMount[] = []
  // The replica folder is the control plane's (record, exit status, logs); what the program
  // uses inside it is the workspace's.
  mkdirSync(dir, {recursive: true, mode: identity ? 0o755 : 0o700})
  mkdirSync(join(dir, 'logs'), {recursive: true, mode: 0o700})
  rmSync(configDir, {recursive: true, force: true})
  rmSync(secretDir, {recursive: true, force: true})
  for (const folder of [configDir, secretDir, tempDir]) {
    mkdirSync(folder, {recursive: true, mode: 0o700})
    own(folder, identity)
  }
  for (const [name, content] of Object.entries(spec.configFiles)) {
    const file = contained(configDir, name)
    writeFileSync(file, content, {mode: 0o600, flag: 'wx'})
    own(file, identity)
  }
  for (const [name, content] of Object.entries(spec.secretFiles)) {
    const file = contained(secretDir, name)
    for (let d = dirname(file); d !== secretDir && d.startsWith(secretDir); d = dirname(d)) {
      mkdirSync(d, {recursive: true, mode: 0o700})
      own(d, identity)
    }
    writeFileSync(file, content, {mode: 0o600, flag: 'wx'})
    own(file, identity)
  }
  for (const volume of spec.volumes) {
    const root = volumeFolder(volumeRoot, volume.name, identity)
    const target = volume.subPath ? contained(root, volume.subPath) : root
    noLinksBetween(volumeRoot, target)
    mkdirSync(target, {recursive: true, mode: 0o700})
    own(target, identity)
    // A link planted in the volume (its programs can write there) is not followed out of it.
    const source = realpathSync(target)
    if (lstatSync(target).isSymbolicLink() || !source.startsWith(realpathSync(volumeRoot) + sep))
      throw new PathEscapeError(`volume ${volume.name}: ${volume.subPath} leaves the volume`)
    const at = contained(dir, volume.path)
    noLinksBetween(dir, at)
    mkdirSync(dirname(at), {recursive: true, mode: identity ? 0o755 : 0o700})
    // A read-only volume, where replicas have a mount namespace, is an empty folder that the
    // volume is bind-mounted over (read-only) in that namespace; any other volume is a link.
    const mount = volume.readOnly && options.mounts
    // Only a link or mount point of ours is ever replaced: anything else in the way is an
    // error, not a deletion.
    let existing: ReturnType<typeof lstatSync> | undefined
    try {
      existing = lstatSync(at)
    } catch {
      existing = undefined
    }
    const ours = existing && (existing.isSymbolicLink() || (existing.isDirectory() && readdirSync(at).length === 0))
    if (existing && !ours)
      throw new PathEscapeError(
        `volume ${volume.name}: ${volume.path} already exists in the replica's folder and is not a volume`,
      )
    if (existing) rmSync(at, {recursive: true})
    if (mount) {
      mkdirSync(at, {mode: 0o755})
      readOnly.push({source, target: at})
    } else {
      symlinkSync(target, at)
      if (identity) lchownSync(at, identity.uid, identity.gid)
    }
    // Belt and braces: the link's folder must still be inside the replica's folder.
    const real = realpathSync(dirname(at))
    if (real !== realpathSync(dir) && !real.startsWith(realpathSync(dir) + sep))
      throw new PathEscapeError(`volume ${volume.name}: ${volume.path} leaves the replica's folder`)
  }
  return {configDir, secretDir, tempDir, readOnly}
}

/**
 * A volume's folder in the workspace's volume folder. The workspace folder is the control
 * plane's (0711 under isolation: traversed, never listed, nothing planted in it); the volume
 * folder is the workspace's.
 */
function volumeFolder(volumeRoot: string, name: string, identity: Identity | undefined): string {
  mkdirSync(volumeRoot, {recursive: true, mode: identity ? 0o711 : 0o700})
  chmodSync(volumeRoot, identity ? 0o711 : 0o700)
  const folder = contained(volumeRoot, name)
  if (lstatSync(volumeRoot).isSymbolicLink()) throw new PathEscapeError(`${volumeRoot} is a link`)
  mkdirSync(folder, {recursive: true, mode: 0o700})
  if (lstatSync(folder).isSymbolicLink()) throw new PathEscapeError(`volume ${name} is a link`)
  own(folder, identity)
  return folder
}

/** A replica's temporary folder inside its worker's tempVolume: one per replica of one incarnation of the worker. */
function tempVolumeDir(dir: string, volumeRoot: string, volume: string): string {
  const [name, uid, id] = dir.split(sep).slice(-3)
  return contained(contained(volumeRoot, volume), `tmp-${name}-${uid}-${id}`)
}

/** Removes a replica's folder, and its temporary folder when that lives in a tempVolume. */
export function removeReplicaFiles(dir: string, volumeRoot: string, tempVolume: string | undefined): void {
  rmSync(dir, {recursive: true, force: true})
  if (tempVolume) rmSync(tempVolumeDir(dir, volumeRoot, tempVolume), {recursive: true, force: true})
}

/** What a replica's folder records for the next control plane (replica.json). */
export interface ReplicaRecord {
  workspace: string
  name: string
  uid: string
  resourceId: string
  id: string
  index: number
  revision: string
  wrapperPid?: number
  startTicks?: number
  startedAt?: number
  /** The marker in the environment of the instance's processes (processes.ts). */
  marker?: string
  /** The volume its temporary folder lives in, removed with the replica. */
  tempVolume?: string
  restarts: number
  history: ExitRecord[]
  lastExit?: ExitInfo
}

export function writeRecord(dir: string, record: ReplicaRecord): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  const file = join(dir, 'replica.json')
  writeFileSync(`${file}.tmp`, JSON.stringify(record), {mode: 0o600})
  renameSync(`${file}.tmp`, file)
}

export function readRecord(dir: string): ReplicaRecord | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'replica.json'), 'utf8')) as ReplicaRecord
  } catch {
    return undefined
  }
}

/** Sub-folders of `dir` (not links), or none. */
export function folders(dir: string): string[] {
  try {
    return readdirSync(dir, {withFileTypes: true})
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return []
  }
}
