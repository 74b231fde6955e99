// Where manifests come from: `-f FILE`, `-f DIR` (with -R, recursively) and `-f -` (stdin).
// Every file is checked before it is parsed: size, and that it is text at all.
import {type Stats, readFileSync, readdirSync, realpathSync, statSync} from 'node:fs'
import {extname, join} from 'node:path'
import {InvalidInputError} from '../errors.js'
import type {LocatedProblem} from './located.js'

/** Largest manifest file read (Kubernetes caps an object at 1.5 MB; a manifest file at 4 MiB is generous). */
const MAX_FILE_BYTES = 4 * 1024 * 1024
const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json']
const STDIN_NAME = '<stdin>'

export interface Source {
  /** The name errors use: the path as the user wrote it (joined for files found in folders), or <stdin>. */
  name: string
  text: string
}

export interface SourceSet {
  sources: Source[]
  /** Files that could not be used (too big, binary, unreadable); each one line. */
  problems: LocatedProblem[]
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

/** Decodes a manifest file, or says in one line why it is not one. */
const tooLarge = (name: string, size: number): LocatedProblem => ({
  file: name,
  code: 'TooLarge',
  message: `file is ${mib(size)}; a manifest file may be at most ${mib(MAX_FILE_BYTES)}`,
})

function decodeManifest(name: string, bytes: Buffer): Source | LocatedProblem {
  if (bytes.length > MAX_FILE_BYTES) return tooLarge(name, bytes.length)
  if (bytes.subarray(0, 8192).includes(0)) {
    return {
      file: name,
      code: 'NotText',
      message: 'not a text file (it contains NUL bytes); a manifest is UTF-8 YAML or JSON',
    }
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(bytes)
  } catch {
    return {file: name, code: 'NotText', message: 'not a UTF-8 text file; a manifest is UTF-8 YAML or JSON'}
  }
  // A byte-order mark (Windows editors) is not content; dropping it keeps columns right.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
  return {name, text}
}

function readFile(name: string, path: string, size: number): Source | LocatedProblem {
  // Checked before reading, so that a 50 MB file costs a stat, not a read.
  if (size > MAX_FILE_BYTES) return tooLarge(name, size)
  try {
    return decodeManifest(name, readFileSync(path))
  } catch (error) {
    return {
      file: name,
      code: 'Unreadable',
      message: `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    }
  }
}

function listFolder(
  folder: string,
  shown: string,
  recursive: boolean,
  seen: Set<string>,
  out: {name: string; path: string; size: number}[],
): void {
  const real = realpathSync(folder)
  if (seen.has(real)) return // a symlink loop
  seen.add(real)
  const entries = readdirSync(folder, {withFileTypes: true}).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  )
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue
    const path = join(folder, entry.name)
    const name = join(shown, entry.name)
    let stat: Stats
    try {
      stat = statSync(path)
    } catch {
      continue // a dangling symlink
    }
    if (stat.isDirectory()) {
      if (recursive) listFolder(path, name, recursive, seen, out)
    } else if (stat.isFile() && MANIFEST_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
      out.push({name, path, size: stat.size})
    }
  }
}

/**
 * Reads every manifest source named by `-f` arguments, in the order given (folder contents
 * sorted by name). A path that does not exist, or a folder without manifests, is an error of
 * the whole command: nothing is applied when an input is missing.
 */
export function readSources(paths: readonly string[], options: {recursive: boolean; stdin?: () => Buffer}): SourceSet {
  const sources: Source[] = []
  const problems: LocatedProblem[] = []
  const take = (result: Source | LocatedProblem) => ('text' in result ? sources.push(result) : problems.push(result))
  for (const path of paths) {
    if (path === '-') {
      const read = options.stdin ?? (() => readFileSync(0))
      take(decodeManifest(STDIN_NAME, read()))
      continue
    }
    let stat: Stats
    try {
      stat = statSync(path)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      throw new InvalidInputError(
        code === 'ENOENT'
          ? `${path}: no such file or folder`
          : `${path}: cannot read (${code ?? (error as Error).message})`,
        {code: 'FileNotFound'},
      )
    }
    if (stat.isDirectory()) {
      const found: {name: string; path: string; size: number}[] = []
      listFolder(path, path, options.recursive, new Set(), found)
      if (found.length === 0) {
        throw new InvalidInputError(
          `${path}: no manifest files (${MANIFEST_EXTENSIONS.map((e) => `*${e}`).join(', ')}) in this folder`,
          {code: 'NoManifests', hint: options.recursive ? undefined : 'use -R to include subfolders'},
        )
      }
      for (const file of found) take(readFile(file.name, file.path, file.size))
    } else {
      take(readFile(path, path, stat.size))
    }
  }
  return {sources, problems}
}
