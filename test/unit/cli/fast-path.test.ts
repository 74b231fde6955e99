import {describe, expect, it} from 'vitest'
import {parseFlags} from '../../../src/cli/fast-path.js'

const command = {
  args: {},
  flags: {
    json: {name: 'json', type: 'boolean' as const},
    manifestFile: {
      name: 'manifestFile',
      type: 'option' as const,
      char: 'f',
      aliases: ['filename'],
      multiple: true,
      required: true,
    },
    lint: {name: 'lint', type: 'boolean' as const, char: 'l'},
    workspace: {name: 'workspace', type: 'option' as const, char: 'w'},
    output: {name: 'output', type: 'option' as const, options: ['text', 'json'], default: 'text'},
  },
}

describe('parseFlags', () => {
  it('parses short, long and alias spellings, with defaults', () => {
    expect(parseFlags(command, ['-l', '-f', 'a.yaml', '--filename', 'b.yaml', '-w=ws'])).toEqual({
      lint: true,
      manifestFile: ['a.yaml', 'b.yaml'],
      workspace: 'ws',
      json: false,
      output: 'text',
    })
    expect(parseFlags(command, ['-l', '-f', 'a.yaml', '-f', 'b.yaml', '-w', 'ws'])).toEqual({
      lint: true,
      manifestFile: ['a.yaml', 'b.yaml'],
      workspace: 'ws',
      json: false,
      output: 'text',
    })
    expect(parseFlags(command, ['--manifestFile=-', '--output=json'])).toEqual({
      manifestFile: ['-'],
      output: 'json',
      json: false,
      lint: false,
    })
    expect(parseFlags(command, ['--filename', 'x'])).toMatchObject({manifestFile: ['x']})
  })

  it.each([
    [['-l'], 'a required flag is missing'],
    [['-f', 'a', 'b'], 'a positional argument (oclif reads -f greedily)'],
    [['-f', 'a', '--nope'], 'an unknown flag'],
    [['-f', 'a', '--output', 'yaml'], 'a value outside the options'],
    [['-f', '--lint'], 'an ambiguous value'],
    [['-f', 'a', '-w', 'x', '-w', 'y'], 'a flag given twice'],
    [['-f=-x'], 'a value that looks like a flag'],
  ])('declines %j: %s', (args) => expect(parseFlags(command, args)).toBeUndefined())
})
