import {describe, expect, it} from 'vitest'
import type {ResourceObject} from '../../../src/api/types.js'
import {renderResources, resourceLabel} from '../../../src/cli/output/resources.js'
import {age} from '../../../src/api/columns.js'
import {displayWidth, renderTable} from '../../../src/cli/output/table.js'
import {formatBytes, formatCores, parseDuration} from '../../../src/cli/output/units.js'

describe('tables', () => {
  it('align columns to the widest cell, three spaces apart, with no trailing space', () => {
    expect(
      renderTable(
        ['NAME', 'STATUS', 'AGE'],
        [
          ['a-long-name', 'ok', '5s'],
          ['b', '', '12m'],
        ],
      ),
    ).toBe('NAME          STATUS   AGE\na-long-name   ok       5s\nb                      12m')
  })
  it('draw dataos-ctl’s pipes, with empty cells kept and wide characters counted twice', () => {
    expect(
      renderTable(
        ['NAME', 'TYPE', 'OWNER'],
        [
          ['hello-worker', 'worker', 'alice'],
          ['ticker', '', '名前'],
          ['e\u0301', 'stack', 'x'],
        ],
        'pipes',
      ),
    ).toBe(
      [
        'NAME         | TYPE   | OWNER',
        '-------------|--------|------',
        'hello-worker | worker | alice',
        'ticker       |        | 名前',
        'e\u0301            | stack  | x',
      ].join('\n'),
    )
    expect(displayWidth('名前')).toBe(4)
    expect(displayWidth('e\u0301')).toBe(1)
    expect(displayWidth('🚀x')).toBe(3)
  })

  it('give kubectl’s ages', () => {
    const now = Date.parse('2026-11-23T12:00:00Z')
    const at = (seconds: number) => new Date(now - seconds * 1000).toISOString()
    expect([0, 119, 120, 7199, 7200, 172_799, 172_800, 63_071_999, 63_072_000].map((s) => age(at(s), now))).toEqual([
      '0s',
      '119s',
      '2m',
      '119m',
      '2h',
      '47h',
      '2d',
      '729d',
      '2y',
    ])
    expect(age(new Date(now + 5000).toISOString(), now)).toBe('0s') // a clock ahead of ours
  })
})

describe('units', () => {
  it('print CPU in millicores below a core, memory in binary units', () => {
    expect([undefined, 0.25, 0.0004, 1, 1.234].map(formatCores)).toEqual(['-', '250m', '0m', '1', '1.23'])
    expect([undefined, 512, 1024, 1536, 2 ** 20 * 300, 2 ** 30 * 2.5].map(formatBytes)).toEqual([
      '-',
      '512B',
      '1Ki',
      '1.5Ki',
      '300Mi',
      '2.5Gi',
    ])
  })
  it('read durations, seconds by default', () => {
    expect(['300', '300s', '5m', '1h', '250ms', '1.5s', ' 2m '].map(parseDuration)).toEqual([
      300_000, 300_000, 300_000, 3_600_000, 250, 1500, 120_000,
    ])
    expect(['', 'm', '-1s', '5d', '1e3'].map(parseDuration)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ])
  })
})

describe('get’s rows', () => {
  const resource = (over: {
    type?: string
    phase: string
    ready?: number
    desired?: number
    dryRun?: boolean
    workspace?: string
  }): ResourceObject =>
    ({
      manifest: {
        name: 'w',
        version: 'v1beta',
        type: over.type ?? 'worker',
        ...(over.type === undefined ? {worker: {dryRun: over.dryRun ?? false}} : {}),
      },
      metadata: {
        id: 'x',
        uid: 'u',
        owner: 'alice',
        resourceVersion: '1',
        generation: 1,
        createdAt: new Date(Date.now() - 30_000).toISOString(),
        updatedAt: new Date().toISOString(),
        ...(over.workspace === undefined ? {} : {workspace: over.workspace}),
      },
      status: {phase: over.phase, readyReplicas: over.ready, desiredReplicas: over.desired},
    }) as ResourceObject

  it('show DataOS’s columns, the runtime state with ready/desired, and errors as error', () => {
    const rows = renderResources([
      resource({phase: 'Running', ready: 2, desired: 3, workspace: 'public'}),
      resource({phase: 'Pending', workspace: 'public'}),
      resource({phase: 'DryRun', dryRun: true, workspace: 'public'}),
      resource({phase: 'Failed', ready: 0, desired: 1, workspace: 'public'}),
      resource({type: 'stack', phase: 'Active'}),
    ])
      .split('\n')
      .map((l) => l.split('|').map((c) => c.trim()))
    expect(rows[0]).toEqual(['NAME', 'VERSION', 'TYPE', 'WORKSPACE', 'STATUS', 'RUNTIME', 'OWNER', 'AGE'])
    expect(rows[1]!.every((c) => /^-+$/.test(c))).toBe(true)
    rows.splice(1, 1)
    expect(rows.slice(1, 5).map((r) => r.slice(4, 6).join(' '))).toEqual([
      'active running:2/3',
      'active pending',
      'active dry-run',
      'error failed:0/1',
    ])
    // A stack has no workspace and no runtime: those cells are empty.
    expect(rows[5]).toEqual(['w', 'v1beta', 'stack', '', 'active', '', 'alice', expect.stringMatching(/^\d+s$/)])
    expect(renderResources([])).toBe('')
  })

  it('name resources as dataos-ctl does', () => {
    expect(resourceLabel({name: 'w', version: 'v1beta', type: 'worker', workspace: 'public'})).toBe(
      'w:v1beta:worker (public)',
    )
    expect(resourceLabel({})).toBe('(no name):?:?')
  })
})
