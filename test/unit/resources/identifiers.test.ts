import {describe, expect, it} from 'vitest'
import {IdentifierError, formatRef, parseId, parseIdentifier, refFromFlags} from '../../../src/resources/identifiers.js'

const worker = {type: 'worker', version: 'v1beta', name: 'my-worker', workspace: 'public'}

describe('parseIdentifier (-i)', () => {
  it.each([
    ['my-worker | v1beta | worker | public', worker],
    ['my-worker|v1beta|worker|public', worker],
    ['  my-worker   | v1beta      | worker | public  ', worker],
    ['my-worker | v1beta | worker', worker],
    // A row copied from `get`, with STATUS, RUNTIME and OWNER after the workspace.
    ['my-worker | v1beta | worker | public | active | running:1 | me', worker],
    // Empty segments padding a row (as in dataos-ctl's command reference) are ignored...
    ['my-worker | | v1beta | | worker | sandbox', {...worker, workspace: 'sandbox'}],
    // ...but an empty column where a value belongs is its default and shifts nothing.
    ['my-worker||worker|public', worker],
    ['my-worker | | worker | sandbox', {...worker, workspace: 'sandbox'}],
    ['my-worker | v1beta | worker | | active', worker],
    ['ticker | | stack | | active | | me', {type: 'stack', version: 'v1', name: 'ticker'}],
    // Box tables (newer dataos-ctl) and space-separated rows (kubectl's, or an old drover get).
    ['│ my-worker │ v1beta │ worker │ public │ active │', worker],
    ['my-worker   v1beta   worker   public   active   running:1/1   me   5s', worker],
    ['ticker  v1  stack', {type: 'stack', version: 'v1', name: 'ticker'}],
    ['worker:v1beta:my-worker:public', worker],
    ['worker:v1beta:my-worker', worker],
    ['my-worker:v1beta:worker:sandbox', {...worker, workspace: 'sandbox'}],
    ['ticker | v1 | stack', {type: 'stack', version: 'v1', name: 'ticker'}],
    ['ticker | v1 | stack | public | active', {type: 'stack', version: 'v1', name: 'ticker'}],
    ['stack:v1alpha:ticker', {type: 'stack', version: 'v1alpha', name: 'ticker'}],
  ])('%j', (input, expected) => expect(parseIdentifier(input)).toEqual(expected))

  it('reads the colon form type first when both readings name a type', () => {
    // A worker called "secret": type first, version v1beta exists for worker only in the
    // name-first reading, so that reading wins.
    expect(parseIdentifier('secret:v1beta:worker:public')).toEqual({
      type: 'worker',
      version: 'v1beta',
      name: 'secret',
      workspace: 'public',
    })
    expect(parseIdentifier('secret:v1:worker:public')).toEqual({
      type: 'secret',
      version: 'v1',
      name: 'worker',
      workspace: 'public',
    })
  })

  it.each([
    ['my-worker | v1beta', /expected "name \| version \| type \| workspace"/],
    ['my-worker | v1beta | wroker | public', /unknown type "wroker"; supported types: worker, stack, secret/],
    ['my-worker | v1 | worker | public', /worker has no version "v1"; supported: v1beta/],
    ['My_Worker | v1beta | worker | public', /name "My_Worker" must consist of lower case letters/],
    ['my-worker | v1beta | worker | Public', /workspace "Public" must consist/],
    ['a:b', /expected "name \| version \| type \| workspace" or type:version:name/],
    ['x:v1:y:z', /unknown type "x"/],
  ])('rejects %j', (input, message) => {
    expect(() => parseIdentifier(input)).toThrow(IdentifierError)
    expect(() => parseIdentifier(input)).toThrow(message)
  })
})

describe('parseId (--id)', () => {
  it('reads type:version:name:workspace', () => expect(parseId('worker:v1beta:my-worker:public')).toEqual(worker))
  it('defaults the workspace to public', () => expect(parseId('worker:v1beta:my-worker')).toEqual(worker))
  it('drops a workspace for instance-level types', () =>
    expect(parseId('stack:v1:ticker:public')).toEqual({type: 'stack', version: 'v1', name: 'ticker'}))
  it('is always type first', () =>
    expect(() => parseId('my-worker:v1beta:worker:public')).toThrow(/unknown type "my-worker"/))
  it('rejects the pipe form', () =>
    expect(() => parseId('my-worker | v1beta | worker')).toThrow(/expected type:version:name\[:workspace\]/))
})

describe('refFromFlags (-t -n -w -v)', () => {
  it('defaults the version to the type’s newest and the workspace to public', () =>
    expect(refFromFlags('worker', 'my-worker')).toEqual(worker))
  it('keeps an explicit workspace and version', () =>
    expect(refFromFlags('stack', 'ticker', 'ignored', 'v1alpha')).toEqual({
      type: 'stack',
      version: 'v1alpha',
      name: 'ticker',
    }))
})

describe('formatRef', () => {
  it('is the --id form', () => {
    expect(formatRef(worker)).toBe('worker:v1beta:my-worker:public')
    expect(formatRef({type: 'stack', version: 'v1', name: 'ticker'})).toBe('stack:v1:ticker')
  })
})
