// Where the committed JSON Schemas of this installation are: schemas/ at the package root.
import {fileURLToPath} from 'node:url'
import {join} from 'node:path'
import {schemaKey} from '../resources/registry.js'

function packageRoot(): string {
  // This module runs from dist/cli/ (tsc output) or dist/bundle/ (the bundle): two levels down.
  return join(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
}

export function schemaFile(type: string, version: string): string {
  return join(packageRoot(), 'schemas', `${schemaKey(type, version)}.schema.json`)
}

/** The comment that makes yaml-language-server (VS Code, Neovim, …) validate a manifest. */
export function schemaModeline(type: string, version: string): string {
  return `# yaml-language-server: $schema=${schemaFile(type, version)}`
}
