// The Operations page's HTML (decision 0016): server-rendered from what the API's own service
// calls return, every value escaped (html.ts), no inline script or style (the CSP forbids
// them): assets/ui/app.js adds the live parts (refresh, charts, logs) by itself.
import {stringify} from 'yaml'
import {age, runtimeColumn, statusColumn} from '../../api/columns.js'
import type {EventsResponse, ResourceObject, RuntimeView} from '../../api/types.js'
import {type Html, html} from './html.js'

const formatCores = (cores: number | undefined) =>
  cores === undefined ? '—' : cores >= 1 ? `${cores.toFixed(2)}` : `${Math.round(cores * 1000)}m`
const formatBytes = (bytes: number | undefined) =>
  bytes === undefined
    ? '—'
    : bytes >= 1 << 30
      ? `${(bytes / (1 << 30)).toFixed(1)}Gi`
      : `${Math.round(bytes / (1 << 20))}Mi`

/** The CSS class of a RUNTIME cell: its first word (running, pending, crashlooping, error…). */
const runtimeClass = (text: string) => `status status-${text.split(/[:\s(]/)[0] || 'none'}`

function page(options: {title: string; user?: string; body: Html; scripts?: string[]}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${options.title} · drover</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<link rel="stylesheet" href="/ui/assets/style.css">
${(options.scripts ?? []).includes('charts') ? html`<link rel="stylesheet" href="/ui/assets/uPlot.min.css">` : ''}
</head>
<body>
<header>
<a class="brand" href="/">drover</a>
${
  options.user
    ? html`<span class="who">signed in as <strong>${options.user}</strong></span>
<form method="post" action="/ui/logout"><button type="submit">Log out</button></form>`
    : ''
}
</header>
${options.body}
${(options.scripts ?? []).includes('charts') ? html`<script src="/ui/assets/uPlot.iife.min.js" defer></script>` : ''}
<script src="/ui/assets/app.js" defer></script>
</body>
</html>`
}

export function loginPage(message?: string): Html {
  return page({
    title: 'Log in',
    body: html`<main class="login">
<h1>Log in to drover</h1>
${message ? html`<p class="error" role="alert">${message}</p>` : ''}
<form method="post" action="/ui/login">
<label for="apiKey">API key</label>
<input id="apiKey" name="apiKey" type="password" autocomplete="off" required autofocus>
<button type="submit">Log in</button>
</form>
<p class="hint">The page shows what this key may read. <code>drover dashboard</code> prints a one-time login link.</p>
</main>`,
  })
}

export function errorPage(message: string): Html {
  return page({
    title: 'Not available',
    body: html`<main><h1>Not available</h1><p class="error" role="alert">${message}</p><p><a href="/">Back to the workers</a></p></main>`,
  })
}

export interface Filter {
  name?: string
  tag?: string
  status?: string
}

/** Whether a worker passes the overview's filter (name part, tag, status or runtime word). */
export function matches(r: ResourceObject, filter: Filter): boolean {
  if (filter.name && !String(r.manifest.name).includes(filter.name)) return false
  if (filter.tag && !(Array.isArray(r.manifest.tags) && r.manifest.tags.map(String).includes(filter.tag))) return false
  if (filter.status) {
    const words = [statusColumn(r), runtimeColumn(r).split(/[:\s(]/)[0]]
    if (!words.includes(filter.status)) return false
  }
  return true
}

/** The overview's live part: per workspace, its workers with `drover get`'s columns. */
export function workersPart(byWorkspace: Map<string, ResourceObject[]>, now: number): Html {
  if (byWorkspace.size === 0) return html`<p class="empty">No worker to show.</p>`
  return html`${[...byWorkspace].map(
    ([workspace, items]) => html`<section aria-labelledby="ws-${workspace}">
<h2 id="ws-${workspace}">Workspace ${workspace} <span class="count">${items.length} ${items.length === 1 ? 'worker' : 'workers'}</span></h2>
<table class="workers">
<thead><tr><th scope="col">Name</th><th scope="col">Version</th><th scope="col">Stack</th><th scope="col">Compute</th><th scope="col">Status</th><th scope="col">Runtime</th><th scope="col">Owner</th><th scope="col">Age</th></tr></thead>
<tbody>
${items.map((r) => {
  const worker = (r.manifest.worker ?? {}) as {stack?: string; compute?: string}
  const runtime = runtimeColumn(r)
  const status = statusColumn(r)
  // One line, no inner elements but the link: fewer bytes and nodes for a thousand rows to parse.
  return html`<tr data-name="${String(r.manifest.name)}"><th scope="row"><a href="/ui/workers/${encodeURIComponent(workspace)}/${encodeURIComponent(String(r.manifest.name))}">${String(r.manifest.name)}</a></th><td>${String(r.manifest.version)}</td><td>${worker.stack ?? ''}</td><td>${worker.compute ?? ''}</td><td class="status status-${status}">${status}</td><td class="${runtimeClass(runtime)}">${runtime}</td><td>${r.metadata.owner}</td><td>${age(r.metadata.createdAt, now)}</td></tr>`
})}
</tbody>
</table>
</section>`,
  )}`
}

export function overviewPage(user: string, filter: Filter, workspaces: string[], live: Html): Html {
  return page({
    title: 'Workers',
    user,
    body: html`<main>
<h1>Workers</h1>
<form class="filter" role="search" method="get" action="/">
<label>Name <input name="name" value="${filter.name ?? ''}" autocomplete="off"></label>
<label>Tag <input name="tag" value="${filter.tag ?? ''}" autocomplete="off"></label>
<label>Status <select name="status">
${['', 'active', 'error', 'running', 'pending', 'crashlooping', 'stopped', 'dry-run'].map(
  (s) => html`<option value="${s}"${filter.status === s ? html` selected` : ''}>${s || 'any'}</option>`,
)}
</select></label>
<button type="submit">Filter</button>
</form>
<p class="workspaces">Workspaces: ${workspaces.length > 0 ? workspaces.join(', ') : 'none'}</p>
<div id="live" data-refresh="1" aria-live="polite">${live}</div>
</main>`,
  })
}

export interface WorkerView {
  workspace: string
  resource: ResourceObject
  runtime: RuntimeView
  events: EventsResponse
}

/** A worker page's live part: summary, conditions, replicas, events, manifest. */
export function workerPart(view: WorkerView, now: number): Html {
  const r = view.resource
  const s = r.status
  const runtime = runtimeColumn(r)
  const worker = (r.manifest.worker ?? {}) as {stack?: string; compute?: string}
  const conditions = s.conditions ?? []
  return html`<dl class="summary">
<div><dt>Status</dt><dd><span class="status status-${statusColumn(r)}">${statusColumn(r)}</span></dd></div>
<div><dt>Runtime</dt><dd><span class="${runtimeClass(runtime)}">${runtime}</span></dd></div>
<div><dt>Version</dt><dd>${String(r.manifest.version)}</dd></div>
<div><dt>Stack</dt><dd>${worker.stack ?? ''}</dd></div>
<div><dt>Compute</dt><dd>${worker.compute ?? ''}</dd></div>
<div><dt>Owner</dt><dd>${r.metadata.owner}</dd></div>
<div><dt>Age</dt><dd>${age(r.metadata.createdAt, now)}</dd></div>
<div><dt>Generation</dt><dd>${r.metadata.generation} (observed ${s.observedGeneration ?? '—'})</dd></div>
<div><dt>Revision</dt><dd>${typeof s.revision === 'string' ? s.revision : '—'}</dd></div>
<div><dt>Replicas</dt><dd>${s.readyReplicas ?? 0} ready of ${s.desiredReplicas ?? '—'}</dd></div>
</dl>
<section aria-labelledby="conditions"><h2 id="conditions">Conditions</h2>
${
  conditions.length === 0
    ? html`<p class="empty">None yet.</p>`
    : html`<table><thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Since</th></tr></thead><tbody>
${conditions.map(
  (c) =>
    html`<tr><th scope="row">${c.type}</th><td>${c.status}</td><td>${c.reason ?? ''}</td><td>${c.message ?? ''}</td><td>${
      c.lastTransitionTime ? age(c.lastTransitionTime, now) : ''
    }</td></tr>`,
)}</tbody></table>`
}
</section>
<section aria-labelledby="replicas"><h2 id="replicas">Replicas</h2>
${
  view.runtime.replicas.length === 0
    ? html`<p class="empty">No replica runs.</p>`
    : html`<table><thead><tr><th scope="col">Name</th><th scope="col">${view.runtime.replicas.some((x) => x.node) ? 'Node' : 'PID'}</th><th scope="col">Phase</th><th scope="col">Ready</th><th scope="col">Restarts</th><th scope="col">Last exit</th><th scope="col">CPU</th><th scope="col">Memory</th></tr></thead><tbody>
${view.runtime.replicas.map(
  (x) =>
    html`<tr><th scope="row">${x.name}</th><td>${x.node ?? x.pid ?? '—'}</td><td><span class="${runtimeClass(
      x.crashLooping ? 'crashlooping' : x.phase.toLowerCase(),
    )}">${x.crashLooping ? 'CrashLoop' : x.phase}</span></td><td>${x.ready ? 'yes' : 'no'}</td><td>${x.restarts}</td><td>${
      x.lastExit ? exitText(x.lastExit) : '—'
    }</td><td>${formatCores(x.cpuCores)}</td><td>${formatBytes(x.memoryBytes)}</td></tr>`,
)}</tbody></table>`
}
</section>
<section aria-labelledby="events"><h2 id="events">Events</h2>
${
  view.events.items.length === 0
    ? html`<p class="empty">No event.</p>`
    : html`<table><thead><tr><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Count</th><th scope="col">Last</th><th scope="col">First</th></tr></thead><tbody>
${[...view.events.items]
  .reverse()
  .map(
    (e) =>
      html`<tr class="event-${e.type}"><td>${e.type}</td><th scope="row">${e.reason}</th><td>${e.message}</td><td>${
        e.count ?? 1
      }</td><td>${age(e.time, now)}</td><td>${e.firstTime ? age(e.firstTime, now) : age(e.time, now)}</td></tr>`,
  )}</tbody></table>`
}
</section>
<section aria-labelledby="manifest"><h2 id="manifest">Manifest</h2>
<pre class="manifest">${stringify(r.manifest)}</pre>
</section>`
}

function exitText(e: {code?: number | null; signal?: string | null; reason?: string}): string {
  const how = e.signal ? `signal ${e.signal}` : e.code !== undefined && e.code !== null ? `code ${e.code}` : ''
  return [e.reason, how].filter(Boolean).join(', ')
}

export function workerPage(user: string, view: WorkerView, now: number): Html {
  const name = String(view.resource.manifest.name)
  const api = `/api/v1/resources/worker/${encodeURIComponent(name)}`
  const ws = `workspace=${encodeURIComponent(view.workspace)}`
  return page({
    title: `${name} (${view.workspace})`,
    user,
    scripts: ['charts'],
    body: html`<main>
