// The CLI's small tables (replicas, events, users, contexts) through cli-table3: it measures
// what a terminal shows (wide characters, colour codes), in kubectl's layout (no borders, three
// spaces between columns). `get`'s listings keep table.ts's renderer: cli-table3 took ~600 ms
// for 1,000 rows there, against ~2 ms (docs/decisions/0012-tables-and-colour.md).

const BLANK = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '   ',
}

export type RenderTable = (headers: readonly string[], rows: readonly (readonly string[])[]) => string

/** Loads cli-table3 (~12 ms) and returns a renderer: call it before the output is rendered. */
export async function smallTable(): Promise<RenderTable> {
  const {default: Table} = await import('cli-table3')
  return (headers, rows) => {
    const table = new Table({
      head: [...headers],
      chars: BLANK,
      style: {head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true},
    })
    table.push(...rows.map((r) => [...r]))
    return table
      .toString()
      .split('\n')
      .map((line) => line.trimEnd())
      .join('\n')
  }
}
