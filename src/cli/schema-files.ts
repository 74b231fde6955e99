// Where the committed JSON Schemas of this installation are: schemas/ at the package root.
import {existsSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {schemaKey} from '../resources/registry.js'

/** The package root: the nearest folder above this module with a schemas/ folder (dist/… or dist/bundle/chunks/…). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'schemas')) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

export function schemaFile(type: string, version: string): string {
  return join(packageRoot(), 'schemas', `${schemaKey(type, version)}.schema.json`)
}

/** The comment that makes yaml-language-server (VS Code, Neovim, …) validate a manifest. */
export function schemaModeline(type: string, version: string): string {
  return `# yaml-language-server: $schema=${schemaFile(type, version)}`
}
