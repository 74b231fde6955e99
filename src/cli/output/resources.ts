// How resources look in `get`: DataOS's columns (NAME VERSION TYPE WORKSPACE STATUS RUNTIME
// OWNER) plus kubectl's AGE, `|` between them as dataos-ctl prints them. STATUS is the resource's lifecycle (active, error); RUNTIME is
// what runs: pending, running:2/3, crashlooping:0/1, dry-run, stopped; for a compute, its dataplane.
import type {ResourceObject} from '../../api/types.js'
import {PLAIN, type Palette, paintStatus} from './colour.js'
import {age, runtimeColumn, statusColumn, wideCells} from '../../api/columns.js'
import {renderTable} from './table.js'

const GET_COLUMNS = ['NAME', 'VERSION', 'TYPE', 'WORKSPACE', 'STATUS', 'RUNTIME', 'OWNER', 'AGE']
/** --output wide: what kubectl's wide adds, for workers. */
const WIDE_COLUMNS = ['REPLICAS', 'STACK', 'COMPUTE', 'REVISION']

export function resourceRow(r: ResourceObject, now = Date.now(), wide = false): string[] {
  const cells = [
    String(r.manifest.name),
    String(r.manifest.version),
    String(r.manifest.type),
    r.metadata.workspace ?? '',
    statusColumn(r),
    runtimeColumn(r),
    r.metadata.owner,
    age(r.metadata.createdAt, now),
  ]
  return wide ? [...cells, ...wideCells(r)] : cells
}

export const getColumns = (wide = false) => (wide ? [...GET_COLUMNS, ...WIDE_COLUMNS] : GET_COLUMNS)

const STATUS_COLUMNS = new Set([GET_COLUMNS.indexOf('STATUS'), GET_COLUMNS.indexOf('RUNTIME')])

export function renderResources(items: readonly ResourceObject[], colours: Palette = PLAIN, wide = false): string {
  if (items.length === 0) return ''
  const now = Date.now()
  return renderTable(
    getColumns(wide),
    items.map((i) => resourceRow(i, now, wide)),
    'pipes',
    colours === PLAIN ? undefined : (column, text) => (STATUS_COLUMNS.has(column) ? paintStatus(colours, text) : text),
  )
}

/** `name:version:type (workspace)`, how dataos-ctl names a resource in apply and delete lines. */
export function resourceLabel(r: {name?: string; version?: string; type?: string; workspace?: string}): string {
  const id = `${r.name ?? '(no name)'}:${r.version ?? '?'}:${r.type ?? '?'}`
  return r.workspace ? `${id} (${r.workspace})` : id
}
