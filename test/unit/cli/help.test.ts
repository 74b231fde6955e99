// Help as users read it: prose that oclif wraps itself (no hard breaks mid-sentence), examples
// that read as shell lines, one name per command, a summary for every topic.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {COMMANDS} from '../../../src/commands/index.js'
import {ROOT} from '../../helpers/run-cli.js'

type Described = {summary?: string; description?: string; examples?: unknown[]; aliases?: string[]}
const commands = Object.entries(COMMANDS as Record<string, Described>)

describe('help', () => {
  it.each(commands)('%s has a summary, prose without hard wraps, and shell-line examples', (_, command) => {
    expect(command.summary).toMatch(/^[A-Z].*\.$/)
    // Paragraphs are separated by a blank line; a single line break inside one is a hard wrap.
    expect(command.description ?? '').not.toMatch(/[^\n]\n[^\n]/)
    for (const example of command.examples ?? []) expect(String(example)).toMatch(/^(<%= config\.bin %> |\$ )/)
    expect(command.aliases ?? []).toEqual([]) // other spellings are hidden aliases
  })

  it('summarises every topic in its own words', () => {
    const topics = (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        oclif: {topics: Record<string, {description: string}>}
      }
    ).oclif.topics
    const groups = new Set(
      Object.keys(COMMANDS)
        .filter((id) => id.includes(':'))
        .flatMap((id) =>
          id
            .split(':')
            .slice(0, -1)
            .map((_, i, parts) => parts.slice(0, i + 1).join(':')),
        ),
    )
    for (const group of groups) expect(topics[group]?.description, group).toMatch(/^[A-Z].*\.$/)
    const summaries = new Set(commands.map(([, c]) => c.summary))
    for (const topic of Object.values(topics)) expect(summaries.has(topic.description)).toBe(false)
  })
})
