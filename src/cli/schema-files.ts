// Where the committed JSON Schemas of this installation are: schemas/ at the package root.
import {join} from 'node:path'
import {schemaKey} from '../resources/registry.js'
import {packageRoot} from '../lib/package-root.js'

function schemaFile(type: string, version: string): string {
  return join(packageRoot(), 'schemas', `${schemaKey(type, version)}.schema.json`)
}

/** The comment that makes yaml-language-server (VS Code, Neovim, …) validate a manifest. */
export function schemaModeline(type: string, version: string): string {
  return `# yaml-language-server: $schema=${schemaFile(type, version)}`
}
