// Keeps package-lock.json complete for platform packages the registry here does not serve.
//
// Biome and oxc-parser (knip) ship one optional package per platform. The npm registry these
// machines reach serves only the Linux ones; `npm install` drops the others from the lock
// without a word, and `npm ci` then refuses the lock as out of sync ("Missing:
// @biomejs/cli-darwin-x64@ from lock file"). This script gives every such package an entry
// with its platform (os, cpu, libc) and no tarball: npm ci skips it on any other platform, as
// it does with a complete entry, and fetches it from the registry on its own platform.
//
//   node scripts/lock-platforms.mjs write   adds the missing entries (after npm install)
//   node scripts/lock-platforms.mjs check   fails when one is missing (npm run lint)
import {readFileSync, writeFileSync} from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const mode = process.argv[2]
if (mode !== 'write' && mode !== 'check') {
  console.error('usage: node scripts/lock-platforms.mjs write|check')
  process.exit(2)
}

const lock = JSON.parse(readFileSync(file, 'utf8'))
const packages = lock.packages
const platform =
  /-(android|darwin|linux|win32|freebsd|openharmony)-(arm64|x64|arm|ia32|ppc64|riscv64|s390x)(?:-(\w+))?$/
const missing = []
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = path.includes('node_modules/') ? `${path}/node_modules/${name}` : `node_modules/${name}`
    if (packages[at] || packages[`node_modules/${name}`]) continue
    const m = platform.exec(name)
    if (!m) {
      console.error(`${name} (optional for ${path}) is missing from the lock and names no platform: run npm install`)
      process.exit(1)
    }
    const [, os, cpu, abi] = m
    const stub = {version, cpu: [cpu]}
    if (entry.dev) stub.dev = true
    if (abi?.includes('musl')) stub.libc = ['musl']
    else if (abi?.includes('gnu')) stub.libc = ['glibc']
    stub.optional = true
    stub.os = [os]
    missing.push([`node_modules/${name}`, stub])
  }
}

if (mode === 'check') {
  if (missing.length > 0) {
    console.error(`package-lock.json lacks ${missing.length} platform packages (npm ci would refuse it):`)
    for (const [at] of missing) console.error(`  ${at}`)
    console.error('run: node scripts/lock-platforms.mjs write')
    process.exit(1)
  }
  process.exit(0)
}

for (const [at, stub] of missing) packages[at] = stub
const root = packages['']
delete packages['']
const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
lock.packages = {'': root, ...sorted}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`package-lock.json: ${missing.length} platform entries added`)
