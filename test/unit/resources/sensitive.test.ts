import {describe, expect, it} from 'vitest'
import {joinSensitive, splitSensitive} from '../../../src/resources/sensitive.js'

describe('splitSensitive / joinSensitive', () => {
  const secret = {name: 's', type: 'secret', secret: {type: 'key-value', data: {user: 'app', password: 'hunter2'}}}
  const worker = {name: 'w', type: 'worker', worker: {stack: 'node', runAsUser: 'me', runAsApiKey: 'drv_x'}}

  it('takes credentials out, leaving the rest', () => {
    expect(splitSensitive(secret)).toEqual({
      plain: {name: 's', type: 'secret', secret: {type: 'key-value', data: {}}},
      sensitive: {secret: {data: {user: 'app', password: 'hunter2'}}},
    })
    expect(splitSensitive(worker)).toEqual({
      plain: {name: 'w', type: 'worker', worker: {stack: 'node', runAsUser: 'me'}},
      sensitive: {worker: {runAsApiKey: 'drv_x'}},
    })
    const plain = {name: 'p', worker: {stack: 'node'}}
    expect(splitSensitive(plain)).toEqual({plain})
  })

  it('puts them back, masked or revealed', () => {
    const {plain, sensitive} = splitSensitive(secret)
    expect(joinSensitive(plain, sensitive, true)).toEqual(secret)
    expect(joinSensitive(plain, sensitive, false)).toEqual({
      ...secret,
      secret: {type: 'key-value', data: {user: '******', password: '******'}},
    })
    expect(joinSensitive(plain, undefined, false)).toBe(plain)
  })
})
