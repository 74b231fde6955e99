// Colour for people, never for pipes: only on a TTY and only when NO_COLOR is unset
// (https://no-color.org). Plain ANSI codes: no colour library on the start-up path.

export function colorEnabled(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true
  return stream.isTTY === true && process.env.TERM !== 'dumb'
}

const wrap = (open: number, close: number) => (text: string, on: boolean) =>
  on ? `\u001B[${open}m${text}\u001B[${close}m` : text

export const red = wrap(31, 39)
