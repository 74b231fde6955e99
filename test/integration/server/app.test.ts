// The HTTP API in-process: buildApp with a real SQLite file, called through inject().
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {type TestApp, buildTestApp, tempDir} from '../../helpers/server.js'

const worker = (name: string, section: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  name,
  version: 'v1beta',
  type: 'worker',
  ...meta,
  worker: {stack: 'node', compute: 'runnable-default', stackSpec: {source: 'setInterval(() => {}, 1000)'}, ...section},
})
const secret = (name: string, data: Record<string, string>) => ({
  name,
  version: 'v1',
  type: 'secret',
  secret: {type: 'key-value', data},
})

describe('HTTP API', () => {
  const dir = tempDir('app')
  let t: TestApp
  beforeAll(async () => {
    t = await buildTestApp(dir)
  })
  afterAll(async () => t.close())

  const apply = (who: string, body: Record<string, unknown>) =>
    t.app.inject({method: 'POST', url: '/api/v1/apply', headers: t.auth(who), payload: body})
  const get = (who: string, url: string) => t.app.inject({method: 'GET', url, headers: t.auth(who)})

  describe('auth', () => {
    it('answers 401 without a key, with a malformed key and with an unknown key, in one shape', async () => {
      for (const headers of [
        {},
        {authorization: 'Bearer nope'},
        {authorization: `Bearer ${t.keys.alice!.slice(0, -2)}xx`},
        {authorization: 'Basic abc'},
      ]) {
        const r = await t.app.inject({method: 'GET', url: '/api/v1/whoami', headers})
        expect(r.statusCode).toBe(401)
        expect(r.json()).toEqual({
          code: 'Unauthorized',
          message: 'missing or invalid API key: send "Authorization: Bearer <key>"',
          details: [],
        })
      }
    })

    it('answers 403 for a valid key without the permission', async () => {
      const r = await apply('bob', {manifest: worker('w-bob')})
      expect(r.statusCode).toBe(403)
      expect(r.json()).toEqual({code: 'Forbidden', message: 'user bob may not write workspace public', details: []})
      const cross = await apply('alice', {manifest: worker('w-alice'), workspace: 'team'})
      expect(cross.statusCode).toBe(403)
      expect((await get('carol', '/api/v1/resources/worker/x?workspace=public')).statusCode).toBe(403)
      expect((await get('carol', '/api/v1/resources?workspace=public')).statusCode).toBe(403)
    })

    it('tells the caller who it is', async () => {
      expect((await get('alice', '/api/v1/whoami')).json()).toEqual({
        user: 'alice',
        admin: false,
        grants: [{workspace: 'public', access: 'write'}],
      })
    })
  })

  describe('apply', () => {
    it('creates, then reports unchanged, then updated with a new generation', async () => {
      const created = await apply('alice', {manifest: worker('w1')})
      expect(created.statusCode).toBe(200)
      const body = created.json()
      expect(body.result).toBe('created')
      expect(body.resource.metadata).toMatchObject({
        id: 'worker:v1beta:w1:public',
        owner: 'alice',
        workspace: 'public',
        generation: 1,
      })
      expect(body.resource.status).toMatchObject({phase: 'Pending'})
      expect(body.resource.manifest.worker).toMatchObject({replicas: 1, logLevel: 'INFO', dryRun: false})

      const again = (await apply('alice', {manifest: worker('w1')})).json()
      expect(again.result).toBe('unchanged')
      expect(again.diff).toEqual([])
      expect(again.resource.metadata.resourceVersion).toBe(body.resource.metadata.resourceVersion)

      const updated = (await apply('alice', {manifest: worker('w1', {replicas: 3})})).json()
      expect(updated.result).toBe('updated')
      expect(updated.resource.metadata.generation).toBe(2)
      expect(updated.diff).toEqual([{op: 'change', path: 'worker.replicas', from: 1, to: 3}])
    })

    it('returns the diff of a dry run and stores nothing', async () => {
      await apply('alice', {manifest: worker('dry', {replicas: 3})})
      const r = (await apply('alice', {manifest: worker('dry', {replicas: 5, envs: {A: 'x'}}), dryRun: true})).json()
      expect(r).toMatchObject({result: 'updated', dryRun: true})
      expect(r.diff).toEqual([
        {op: 'change', path: 'worker.replicas', from: 3, to: 5},
        {op: 'add', path: 'worker.envs', to: {A: 'x'}},
      ])
      const stored = (await get('alice', '/api/v1/resources/worker/dry')).json()
      expect(stored.manifest.worker.replicas).toBe(3)
      expect((await apply('alice', {manifest: worker('w-new'), dryRun: true})).json()).toMatchObject({
        result: 'created',
        dryRun: true,
      })
      expect((await get('alice', '/api/v1/resources/worker/w-new')).statusCode).toBe(404)
    })

    it('validates with the shared model: 422 with field paths', async () => {
      const r = await apply('alice', {manifest: worker('Bad', {replica: 2})})
      expect(r.statusCode).toBe(422)
      expect(r.json()).toEqual({
        code: 'Invalid',
        message: 'the manifest is not valid',
        details: [
          {
            path: ['name'],
            field: 'name',
            code: 'InvalidValue',
            message: expect.stringMatching(/^name: Invalid value: "Bad": must consist of lower case letters/),
          },
          {
            path: ['worker', 'replica'],
            field: 'worker.replica',
            code: 'UnknownField',
            message: 'worker.replica: Unknown field; did you mean "replicas"?',
          },
        ],
      })
    })

    it('checks that the stack and the referenced secrets exist', async () => {
      const r = await apply('alice', {
        manifest: worker('w2', {stack: 'bento:3.0', secrets: ['nope'], dataosSecrets: [{name: 'nope2'}]}),
      })
      expect(r.statusCode).toBe(422)
      expect(r.json().details).toEqual([
        {
          path: ['worker', 'stack'],
          field: 'worker.stack',
          code: 'NotFound',
          message: 'worker.stack: Not found: stack "bento:3.0" is not registered; available: command:1.0, node:1.0',
        },
        {
          path: ['worker', 'secrets', 0],
          field: 'worker.secrets[0]',
          code: 'NotFound',
          message: 'worker.secrets[0]: Not found: secret "nope" does not exist in workspace public; apply it first',
        },
        {
          path: ['worker', 'dataosSecrets', 0, 'name'],
          field: 'worker.dataosSecrets[0].name',
          code: 'NotFound',
          message:
            'worker.dataosSecrets[0].name: Not found: secret "nope2" does not exist in workspace public; apply it first',
        },
      ])
    })

    it('refuses a manifest workspace that disagrees with the requested one', async () => {
      const r = await apply('alice', {manifest: worker('w3', {}, {workspace: 'public'}), workspace: 'team'})
      expect(r.statusCode).toBe(422)
      expect(r.json().details[0].message).toBe(
        'workspace: Invalid value: "public": does not match the requested workspace team',
      )
    })

    it('answers 409 to a write with a stale resourceVersion', async () => {
      await apply('alice', {manifest: worker('versioned')})
      const current = (await get('alice', '/api/v1/resources/worker/versioned')).json()
      const rv = current.metadata.resourceVersion
      const ok = await apply('alice', {manifest: worker('versioned', {replicas: 4}), resourceVersion: rv})
      expect(ok.statusCode).toBe(200)
      const stale = await apply('alice', {manifest: worker('versioned', {replicas: 6}), resourceVersion: rv})
      expect(stale.statusCode).toBe(409)
      expect(stale.json().message).toMatch(
        /^worker public\/versioned has been modified \(resourceVersion \d+, not \d+\); get it again and re-apply your change$/,
      )
      expect((await apply('alice', {manifest: worker('versioned'), resourceVersion: '0'})).json().message).toBe(
        'worker public/versioned already exists',
      )
    })

    it('lets a worker act as another user only for an admin or that user, and never shows its API key', async () => {
      const asAdmin = await apply('alice', {manifest: worker('w-runas', {runAsUser: 'admin'})})
      expect(asAdmin.statusCode).toBe(422)
      expect(asAdmin.json().details).toEqual([
        {
          path: ['worker', 'runAsUser'],
          field: 'worker.runAsUser',
          code: 'Forbidden',
          message: 'worker.runAsUser: Forbidden: user alice may not run workers as admin',
        },
      ])
      const foreignKey = await apply('alice', {manifest: worker('w-runas', {runAsApiKey: t.keys.bob})})
      expect(foreignKey.json().details[0].message).toBe(
        'worker.runAsApiKey: Forbidden: the key belongs to bob, not to alice',
      )
      expect(
        (await apply('alice', {manifest: worker('w-runas', {runAsApiKey: 'drv_nope'})})).json().details[0].message,
      ).toBe('worker.runAsApiKey: Invalid value: not a valid API key of this control plane')
      const ok = await apply('alice', {manifest: worker('w-runas', {runAsUser: 'alice', runAsApiKey: t.keys.alice})})
      expect(ok.statusCode).toBe(200)
      const shown = (await get('alice', '/api/v1/resources/worker/w-runas')).body
      expect(shown).toContain('"runAsApiKey":"******"')
      expect(shown).not.toContain(t.keys.alice!.slice(4))
      const row = t.store.db.prepare("SELECT manifest FROM resources WHERE name = 'w-runas'").get() as {
        manifest: string
      }
      expect(row.manifest).not.toContain(t.keys.alice!.slice(4))
      expect(
        (await apply('alice', {manifest: worker('w-runas', {runAsUser: 'alice', runAsApiKey: t.keys.alice})})).json()
          .result,
      ).toBe('unchanged')
    })

    it('lets only admins write instance-level stacks; everyone reads them', async () => {
      const stack = {
        name: 'ticker',
        version: 'v1',
        type: 'stack',
        stack: {name: 'ticker', version: '1.0', command: ['sh']},
      }
      expect((await apply('alice', {manifest: stack})).statusCode).toBe(403)
      expect((await apply('admin', {manifest: stack})).json().result).toBe('created')
      expect((await get('bob', '/api/v1/resources/stack/ticker')).json().metadata).toMatchObject({
        id: 'stack:v1:ticker',
        owner: 'admin',
      })
      expect((await get('bob', '/api/v1/resources/stack/ticker')).json().metadata.workspace).toBeUndefined()
      // Stacks are instance-wide: leave the list of stacks as the other tests expect it.
      const removed = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/resources/stack/ticker',
        headers: t.auth('admin'),
      })
      expect(removed.statusCode).toBe(200)
    })
  })

  describe('secrets', () => {
    it('stores values encrypted, shows keys only, reveals values to writers who ask', async () => {
      const r = (await apply('alice', {manifest: secret('db', {user: 'app', password: 'hunter2'})})).json()
      expect(r.resource.manifest.secret.data).toEqual({user: '******', password: '******'})
      expect(JSON.stringify(r)).not.toContain('hunter2')
      const row = t.store.db.prepare("SELECT * FROM resources WHERE type = 'secret' AND name = 'db'").get() as Record<
        string,
        unknown
      >
      expect(JSON.stringify(row)).not.toContain('hunter2')
      expect(String(row.sealed)).toMatch(/^v1:/)
      expect((await get('bob', '/api/v1/resources/secret/db')).json().manifest.secret.data.password).toBe('******')
      expect((await get('bob', '/api/v1/resources/secret/db?unSanitize=true')).statusCode).toBe(403)
      expect((await get('alice', '/api/v1/resources/secret/db?unSanitize=true')).json().manifest.secret.data).toEqual({
        user: 'app',
        password: 'hunter2',
      })
    })

    it('notices a changed value, and masks it in the diff', async () => {
      expect((await apply('alice', {manifest: secret('db2', {user: 'app', password: 'hunter2'})})).json().result).toBe(
        'created',
      )
      expect((await apply('alice', {manifest: secret('db2', {user: 'app', password: 'hunter2'})})).json().result).toBe(
        'unchanged',
      )
      const r = (await apply('alice', {manifest: secret('db2', {user: 'app', password: 'swordfish'})})).json()
      expect(r.result).toBe('updated')
      expect(r.diff).toEqual([{op: 'change', path: 'secret.data.password', from: '******', to: '******'}])
    })

    it('refuses to delete a secret that a worker uses, naming it; --force deletes and says what it skipped', async () => {
      expect((await apply('alice', {manifest: secret('db3', {user: 'app'})})).statusCode).toBe(200)
      expect((await apply('alice', {manifest: worker('uses-db', {dataosSecrets: [{name: 'db3'}]})})).statusCode).toBe(
        200,
      )
      const refused = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/resources/secret/db3',
        headers: t.auth('alice'),
      })
      expect(refused.statusCode).toBe(409)
      expect(refused.json()).toEqual({
        code: 'Conflict',
        message: 'secret db3 is still used by worker:v1beta:uses-db:public; delete those first, or pass --force',
        details: [{code: 'Dependency', message: 'used by worker:v1beta:uses-db:public'}],
      })
      const forced = await t.app.inject({
        method: 'DELETE',
        url: '/api/v1/resources/secret/db3?force=true',
        headers: t.auth('alice'),
      })
      expect(forced.statusCode).toBe(200)
      expect(forced.json().skipped).toEqual(['still used by worker:v1beta:uses-db:public'])
    })
  })

  describe('get, list, delete, events', () => {
    it('lists the caller’s own resources by default, every owner with all=true, a page at a time', async () => {
      await apply('admin', {manifest: worker('w-admin')})
      for (const name of ['list-1', 'list-2', 'list-3']) await apply('alice', {manifest: worker(name)})
      const own = (await get('alice', '/api/v1/resources?type=worker')).json()
      expect(own.items.map((i: {metadata: {owner: string}}) => i.metadata.owner)).toEqual(
        expect.arrayContaining(['alice']),
      )
      expect(own.items.every((i: {metadata: {owner: string}}) => i.metadata.owner === 'alice')).toBe(true)
      const all = (await get('alice', '/api/v1/resources?type=worker&all=true')).json()
      expect(all.items.map((i: {manifest: {name: string}}) => i.manifest.name)).toContain('w-admin')
      const page1 = (await get('alice', '/api/v1/resources?type=worker&all=true&limit=2')).json()
      expect(page1.items).toHaveLength(2)
      const page2 = (
        await get('alice', `/api/v1/resources?type=worker&all=true&limit=2&continue=${page1.continue}`)
      ).json()
      expect(page2.items[0].manifest.name > page1.items[1].manifest.name).toBe(true)
      expect((await get('alice', '/api/v1/resources?continue=garbage')).statusCode).toBe(400)
      expect((await get('alice', '/api/v1/resources?limit=0')).statusCode).toBe(400)
      expect((await get('alice', '/api/v1/resources?type=pod')).statusCode).toBe(400)
    })

    it('shows only readable workspaces to a non-admin listing everything', async () => {
      await apply('carol', {manifest: worker('w-team'), workspace: 'team'})
      const names = (await get('alice', '/api/v1/resources?all=true'))
        .json()
        .items.map((i: {metadata: {id: string}}) => i.metadata.id)
      expect(names).not.toContain('worker:v1beta:w-team:team')
      expect(names).toContain('stack:v1:node')
    })

    it('keeps events per resource', async () => {
      for (const replicas of [1, 2, 3]) await apply('alice', {manifest: worker('with-events', {replicas})})
      await apply('alice', {manifest: worker('other')})
      const events = (await get('alice', '/api/v1/resources/worker/with-events/events')).json().items
      expect(events.map((e: {reason: string; message: string}) => `${e.reason}: ${e.message}`)).toEqual([
        'Applied: created by alice (generation 1)',
        'Applied: updated by alice (generation 2)',
        'Applied: updated by alice (generation 3)',
      ])
    })

    it('deletes, then answers 404', async () => {
      await apply('alice', {manifest: worker('short-lived')})
      const url = '/api/v1/resources/worker/short-lived'
      const r = await t.app.inject({method: 'DELETE', url, headers: t.auth('alice')})
      expect(r.statusCode).toBe(200)
      expect(r.json().deleted.metadata.id).toBe('worker:v1beta:short-lived:public')
      const again = await t.app.inject({method: 'DELETE', url, headers: t.auth('alice')})
      expect(again.statusCode).toBe(404)
      expect(again.json()).toEqual({
        code: 'NotFound',
        message: 'worker "short-lived" not found in workspace public',
        details: [],
      })
    })
  })

  describe('bad requests', () => {
    it.each([
      ['malformed JSON', {payload: '{bad', headers: {'content-type': 'application/json'}}, 400, 'BadRequest'],
      ['an empty body', {payload: '', headers: {'content-type': 'application/json'}}, 400, 'BadRequest'],
      [
        'a body that is not an object',
        {payload: '[1]', headers: {'content-type': 'application/json'}},
        400,
        'BadRequest',
      ],
      ['no manifest', {payload: '{}', headers: {'content-type': 'application/json'}}, 400, 'BadRequest'],
      [
        'an unknown envelope field',
        {payload: '{"manifest":{},"x":1}', headers: {'content-type': 'application/json'}},
        400,
        'BadRequest',
      ],
      [
        'a manifest that is not a mapping',
        {payload: '{"manifest":"x"}', headers: {'content-type': 'application/json'}},
        400,
        'BadRequest',
      ],
      ['text/plain', {payload: 'hello', headers: {'content-type': 'text/plain'}}, 415, 'UnsupportedMediaType'],
      [
        'an oversized body',
        {
          payload: JSON.stringify({manifest: {x: 'a'.repeat(2 * 1024 * 1024)}}),
          headers: {'content-type': 'application/json'},
        },
        413,
        'PayloadTooLarge',
      ],
    ])('%s → %i %s', async (_, request, status, code) => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/apply',
        ...request,
        headers: {...request.headers, ...t.auth('alice')},
      })
      expect(r.statusCode).toBe(status)
      expect(r.json()).toMatchObject({code, message: expect.any(String), details: expect.any(Array)})
      expect(r.body).not.toMatch(/at .*\.js:\d+/) // never a stack trace
    })

    it('answers unknown routes with 404 in the same shape', async () => {
      const r = await t.app.inject({method: 'GET', url: '/api/v2/nothing?x=1'})
      expect(r.statusCode).toBe(404)
      expect(r.json()).toEqual({code: 'NotFound', message: 'no route GET /api/v2/nothing', details: []})
    })
  })

  describe('service endpoints', () => {
    it('serves health, readiness, metrics and the OpenAPI document without a key', async () => {
      expect((await t.app.inject('/healthz')).json()).toEqual({status: 'ok', version: 'test'})
      expect((await t.app.inject('/readyz')).json()).toEqual({status: 'ready'})
      await apply('alice', {manifest: worker('counted')})
      const metrics = await t.app.inject('/metrics')
      expect(metrics.headers['content-type']).toMatch(/^text\/plain/)
      expect(metrics.body).toMatch(
        /^drover_http_requests_total\{method="POST",route="\/api\/v1\/apply",status="200"\} \d+$/m,
      )
      const openapi = (await t.app.inject('/api/v1/openapi.json')).json()
      expect(openapi.openapi).toBe('3.1.0')
      expect(Object.keys(openapi.paths)).toContain('/api/v1/resources/{type}/{name}')
    })

    it('serves the schema the server validates with', async () => {
      const r = await get('bob', '/api/v1/schemas/worker/v1beta')
      expect(r.json().$id).toBe('https://drover.dev/schemas/worker.v1beta.schema.json')
      expect((await get('bob', '/api/v1/schemas/worker/v9')).statusCode).toBe(404)
    })

    it('lets an admin create a user, whose key then works', async () => {
      const r = (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: t.auth('admin'),
          payload: {name: 'dave', grants: [{workspace: 'ops', access: 'write'}]},
        })
      ).json()
      expect(r.apiKey).toMatch(/^drv_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$/)
      const who = await t.app.inject({
        method: 'GET',
        url: '/api/v1/whoami',
        headers: {authorization: `Bearer ${r.apiKey}`},
      })
      expect(who.json()).toEqual({user: 'dave', admin: false, grants: [{workspace: 'ops', access: 'write'}]})
      expect(
        (await t.app.inject({method: 'POST', url: '/api/v1/users', headers: t.auth('alice'), payload: {name: 'eve'}}))
          .statusCode,
      ).toBe(403)
    })
  })
})
