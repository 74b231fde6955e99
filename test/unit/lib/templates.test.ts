import {describe, expect, it} from 'vitest'
import {TemplateError, expandArguments} from '../../../src/lib/templates.js'

const context = {
  StackSpec: {command: 'python3', args: ['-u', 'main.py'], port: 8080, nested: {a: 'b'}},
  ConfigDir: '/r/config',
  Replica: 2,
}

describe('expandArguments', () => {
  it('splices lists, drops absent values, replaces inside text', () => {
    expect(
      expandArguments(
        [
          '{{.StackSpec.command}}',
          '{{ .StackSpec.args }}',
          '{{.StackSpec.missing}}',
          '--config={{.ConfigDir}}/job.yaml',
          'r{{.Replica}}',
          '{{.StackSpec.port}}',
        ],
        context,
      ),
    ).toEqual(['python3', '-u', 'main.py', '--config=/r/config/job.yaml', 'r2', '8080'])
  })
  it('leaves text without templates alone', () =>
    expect(expandArguments(['run', '{not a template}'], context)).toEqual(['run', '{not a template}']))
  it.each([
    ['x-{{.StackSpec.args}}', /is a list; it cannot be part of a longer argument/],
    ['x-{{.StackSpec.nested}}', /is a mapping/],
    ['x-{{.StackSpec.none}}', /is not set/],
  ])('refuses %s', (t, message) => {
    expect(() => expandArguments([t], context)).toThrow(TemplateError)
    expect(() => expandArguments([t], context)).toThrow(message)
  })
})
