// The Operations page's script: no framework, no build step, loaded from the page's own origin
// (the Content-Security-Policy allows nothing else). It keeps the page live: the #live part is
// asked for again every 2 s (an ETag makes an unchanged part a 304), the charts are redrawn
// from the worker's history, and the log follows over server-sent events (EventSource resumes
// with Last-Event-ID after a reconnect), pausing while the reader scrolls up.
;(() => {
  const REFRESH_MS = 2000
  const CHART_MS = 5000
  const MAX_LOG_LINES = 5000

  // ---- live refresh ------------------------------------------------------------------------
  const live = document.getElementById('live')
  if (live) {
    let etag = null
    const refresh = async () => {
      try {
        const url = new URL(location.href)
        url.searchParams.set('fragment', '1')
        const r = await fetch(url, {headers: etag ? {'if-none-match': etag} : {}, credentials: 'same-origin'})
        if (r.status === 401) return location.assign('/ui/login')
        if (r.status === 200) {
          etag = r.headers.get('etag')
          // Server-rendered and escaped there: no value is interpreted as markup here.
          live.innerHTML = await r.text()
          live.dataset.refreshed = String(Date.now())
        }
      } catch {
        // the control plane is away for a moment: try again
      }
      setTimeout(refresh, REFRESH_MS)
    }
    setTimeout(refresh, REFRESH_MS)
  }

  const filter = document.querySelector('form.filter')
  if (filter) filter.addEventListener('change', () => filter.requestSubmit())

  // ---- charts ------------------------------------------------------------------------------
  const charts = document.querySelector('.charts')
  if (charts && window.uPlot) {
    const css = getComputedStyle(document.documentElement)
    const colour = (name) => css.getPropertyValue(name).trim()
    const palette = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#dc2626']
    const axes = () => {
      const axis = {
        stroke: colour('--muted'),
        grid: {stroke: colour('--line'), width: 1},
        ticks: {stroke: colour('--line')},
      }
      return [axis, {...axis}]
    }
    const drawn = new Map()

    /** Columns for uPlot: x (seconds), then one array per series. */
    const build = (kind, h) => {
      const x = h.points.map((p) => p.t / 1000)
      if (kind === 'replicas') {
        const series = [
          {label: 'running', stroke: palette[0], width: 2, points: {show: false}},
          {label: 'ready', stroke: palette[1], width: 2, points: {show: false}},
          {label: 'desired', stroke: palette[2], width: 2, dash: [6, 4], points: {show: false}},
          {label: 'recommended', stroke: palette[3], width: 1, dash: [2, 3], points: {show: false}},
        ]
        const data = [
          x,
          h.points.map((p) => p.running),
          h.points.map((p) => p.ready),
          h.points.map((p) => p.desired ?? null),
          h.points.map((p) => p.recommended ?? null),
        ]
        return {series, data}
      }
      const field = kind === 'cpu' ? 'cpu' : 'memory'
      const scale = kind === 'cpu' ? 1 : 1 / (1024 * 1024)
      const replicas = [...new Set(h.points.flatMap((p) => p.usage.map((u) => u.replica)))].sort()
      const series = replicas.map((name, i) => ({
        label: name,
        stroke: palette[i % palette.length],
        width: 1.5,
        points: {show: false},
      }))
      const data = [x]
      for (const name of replicas)
        data.push(
          h.points.map((p) => {
            const u = p.usage.find((v) => v.replica === name)
            return u?.[field] === undefined ? null : u[field] * scale
          }),
        )
      for (const [label, value, dash] of [
        ['request', h.requests[field], [6, 4]],
        ['limit', h.limits[field], [2, 3]],
      ])
        if (value !== undefined) {
          series.push({label, stroke: colour('--muted'), width: 1, dash, points: {show: false}})
          data.push(x.map(() => value * scale))
        }
      return {series, data}
    }

    const draw = async () => {
      try {
        const r = await fetch(charts.dataset.history, {credentials: 'same-origin'})
        if (r.ok) {
          const h = await r.json()
          for (const box of charts.querySelectorAll('.chart')) {
            const kind = box.dataset.chart
            const {series, data} = build(kind, h)
            const old = drawn.get(kind)
            if (old && old.series.length === series.length + 1) old.setData(data)
            else {
              old?.destroy()
              const width = Math.max(300, box.clientWidth)
              drawn.set(
                kind,
                new window.uPlot(
                  {
                    width,
                    height: 200,
                    series: [{}, ...series],
                    axes: axes(),
                    scales: {x: {time: true}},
                    legend: {show: true},
                  },
                  data,
                  box,
                ),
              )
            }
            box.dataset.points = String(h.points.length)
          }
        }
      } catch {
        // try again at the next round
      }
      setTimeout(draw, CHART_MS)
    }
    draw().catch(() => {})
  }

  // ---- logs --------------------------------------------------------------------------------
  const log = document.querySelector('pre.log')
  const controls = document.querySelector('form.log-controls')
  if (log && controls) {
    const state = controls.querySelector('.log-state')
    const resume = controls.querySelector('.log-resume')
    let source = null
    let paused = false
    let held = []

    const trim = () => {
      while (log.childNodes.length > MAX_LOG_LINES) log.removeChild(log.firstChild)
    }
    const show = (lines) => {
      for (const text of lines) log.appendChild(document.createTextNode(`${text}\n`))
      trim()
      log.scrollTop = log.scrollHeight
    }
    const append = (text) => {
      if (paused) {
        held.push(text)
        state.textContent = `paused: ${held.length} new ${held.length === 1 ? 'line' : 'lines'}`
        return
      }
      show([text])
    }
    const pause = () => {
      paused = true
      resume.hidden = false
      state.textContent = 'paused'
    }
    const follow = () => {
      paused = false
      resume.hidden = true
      state.textContent = ''
      show(held)
      held = []
    }
    log.addEventListener('scroll', () => {
      const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 8
      if (!atBottom && !paused) pause()
      else if (atBottom && paused) follow()
    })
    resume.addEventListener('click', () => {
      log.scrollTop = log.scrollHeight
      follow()
    })

    const open = async () => {
      source?.close()
      source = null
      log.textContent = ''
      held = []
      const url = new URL(log.dataset.logs, location.href)
      url.searchParams.set('tailLines', '200')
      if (controls.replica.value) url.searchParams.set('replica', controls.replica.value)
      if (controls.previous.checked) {
        // An earlier instance's log is complete: read it once.
        url.searchParams.set('previous', 'true')
        const r = await fetch(url, {credentials: 'same-origin'})
        show((await r.text()).split('\n').filter((l) => l !== ''))
        return
      }
      url.searchParams.set('follow', 'true')
      source = new EventSource(url)
      source.onmessage = (event) => {
        const line = JSON.parse(event.data)
        append(`[${line.replica}] ${line.line}`)
      }
      source.onopen = () => {
        log.dataset.following = 'true'
      }
    }
    const reopen = () => {
      open().catch(() => {
        state.textContent = 'the log could not be read'
      })
    }
    controls.addEventListener('change', reopen)
    reopen()
  }
})()
