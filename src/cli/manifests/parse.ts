// YAML → manifest documents, keeping the source position of every node so that every
// problem (syntax, schema, cross-field) points at file:line:col. Uses the `yaml` package
// rather than js-yaml: it keeps node ranges, reports duplicate keys, tabs and unterminated
// collections with positions, and bounds alias expansion (billion laughs).
import {
  type CST,
  Composer,
  type Document,
  LineCounter,
  type Node,
  type Pair,
  Parser,
  Scalar,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parse as parseYaml,
  visit,
} from 'yaml'
import type {Problem} from '../../resources/problems.js'
import {formatPath, problemMessage} from '../../resources/problems.js'
import {isSensitivePath} from '../../resources/validate.js'
import {interpolate} from './interpolate.js'
import type {LocatedProblem} from './located.js'
import type {Source} from './sources.js'

/** Deepest nesting accepted. Real manifests stay under 20; this bounds recursion everywhere after parsing. */
const MAX_DEPTH = 100
/** Most alias expansions per document (the yaml package's guard against billion-laughs files). */
const MAX_ALIASES = 100

export interface ParseOptions {
  interpolate: boolean
  env: Readonly<Record<string, string | undefined>>
}

interface ParsedDocument {
  file: string
  /** 0-based position of the document in its file. */
  index: number
  /** Line where the document's content starts. */
  line: number
  /** The parsed value; absent when the document has problems of its own (syntax, interpolation). */
  value?: unknown
  problems: LocatedProblem[]
  /**
   * Places a model problem (field path) in this document's source; undefined for a problem of
   * a value whose interpolation already failed (it was reported as such).
   */
  locate(problem: Problem): LocatedProblem | undefined
  /** Line and column of a field (its key, or its value), or of the nearest parent that exists. */
  position(path: readonly (string | number)[], anchor?: 'key' | 'value'): {line: number; column: number}
}

export interface ParsedSource {
  documents: ParsedDocument[]
  /** Problems of the file as a whole (empty file). */
  problems: LocatedProblem[]
}

const keyText = (key: unknown) => (isScalar(key) ? String(key.value) : String(key))

// yaml's own messages, first line only, with what to do where it helps.
const YAML_HINTS: Record<string, string> = {
  TAB_AS_INDENT: 'indent with spaces',
  DUPLICATE_KEY: 'remove one of them',
}

interface Walk {
  /** The node at the full path, if it exists. */
  node?: Node | null
  /** The pair whose value is `node`, or the deepest pair on the way when the path stops early. */
  pair?: Pair
  complete: boolean
}

function walk(doc: Document, path: readonly (string | number)[]): Walk {
  let node: unknown = doc.contents
  let pair: Pair | undefined
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(doc)
    if (isMap(node)) {
      const found = node.items.find((item) => keyText(item.key) === String(segment))
      if (!found) return {node: undefined, pair, complete: false}
      pair = found
      node = found.value
    } else if (isSeq(node) && typeof segment === 'number' && segment < node.items.length) {
      node = node.items[segment]
      pair = undefined
    } else {
      return {node: node as Node, pair, complete: false}
    }
  }
  return {node: node as Node | null, pair, complete: true}
}

const rangeStart = (node: unknown): number | undefined =>
  node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)
    ? (node.range[0] as number)
    : undefined