<nav aria-label="Breadcrumb"><a href="/">Workers</a> › ${view.workspace} › ${name}</nav>
<h1>${name} <span class="workspace">in ${view.workspace}</span></h1>
<div id="live" data-refresh="1" aria-live="polite">${workerPart(view, now)}</div>
<section aria-labelledby="charts"><h2 id="charts">Last hour</h2>
<div class="charts" data-history="${api}/history?${ws}">
<figure><figcaption>Replicas: running, desired, recommended</figcaption><div class="chart" data-chart="replicas"></div></figure>
<figure><figcaption>CPU per replica (cores), against request and limit</figcaption><div class="chart" data-chart="cpu"></div></figure>
<figure><figcaption>Memory per replica (MiB), against request and limit</figcaption><div class="chart" data-chart="memory"></div></figure>
</div>
</section>
<section aria-labelledby="logs"><h2 id="logs">Logs</h2>
<form class="log-controls">
<label>Replica <select name="replica"><option value="">all</option>${[
      ...new Set(view.runtime.replicas.map((x) => x.index)),
    ]
      .sort((a, b) => a - b)
      .map((i) => html`<option value="${i}">${i}</option>`)}</select></label>
<label><input type="checkbox" name="previous"> previous instance</label>
<span class="log-state" role="status"></span>
<button type="button" class="log-resume" hidden>Resume following</button>
</form>
<pre class="log" tabindex="0" data-logs="${api}/logs?${ws}"></pre>
</section>
</main>`,
  })
}
