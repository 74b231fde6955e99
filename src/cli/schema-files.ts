// Where the committed JSON Schemas of this installation are: schemas/ at the package root.
import {join, relative} from 'node:path'
import {schemaKey} from '../resources/registry.js'
import {packageRoot} from '../lib/package-root.js'

function schemaFile(type: string, version: string): string {
  return join(packageRoot(), 'schemas', `${schemaKey(type, version)}.schema.json`)
}

/**
 * The comment that makes yaml-language-server (VS Code, Neovim, …) validate a manifest: the
 * schema's path relative to the working directory, where the starter is usually written, so
 * that the file means the same on another machine with the package in the same place.
 */
export function schemaModeline(type: string, version: string): string {
  return `# yaml-language-server: $schema=${relative(process.cwd(), schemaFile(type, version))}`
}