export function parseSource(source: Source, options: ParseOptions): ParsedSource {
  const lines = new LineCounter()
  const file = source.name
  const at = (offset: number | undefined) => {
    const pos = lines.linePos(offset ?? 0)
    return {line: pos.line, column: pos.col}
  }
  // Parsing in two steps (the yaml package's own parseAllDocuments does the same): the CST
  // parser is iterative, so its tokens can be checked for depth before the recursive composer
  // sees them; a 10,000-level document is refused where its nesting passes the limit.
  const tokens = Array.from(new Parser(lines.addNewLine).parse(source.text))
  const tooDeep = firstTooDeep(tokens)
  if (tooDeep !== undefined) {
    const problem: LocatedProblem = {
      file,
      ...at(tooDeep),
      code: 'TooDeep',
      message: `nesting is deeper than ${MAX_DEPTH} levels`,
    }
    return {
      documents: [
        {file, index: 0, line: 1, problems: [problem], locate: () => undefined, position: () => ({line: 1, column: 1})},
      ],
      problems: [],
    }
  }
  const composer = new Composer({uniqueKeys: true, strict: true, merge: true})
  const docs = Array.from(composer.compose(tokens, true, source.text.length))
  const documents: ParsedDocument[] = []

  for (const [index, doc] of docs.entries()) {
    const problems: LocatedProblem[] = []
    const contentStart = rangeStart(doc.contents) ?? doc.range[0]
    const interpolated = new Map<Node, string>()
    const unresolved = new Set<Node>()

    const place = (path: readonly (string | number)[], anchor: 'key' | 'value' | undefined) => {
      const found = walk(doc, path)
      // An empty value (`resources:` with nothing after it) has no text of its own: point at its key.
      const empty = found.node instanceof Scalar && found.node.value === null && !found.node.source
      let offset: number | undefined
      if (found.complete && anchor !== 'key' && found.node && !empty) offset = rangeStart(found.node)
      if (offset === undefined && found.pair) offset = rangeStart(found.pair.key)
      return {found, offset: offset ?? contentStart}
    }
    const position = (path: readonly (string | number)[], anchor?: 'key' | 'value') => at(place(path, anchor).offset)

    const locate = (problem: Problem): LocatedProblem | undefined => {
      const {found, offset} = place(problem.path, problem.anchor)
      if (found.complete && found.node && unresolved.has(found.node)) return undefined
      const original = found.complete && found.node ? interpolated.get(found.node) : undefined
      let hint = problem.hint
      if (
        problem.code === 'InvalidType' &&
        problem.detail === 'must be a string' &&
        found.node instanceof Scalar &&
        found.node.type === 'PLAIN' &&
        !original
      ) {
        hint = `quote it to keep it as text: "${String(found.node.source)}"`
      }
      const message = problemMessage(
        {...problem, hint},
        {
          redact: isSensitivePath(problem.path),
          shownValue: original === undefined ? undefined : `${JSON.stringify(original)} (interpolated)`,
        },
      )
      return {
        file,
        ...at(offset),
        field: formatPath(problem.path) || undefined,
        code: problem.code,
        message,
        ...(problem.severity ? {severity: problem.severity} : {}),
      }
    }
    const result = (value?: unknown): ParsedDocument => ({
      file,
      index,
      line: at(contentStart).line,
      value,
      problems,
      locate,
      position,
    })

    // Only the first syntax error of a document: the ones after it are mostly its echoes.
    for (const error of [...doc.errors, ...doc.warnings].slice(0, 1)) {
      let message = error.message.split('\n')[0]!
      if (error.code === 'DUPLICATE_KEY') {
        const key = /^("[^"\n]*"|'[^'\n]*'|[^:\n]+?)\s*:/.exec(source.text.slice(error.pos[0]))?.[1]
        message = key
          ? `duplicate key ${key.startsWith('"') || key.startsWith("'") ? key : JSON.stringify(key)}`
          : 'duplicate key'
      }
      const hint = YAML_HINTS[error.code]
      problems.push({
        file,
        ...at(error.pos[0]),
        code: 'Syntax',
        message: `invalid YAML: ${message}${hint ? `; ${hint}` : ''}`,
      })
    }
    if (problems.length > 0) {
      documents.push(result())
      continue
    }
    // An empty document (a stray ---, or only comments) is skipped, as kubectl does.
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) continue

    if (options.interpolate) {
      visit(doc, {
        Scalar(key, node) {
          if (key === 'key' || typeof node.value !== 'string') return
          const {text, missing, changed} = interpolate(node.value, options.env)
          for (const name of missing) {
            problems.push({
              file,
              ...at(rangeStart(node)),
              code: 'UnsetVariable',
              message: `environment variable ${name} is not set; set it, give a default with \${${name}:-default}, write $$ for a literal $, or pass --disable-interpolation`,
            })
          }
          if (missing.length > 0) unresolved.add(node)
          if (!changed || missing.length > 0) return
          interpolated.set(node, node.value)
          node.value = node.type === 'PLAIN' ? retype(text) : text
        },
      })
    }

    try {
      documents.push(result(doc.toJS({maxAliasCount: MAX_ALIASES})))
    } catch (error) {
      const message =
        error instanceof ReferenceError && /alias/i.test(error.message)
          ? `too many alias expansions (more than ${MAX_ALIASES}): refusing a possible billion-laughs document`
          : `cannot read document: ${(error as Error).message}`
      problems.push({file, ...at(contentStart), code: 'Syntax', message})
      documents.push(result())
    }
  }

  const fileProblems: LocatedProblem[] = []
  if (documents.length === 0) {
    fileProblems.push({
      file,
      code: 'Empty',
      message:
        source.text.trim() === ''
          ? 'the file is empty: no manifest in it'
          : 'no manifest in this file (only comments or empty documents)',
    })
  }
  return {documents, problems: fileProblems}
}

/** Offset of the first collection nested deeper than MAX_DEPTH, walking the CST without recursion. */
function firstTooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: [CST.Token | undefined, number][] = tokens.map((t) => [t, 0])
  while (stack.length > 0) {
    const [token, depth] = stack.pop()!
    if (!token) continue
    if (token.type === 'document') {
      stack.push([token.value, depth])
    } else if (token.type === 'block-map' || token.type === 'block-seq' || token.type === 'flow-collection') {
      if (depth + 1 > MAX_DEPTH) return token.offset
      for (const item of token.items) {
        stack.push(['key' in item ? (item.key ?? undefined) : undefined, depth + 1], [item.value, depth + 1])
      }
    }
  }
  return undefined
}

/**
 * A plain (unquoted) scalar whose text came from the environment gets the type YAML would have
 * given the substituted text (`replicas: $N` with N=3 is the integer 3), as with dataos-ctl's
 * text substitution; anything that is not a scalar stays text.
 */
function retype(text: string): unknown {
  try {
    const value: unknown = parseYaml(text)
    return value === null || ['number', 'boolean', 'string'].includes(typeof value) ? value : text
  } catch {
    return text
  }
}
