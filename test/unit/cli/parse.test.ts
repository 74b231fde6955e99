import {describe, expect, it} from 'vitest'
import {parseSource} from '../../../src/cli/manifests/parse.js'
import {validateManifest} from '../../../src/resources/validate.js'

const parse = (text: string, env: Record<string, string> = {}, interpolate = true) =>
  parseSource({name: 'm.yaml', text}, {interpolate, env})

const lint = (text: string, env: Record<string, string> = {}) => {
  const {documents} = parse(text, env)
  return documents.flatMap((d) => [
    ...d.problems,
    ...validateManifest(d.value).problems.flatMap((p) => d.locate(p) ?? []),
  ])
}

const manifest = (extra: string, nl = '\n') =>
  [
    'name: w',
    'version: v1beta',
    'type: worker',
    'worker:',
    '  stack: node',
    '  compute: runnable-default',
    ...extra.split('\n').filter(Boolean),
  ].join(nl) + nl

describe('parseSource', () => {
  it('reads every document with its start line, skipping empty ones', () => {
    const {documents, problems} = parse('---\na: 1\n---\n# nothing\n---\nb: 2\n')
    expect(problems).toEqual([])
    expect(documents.map((d) => [d.line, d.value])).toEqual([
      [2, {a: 1}],
      [6, {b: 2}],
    ])
  })

  it('locates a problem at its value, with file-relative lines in later documents', () => {
    const text = `${manifest('')}---\n${manifest('  replicas: many')}`
    expect(lint(text)).toEqual([
      {
        file: 'm.yaml',
        line: 14,
        column: 13,
        field: 'worker.replicas',
        code: 'InvalidType',
        message: 'worker.replicas: Invalid value: "many": must be an integer',
      },
    ])
  })

  it('locates an unknown field at its key', () => {
    expect(lint(manifest('  replica: 2'))).toMatchObject([
      {line: 7, column: 3, message: 'worker.replica: Unknown field; did you mean "replicas"?'},
    ])
  })

  it('locates a missing field at its parent', () => {
    expect(lint('name: w\nversion: v1beta\ntype: worker\nworker:\n  stack: node\n')).toMatchObject([
      {line: 4, column: 1, message: 'worker.compute: Required value'},
    ])
  })

  it('keeps lines and columns right with a byte-order mark removed and CRLF line ends', () => {
    expect(lint(manifest('  replica: 2', '\r\n'))).toMatchObject([{line: 7, column: 3}])
  })

  it('suggests quoting a plain number where text is expected', () => {
    const stack = 'name: t\nversion: v1\ntype: stack\nstack:\n  name: t\n  version: 1.0\n'
    expect(lint(stack)).toMatchObject([
      {
        line: 6,
        column: 12,
        message: 'stack.version: Invalid value: 1: must be a string; quote it to keep it as text: "1.0"',
      },
    ])
  })

  it('interpolates values, typed as YAML would type the substituted text', () => {
    const {documents} = parse('a: $N\nb: "$N"\nc: ${T}\nd: x-${N}\ne: $Y\n$K: 1\n', {
      N: '3',
      T: 'true',
      Y: 'a: b',
      K: 'no',
    })
    expect(documents[0]!.value).toEqual({a: 3, b: '3', c: true, d: 'x-3', e: 'a: b', $K: 1})
  })

  it('leaves values alone with interpolation off', () => {
    expect(parse('a: $N\n', {N: '3'}, false).documents[0]!.value).toEqual({a: '$N'})
  })

  it('reports an unset variable at its value and no second problem for it', () => {
    expect(lint(manifest('  replicas: $REPLICAS'))).toEqual([
      {
        file: 'm.yaml',
        line: 7,
        column: 13,
        code: 'UnsetVariable',
        message:
          'environment variable REPLICAS is not set; set it, give a default with ${REPLICAS:-default}, write $$ for a literal $, or pass --disable-interpolation',
      },
    ])
  })

  it('shows the text before interpolation, not the value, when an interpolated value is invalid', () => {
    expect(lint(manifest('  replicas: $REPLICAS'), {REPLICAS: 'secret-ish'})).toMatchObject([
      {message: 'worker.replicas: Invalid value: "$REPLICAS" (interpolated): must be an integer'},
    ])
  })

  it('never echoes a secret value', () => {
    const text = 'name: s\nversion: v1\ntype: secret\nsecret:\n  type: key-value\n  data:\n    password: [hunter2]\n'
    const problems = lint(text)
    expect(problems).toMatchObject([
      {
        line: 7,
        message: 'secret.data.password: Invalid value: (value hidden): must be a string, a number or a boolean',
      },
    ])
    expect(JSON.stringify(problems)).not.toContain('hunter2')
  })

  it.each([
    ['a: 1\na: 2\n', 2, 1, 'invalid YAML: duplicate key "a"; remove one of them'],
    ['a:\n\tb: 1\n', 2, 1, 'invalid YAML: Tabs are not allowed as indentation; indent with spaces'],
    [
      'a: [1, 2\n',
      2,
      1,
      'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
  ])('reports YAML errors with their position: %j', (text, line, column, message) => {
    expect(parse(text).documents[0]!.problems).toEqual([{file: 'm.yaml', line, column, code: 'Syntax', message}])
  })

  it('refuses nesting deeper than 100 levels', () => {
    const deep = `${Array.from({length: 120}, (_, i) => `${'  '.repeat(i)}k:`).join('\n')} 1\n`
    expect(parse(deep).documents[0]!.problems).toMatchObject([
      {line: 101, column: 201, code: 'TooDeep', message: 'nesting is deeper than 100 levels'},
    ])
    expect(parse(`${'['.repeat(10_000)}${']'.repeat(10_000)}`).documents[0]!.problems).toMatchObject([
      {line: 1, column: 101, code: 'TooDeep'},
    ])
  })

  it('says an empty file or a comments-only file holds no manifest', () => {
    expect(parse('').problems).toEqual([
      {file: 'm.yaml', code: 'Empty', message: 'the file is empty: no manifest in it'},
    ])
    expect(parse('# x\n---\n').problems).toEqual([
      {file: 'm.yaml', code: 'Empty', message: 'no manifest in this file (only comments or empty documents)'},
    ])
  })
})
