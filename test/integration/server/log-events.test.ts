// A worker's log as server-sent events (what the Operations page follows), from the real control
// plane process and a real replica: the framing, and a reconnect with Last-Event-ID resuming
// with the line after the last one seen.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {apply, nodeWorker} from '../../helpers/api.js'
import {FAST, type ServerProcess, startServerProcess, tempDir} from '../../helpers/server.js'
import {waitFor} from '../../helpers/wait.js'

let server: ServerProcess

beforeAll(async () => {
  server = await startServerProcess({home: tempDir('sse'), env: FAST})
  const ticker = nodeWorker('ticker', "let i = 0; setInterval(() => console.log('tick ' + ++i), 50)")
  expect((await apply(server, ticker)).status).toBe(200)
})
afterAll(async () => {
  await server.stop()
})

/** The first `count` events of a stream (raw frames), then the stream is closed. */
async function events(headers: Record<string, string>, count: number): Promise<{raw: string; frames: string[]}> {
  const controller = new AbortController()
  const response = await fetch(
    new URL('/api/v1/resources/worker/ticker/logs?workspace=public&follow=true&tailLines=1', server.url),
    {
      headers: {authorization: `Bearer ${server.adminKey}`, accept: 'text/event-stream', ...headers},
      signal: controller.signal,
    },
  )
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
  expect(response.headers.get('cache-control')).toBe('no-cache')
  const reader = response.body!.getReader()
  const decoder = new TextDecoder()
  let raw = ''
  const frames = () => raw.split('\n\n').filter((f) => f.startsWith('id: '))
  try {
    while (frames().length < count) {
      const {value, done} = await reader.read()
      if (done) break
      raw += decoder.decode(value, {stream: true})
    }
  } finally {
    controller.abort()
  }
  return {raw, frames: frames().slice(0, count)}
}

describe('logs as server-sent events', () => {
  it('frames each line as an event with an id, and resumes after Last-Event-ID', async () => {
    await waitFor('a few ticks', async () => {
      const r = await fetch(new URL('/api/v1/resources/worker/ticker/logs?workspace=public', server.url), {
        headers: {authorization: `Bearer ${server.adminKey}`},
      })
      return /tick 5\b/.test(await r.text()) || undefined
    })
    const first = await events({}, 4)
    expect(first.raw.startsWith(': drover log stream\n\n')).toBe(true)
    for (const frame of first.frames) {
      const [id, data, ...rest] = frame.split('\n')
      expect(id).toMatch(/^id: \d{4}-\d\d-\d\dT[\d:.]+Z\|\d+$/)
      expect(rest).toEqual([])
      const line = JSON.parse(data!.replace(/^data: /, '')) as {replica: string; line: string; time: string}
      expect(line.replica).toMatch(/^ticker-[0-9a-f]+-0$/)
      expect(line.line).toMatch(/^tick \d+$/)
      expect(id!.slice(4).split('|')[0]).toBe(line.time)
    }
    const data = (frame: string) => JSON.parse(frame.split('\n')[1]!.slice(6)) as {line: string}
    const lastSeen = first.frames[1]!.split('\n')[0]!.slice(4)
    const resumed = await events({'last-event-id': lastSeen}, 2)
    expect(data(resumed.frames[0]!).line).toBe(data(first.frames[2]!).line)
    expect(data(resumed.frames[1]!).line).toBe(data(first.frames[3]!).line)
  })

  it('refuses a stream to a caller without the key, before it starts', async () => {
    const r = await fetch(new URL('/api/v1/resources/worker/ticker/logs?workspace=public&follow=true', server.url), {
      headers: {accept: 'text/event-stream'},
    })
    expect(r.status).toBe(401)
  })
})
