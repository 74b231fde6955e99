// Import scanning for the architecture test: which module imports which, statically or not.
import {readFileSync, readdirSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'

export interface Edge {
  from: string // path relative to src/, e.g. cli/manifests/lint.ts
  to: string // a relative path under src/ (.ts) or a package name
  dynamic: boolean
}

export function sourceFiles(srcDir: string): string[] {
  const out: string[] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, {withFileTypes: true})) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(relative(srcDir, path))
    }
  }
  walk(srcDir)
  return out.sort()
}

const staticImport = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm
const dynamicImport = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g

export function edgesOf(srcDir: string, file: string, text = readFileSync(join(srcDir, file), 'utf8')): Edge[] {
  const edges: Edge[] = []
  const add = (spec: string, dynamic: boolean) => {
    if (spec.startsWith('.')) {
      const target = relative(srcDir, resolve(dirname(join(srcDir, file)), spec)).replace(/\.js$/, '.ts')
      edges.push({from: file, to: target, dynamic})
    } else {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!
      edges.push({from: file, to: pkg, dynamic})
    }
  }
  for (const m of text.matchAll(staticImport)) add((m[1] ?? m[2])!, false)
  for (const m of text.matchAll(dynamicImport)) add(m[1]!, true)
  return edges
}

export const layerOf = (path: string) => (path.endsWith('.ts') ? path.split('/')[0]! : undefined)

/**
 * Which layer may import which (STYLE.md): commands → cli → client → api → resources → lib on
 * the CLI side; the server side may use everything but the CLI. Only server/main.ts names
 * concrete adapters (checked separately).
 */
export const ALLOWED: Record<string, readonly string[]> = {
  lib: [],
  resources: ['lib'],
  api: ['resources', 'lib'],
  client: ['api', 'resources', 'lib'],
  cli: ['client', 'api', 'resources', 'lib'],
  commands: ['cli', 'client', 'api', 'resources', 'lib'],
  store: ['resources', 'lib'],
  runtime: ['resources', 'lib'],
  scheduler: ['store', 'runtime', 'resources', 'lib', 'api'],
  server: ['api', 'resources', 'store', 'runtime', 'scheduler', 'lib'],
}

export function layeringViolations(edges: readonly Edge[]): string[] {
  const out: string[] = []
  for (const e of edges) {
    const from = layerOf(e.from)!
    const to = layerOf(e.to)
    if (to === undefined || to === from) continue
    if (!(ALLOWED[from] ?? []).includes(to)) out.push(`${e.from} → ${e.to} (${from} may not import ${to})`)
  }
  return out
}

/** Every module (and package) reachable from `entry` through static imports only. */
export function staticClosure(edges: readonly Edge[], entry: string): Set<string> {
  const byFrom = new Map<string, Edge[]>()
  for (const e of edges) if (!e.dynamic) byFrom.set(e.from, [...(byFrom.get(e.from) ?? []), e])
  const seen = new Set<string>([entry])
  const queue = [entry]
  while (queue.length > 0) {
    for (const e of byFrom.get(queue.pop()!) ?? []) {
      if (seen.has(e.to)) continue
      seen.add(e.to)
      queue.push(e.to)
    }
  }
  return seen
}
