// The installed package's root folder (where package.json, dist/ and schemas/ are), found from
// this module's location: dist/cli/…, dist/bundle/… or dist/bundle/chunks/….
import {existsSync, readFileSync} from 'node:fs'
import {dirname, join} from 'node:path'
import {fileURLToPath} from 'node:url'

let cached: string | undefined

export function packageRoot(): string {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  while (dirname(dir) !== dir) {
    const pjson = join(dir, 'package.json')
    if (existsSync(pjson) && (JSON.parse(readFileSync(pjson, 'utf8')) as {name?: string}).name === 'drover') {
      cached = dir
      return dir
    }
    dir = dirname(dir)
  }
  throw new Error('cannot find the drover package root')
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {version: string}).version
}
