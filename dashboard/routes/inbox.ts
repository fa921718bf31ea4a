// The worker's phone page: the alarms that concern this person (their areas; foremen and
// above see all), live over server-sent events, with large acknowledge and shelve buttons;
// and the one-tap acknowledge link sent in DingTalk / WeCom / e-mail messages, which names
// the person by a signed, expiring token bound to one alarm.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AlarmChange } from '../../alerts/engine.ts'
import type { Alarm } from '../../alerts/lifecycle.ts'
import { verifyAckToken } from '../../alerts/notify/ack-token.ts'
import type { Alerts } from '../../alerts/service.ts'
import { pickLanguage } from '../../core/i18n.ts'
import type { People, Person } from '../../core/people.ts'
import { allowed, type AuthContext } from '../auth/plugin.ts'
import { inboxTexts } from '../pages/inbox-text.ts'
import { esc, page } from '../pages/layout.ts'
import { alarmJson } from './alerts.ts'

export interface InboxContext {
  alerts: Alerts
  people: People
  auth: AuthContext
  now?: () => number
}

/** Workers see the alarms of their own areas; everyone else with alerts:read sees all. */
export function concerns(person: Person | undefined, a: Pick<Alarm, 'area'>): boolean {
  if (!person || person.roles.some((r) => r !== 'worker')) return true
  return !a.area || person.areas.includes(a.area)
}

const PRIORITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3 } as const

