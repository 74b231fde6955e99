// Colour where it helps: statuses (running green; pending, progressing, degraded yellow;
// crash-looping, failed, error red; stopped and dry-run dim), on a terminal only. FORCE_COLOR
// (1–3) forces it and beats NO_COLOR, as in Node; NO_COLOR, FORCE_COLOR=0 and TERM=dumb turn it
// off. chalk is loaded only when something is coloured: piped output costs nothing.

type Env = Readonly<Record<string, string | undefined>>
type Paint = (text: string) => string

export interface Palette {
  good: Paint
  warn: Paint
  bad: Paint
  dim: Paint
}

/**
 * `Error:` in red where colour is on. Written by hand: the error path stays synchronous and
 * loads nothing, and it is one code.
 */
export function errorPrefix(stream: {isTTY?: boolean} = process.stderr, env: Env = process.env): string {
  return colourLevel(stream, env) > 0 ? '\u001B[31mError:\u001B[39m' : 'Error:'
}

const same: Paint = (text) => text
export const PLAIN: Palette = {good: same, warn: same, bad: same, dim: same}

/** chalk's level for `stream`: 0 none, 1 basic, 2 256 colours, 3 true colour. */
export function colourLevel(stream: {isTTY?: boolean}, env: Env = process.env): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0
    return force === '2' ? 2 : force === '3' ? 3 : 1
  }
  if (env.NO_COLOR) return 0
  return stream.isTTY === true && env.TERM !== 'dumb' ? 1 : 0
}

export async function palette(stream: {isTTY?: boolean} = process.stdout, env: Env = process.env): Promise<Palette> {
  const level = colourLevel(stream, env)
  if (level === 0) return PLAIN
  const {Chalk} = await import('chalk')
  const c = new Chalk({level})
  return {good: c.green, warn: c.yellow, bad: c.red, dim: c.dim}
}

const BAD = /^(crashlooping|crash-looping|failed|error|invalid|rejected|not ready)/i
const WARN = /^(pending|progressing|degraded|waiting|starting|stopping|scaling)/i
const GOOD = /^(running|active|ready|valid|yes)\b/i
const DIM = /^(stopped|dry-?run|completed|exited)/i

/** A status word in its colour (by how it starts: `running:2/3`, `crashlooping:0/1`). */
export function paintStatus(p: Palette, text: string): string {
  if (p === PLAIN || text === '') return text
  if (BAD.test(text) || /crash-?looping/i.test(text)) return p.bad(text)
  if (text.includes('rollout blocked')) return p.warn(text)
  if (WARN.test(text)) return p.warn(text)
  if (GOOD.test(text)) return p.good(text)
  if (DIM.test(text)) return p.dim(text)
  return text
}