export const inboxRoutes = (ctx: InboxContext) => async (app: FastifyInstance) => {
  const engine = ctx.alerts.engine
  const now = ctx.now ?? Date.now
  const personOf = (req: FastifyRequest) => (req.actor.kind === 'person' ? ctx.people.byId.get(req.actor.id) : undefined)
  const visible = (req: FastifyRequest) =>
    engine
      .alarms()
      .filter((a) => concerns(personOf(req), a))
      .sort((a, b) => PRIORITY_ORDER[a.priority] - PRIORITY_ORDER[b.priority] || (b.raisedAt ?? 0) - (a.raisedAt ?? 0))
      .map((a) => alarmJson(a, engine))

  app.get('/inbox', { schema: { hide: true } }, async (req, reply) => {
    if (req.actor.kind === 'anonymous') return reply.redirect('/login?next=/inbox', 303)
    const me = personOf(req)
    // The person's own language (people.yaml), else the phone browser's.
    const lang = pickLanguage(req.headers['accept-language'], me?.language)
    const t = inboxTexts(lang)
    const body = `<h1>${esc(t.alarms)}</h1>
<p class="muted" id="inbox-status">${esc(me ? `${me.name} · ${me.areas.join(', ') || t.allAreas}` : req.actor.name)}</p>
<div id="inbox" data-csrf="${esc(req.actor.kind === 'person' ? reply.generateCsrf() : '')}" data-can-ack="${allowed(req.actor, 'alerts:ack', false)}" data-can-shelve="${allowed(req.actor, 'alerts:shelve', false)}" data-texts="${esc(JSON.stringify(t.client))}"></div>
<noscript><p>${t.noscript}</p></noscript>
<script src="/assets/inbox.js" defer></script>`
    return reply.type('text/html; charset=utf-8').send(page({ title: t.alarms, body, signedIn: req.actor.name, lang }))
  })

  app.get('/api/alerts/stream', { config: { permission: 'alerts:read' }, schema: { summary: 'Server-sent events: a snapshot of the alarms that concern the caller, then every change', tags: ['alerts'] } }, async (req, reply) => {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' })
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
    send('snapshot', visible(req))
    const person = personOf(req)
    const unsubscribe = ctx.alerts.subscribe((changes: readonly AlarmChange[]) => {
      const mine = changes.filter((c) => concerns(person, c.alarm)).map((c) => ({ ...alarmJson(c.alarm, engine), transition: c.transition }))
      if (mine.length) send('changes', mine)
    })
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000)
    req.raw.on('close', () => {
      clearInterval(keepAlive)
      unsubscribe()
    })
  })

  app.get('/assets/inbox.js', { schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(INBOX_JS))
  app.get('/assets/ack.js', { schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(ACK_JS))

  const secret = () => ctx.auth.credentials.sessionSecret
  const ackPage = (reply: FastifyReply, title: string, body: string, status = 200, lang?: string) =>
    reply.status(status).type('text/html; charset=utf-8').send(page({ title, body, lang }))
  /** The link names its person: their language; a link that names no one valid gets the browser's. */
  const langOf = (req: FastifyRequest, personId?: string) => pickLanguage(req.headers['accept-language'], personId ? ctx.people.byId.get(personId)?.language : undefined)

  // The link in a message: GET shows the alarm and submits the acknowledgement from a script,
  // so one tap acknowledges while link previewers (which fetch but run no scripts) do not.
  app.get<{ Querystring: { token?: string } }>('/inbox/ack', { schema: { hide: true } }, async (req, reply) => {
    const claims = verifyAckToken(secret(), String(req.query.token ?? ''), undefined, now())
    if ('error' in claims) {
      const lang = langOf(req)
      const t = inboxTexts(lang)
      return ackPage(reply, t.linkInvalid, `<h1>${esc(t.linkInvalidHeading)}</h1><p class="error">${esc(claims.error)}</p><p><a href="/inbox">${esc(t.openList)}</a></p>`, 401, lang)
    }
    const lang = langOf(req, claims.personId)
    const t = inboxTexts(lang)
    const a = engine.get(claims.alarmId)
    if (!a) return ackPage(reply, t.noAlarm, `<h1>${esc(t.noAlarm)}</h1>`, 404, lang)
    return ackPage(
      reply,
      t.acknowledge,
      `<h1>${esc(a.equipment)} · ${esc(a.sensor)}</h1><p>${esc(engine.ruleOf(a.key)?.description ?? a.rule)}</p>
<form method="post" action="/inbox/ack" id="ack-form"><input type="hidden" name="token" value="${esc(req.query.token)}">
<input type="hidden" name="_csrf" value="${esc(reply.generateCsrf())}"><button type="submit">${esc(t.acknowledge)}</button></form>
<script src="/assets/ack.js" defer></script>`,
      200,
      lang,
    )
  })

  app.post<{ Body: { token?: string } }>('/inbox/ack', { schema: { hide: true } }, async (req, reply) => {
    const claims = verifyAckToken(secret(), String(req.body?.token ?? ''), undefined, now())
    if ('error' in claims) {
      const lang = langOf(req)
      const t = inboxTexts(lang)
      return ackPage(reply, t.linkInvalid, `<h1>${esc(t.linkInvalidHeading)}</h1><p class="error">${esc(claims.error)}</p>`, 401, lang)
    }
    const lang = langOf(req, claims.personId)
    const t = inboxTexts(lang)
    const person = ctx.people.byId.get(claims.personId)
    const a = engine.get(claims.alarmId)
    if (!person || !a) return ackPage(reply, t.noAlarm, `<h1>${esc(t.noAlarm)}</h1>`, 404, lang)
    ctx.alerts.command((e) => e.ack(a.id, { by: person.id, at: now() }))
    await ctx.alerts.flushed()
    await ctx.auth.records.appendAudit({ ts: now(), actor: person.id, action: 'alarm.ack', target: a.id, from: req.ip, details: { via: 'link' } })
    return ackPage(reply, t.acknowledged, `<h1>${esc(t.acknowledged)}</h1><p>${esc(a.equipment)} · ${esc(a.sensor)} — ${esc(person.name)}</p><p><a href="/inbox">${esc(t.allAlarms)}</a></p>`, 200, lang)
  })
}

const ACK_JS = `document.getElementById('ack-form')?.submit()\n`

// The inbox's script: renders the snapshot, applies changes, posts acknowledgements.
const INBOX_JS = `(() => {
  const root = document.getElementById('inbox')
  const csrf = root.dataset.csrf
  const canAck = root.dataset.canAck === 'true'
  const canShelve = root.dataset.canShelve === 'true'
  const t = JSON.parse(root.dataset.texts)
  const alarms = new Map()
  const rank = { critical: 0, high: 1, medium: 2, low: 3 }
  const fmt = (ms) => ms ? new Date(ms).toLocaleTimeString() : ''
  function render() {
    const list = [...alarms.values()].filter((a) => a.state !== 'normal').sort((a, b) => rank[a.priority] - rank[b.priority] || (b.raisedAt || 0) - (a.raisedAt || 0))
    root.replaceChildren(...(list.length ? list.map(card) : [Object.assign(document.createElement('p'), { textContent: t.none, className: 'muted' })]))
  }
  function card(a) {
    const el = document.createElement('article')
    el.className = 'alarm ' + a.priority + ' ' + a.state
    el.dataset.id = a.id
    const h = document.createElement('h2')
    h.textContent = a.equipment + ' · ' + a.sensor + ' · ' + (t.priority[a.priority] || a.priority)
    const p = document.createElement('p')
    p.textContent = (a.value !== undefined ? a.value.toFixed(2) : '') + (a.limit !== undefined ? ' (' + t.limit + ' ' + a.limit + ')' : '') + ' — ' + (t.state[a.state] || a.state) + ' ' + t.since + ' ' + fmt(a.raisedAt)
    const d = document.createElement('p')
    d.className = 'muted'
    d.textContent = a.description || a.rule
    el.append(h, p, d)
    if (canAck && !a.acknowledged) el.append(button(t.acknowledge, () => act(a.id, 'ack', {})))
    if (canShelve && a.state !== 'shelved') el.append(button(t.shelve, () => act(a.id, 'shelve', { minutes: 60, reason: 'shelved from the phone inbox' })))
    return el
  }
  function button(text, onClick) {
    const b = document.createElement('button')
    b.type = 'button'
    b.textContent = text
    b.addEventListener('click', onClick)
    return b
  }
  async function act(id, what, body) {
    const r = await fetch('/api/alerts/' + encodeURIComponent(id) + '/' + what, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify(body) })
    if (r.ok) { const a = await r.json(); alarms.set(a.id, a); render() }
    else alert((await r.json()).message)
  }
  const es = new EventSource('/api/alerts/stream')
  es.addEventListener('snapshot', (e) => { alarms.clear(); for (const a of JSON.parse(e.data)) alarms.set(a.id, a); render() })
  es.addEventListener('changes', (e) => { for (const a of JSON.parse(e.data)) { for (const [k, v] of alarms) if (v.key === a.key) alarms.delete(k); alarms.set(a.id, a) } render() })
})()
`
