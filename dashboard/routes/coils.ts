// Coil records over HTTP (issue 5; DESIGN.md "The public contract"): the coil API, QR images,
// the QR resolution routes (/c/{id} and GS1 Digital Link /01/{gtin}/10/{heat}/21/{id}), the
// coil page, labels and the scanner page. Anyone holding a coil sees its public view (ID,
// grade, size, weight); signed-in roles with coils:read see the record; QA acts on it.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { resolveCodePath, MAX_CODE_LENGTH } from '../../coils/code-path.ts'
import { isCoilId } from '../../coils/coil-id.ts'
import { isFailure } from '../../coils/gs1.ts'
import { COIL_STATUSES, fullView, publicView, type CoilRecord, type CoilStatus } from '../../coils/model.ts'
import { productFor, productName } from '../../coils/products.ts'
import { qrPng, qrSvg } from '../../coils/qr.ts'
import type { CoilService } from '../../coils/service.ts'
import { errors } from '../../core/errors.ts'
import { pickLanguage } from '../../core/i18n.ts'
import { shiftAt } from '../../core/shifts.ts'
import type { Bucket } from '../../store/types.ts'
import type { DashboardContext } from '../app.ts'
import { allowed, audit } from '../auth/plugin.ts'
import { coilPage, noSuchCoilPage } from '../pages/coil.ts'
import { coilTexts } from '../pages/coil-text.ts'
import { labelPage, labelSheetPage } from '../pages/coil-labels.ts'
import { scanPage } from '../pages/coil-scan.ts'
import { intParam, timeParam } from '../query.ts'

const asset = (name: string) => readFileSync(new URL(`../public/${name}`, import.meta.url))
const require = createRequire(import.meta.url)
const zxingDir = require.resolve('zxing-wasm/reader/zxing_reader.wasm').replace(/zxing_reader\.wasm$/, '')

const idParam = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } as const
const tags = ['coils']
/** QA may change a coil's status through these actions (coils/status.ts decides what is allowed). */
const ACTIONS: Record<string, CoilStatus> = { hold: 'hold', release: 'released', ship: 'shipped', scrap: 'scrapped' }

/** The scan page's decoder fallback compiles WebAssembly, which `script-src 'self'` alone forbids. */
const SCAN_CSP = "default-src 'self';script-src 'self' 'wasm-unsafe-eval';style-src 'self';img-src 'self' data: blob:;media-src 'self' blob:;connect-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'"

export const coilRoutes = (ctx: DashboardContext, coils: CoilService) => async (app: FastifyInstance) => {
  const now = ctx.now ?? Date.now
  const timeZone = ctx.config.plant.timezone
  const canRead = (req: FastifyRequest) => allowed(req.actor, 'coils:read', ctx.auth.demo)
  const canQa = (req: FastifyRequest) => allowed(req.actor, 'coils:qa', ctx.auth.demo)
  const signedIn = (req: FastifyRequest) => (req.actor.kind === 'anonymous' ? undefined : req.actor.name)
  // A signed-in person's language setting (config/people.yaml), else the browser's (core/i18n.ts).
  const lang = (req: FastifyRequest) =>
    pickLanguage(req.headers['accept-language'], req.actor.kind === 'person' ? ctx.auth.people.byId.get(req.actor.id)?.language : undefined)
  const tx = (req: FastifyRequest) => coilTexts(lang(req))
  const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body)
  const notFoundPage = (req: FastifyRequest, reply: FastifyReply, reason: string) => html(reply, noSuchCoilPage(reason, signedIn(req), lang(req)), 404)
  /** A form post from the coil page (no script) is answered by going back to the page. */
  const isForm = (req: FastifyRequest) => String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
  const back = (reply: FastifyReply, id: string, message?: string) =>
    reply.redirect(`/coils/${encodeURIComponent(id)}${message ? `?message=${encodeURIComponent(message.slice(0, 300))}` : ''}`, 303)

  async function mustGet(id: string, summary = true) {
    const c = isCoilId(id) ? await coils.get(id, { summary }) : undefined
    if (!c) throw errors.notFound(`no coil "${id.slice(0, 64)}"`)
    return c
  }
  const links = (r: CoilRecord) => ({ page: `/coils/${encodeURIComponent(r.id)}`, qr: coils.qrUrl(r), qrSvg: `/api/coils/${encodeURIComponent(r.id)}/qr.svg`, label: `/coils/${encodeURIComponent(r.id)}/label` })

  // ---- API ----
  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/coils',
    {
      config: { permission: 'coils:read' },
      schema: {
        summary: 'Coils, newest start first', tags,
        querystring: { type: 'object', properties: {
          limit: { type: 'string', description: 'at most this many (default 100, up to 10000)' },
          status: { type: 'string', enum: [...COIL_STATUSES] },
          line: { type: 'string', maxLength: 64 },
          from: { type: 'string', description: 'start time at or after (epoch ms or ISO 8601)' },
          to: { type: 'string', description: 'start time before (epoch ms or ISO 8601)' },
          suspect: { type: 'string', enum: ['true', 'false'], description: 'true: only coils an alarm of a suspect priority was active on while they were rolled (see GET /api/alerts/{id}/coils); false: only the others' },
        } },
      },
    },
    async (req) => {
      const q = req.query
      const list = await coils.list({
        limit: intParam('limit', q.limit, 100, 1, 10_000),
        status: q.status as CoilStatus | undefined,
        line: q.line || undefined,
        from: q.from ? timeParam('from', q.from, 0) : undefined,
        to: q.to ? timeParam('to', q.to, 0) : undefined,
        suspect: q.suspect === undefined ? undefined : q.suspect === 'true',
      })
      return { coils: list }
    },
  )

  app.post<{ Body: Record<string, unknown> }>(
    '/api/coils',
    {
      config: { permission: 'coils:qa' },
      schema: {
        summary: 'Register a coil or correct its attributes (a level-3 system, a person fixing a record)', tags,
        description: 'Attributes as in the line\'s coil events (grade, heat, parentId, entryThickness_mm, targetThickness_mm, width_mm, length_m, weight_t, …). Status changes go through hold/release.',
        body: { type: 'object', required: ['id', 'line'], properties: {
          id: { type: 'string', maxLength: 64 }, line: { type: 'string', maxLength: 64 },
          startedAt: { description: 'epoch ms or ISO 8601' }, finishedAt: { description: 'epoch ms or ISO 8601' },
        }, additionalProperties: true },
      },
    },
    async (req, reply) => {
      const { id, line, startedAt, finishedAt, _csrf, ...attributes } = req.body
      const r = await coils.register({
        id: String(id), line: String(line), attributes,
        startedAt: startedAt === undefined ? undefined : timeParam('startedAt', String(startedAt), 0),
        finishedAt: finishedAt === undefined ? undefined : timeParam('finishedAt', String(finishedAt), 0),
      }, { by: req.actor.id })
      if (isFailure(r)) throw errors.badRequest(r.error)
      await audit(ctx.auth, req, r.created ? 'coil.register' : 'coil.correct', r.record.id, { attributes })
      return reply.status(r.created ? 201 : 200).send(fullView(r.record))
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/coils/:id',
    { schema: { summary: 'A coil: the full record with its process summary for signed-in users (coils:read), the public view (ID, grade, size, weight) for anyone else', tags, params: idParam } },
    async (req) => {
      if (!canRead(req)) return { ...publicView((await mustGet(req.params.id, false)).record), view: 'public' }
      const c = isCoilId(req.params.id) ? await coils.detail(req.params.id) : undefined
      if (!c) throw errors.notFound(`no coil "${req.params.id.slice(0, 64)}"`)
      return { ...fullView(c.record, c.summary), tolerance_um: coils.tolerance_um(c.record), inspections: c.inspections, history: c.history, links: links(c.record), view: 'full' }
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/coils/:id/genealogy',
    { config: { permission: 'coils:read' }, schema: { summary: 'The coil, the coils it was split from (nearest first) and every coil split from it', tags, params: idParam } },
    async (req) => {
      const g = isCoilId(req.params.id) ? await coils.genealogy(req.params.id) : undefined
      if (!g) throw errors.notFound(`no coil "${req.params.id.slice(0, 64)}"`)
      return g
    },
  )

  app.get<{ Params: { id: string } }>(
    '/api/coils/:id/qr.svg',
    { config: { permission: 'coils:read' }, schema: { summary: 'The coil\'s QR code (SVG) with the URL of its page', tags, params: idParam } },
    async (req, reply) => {
      const c = await mustGet(req.params.id, false)
      return reply.type('image/svg+xml').header('cache-control', 'private, max-age=3600').send(await qrSvg(coils.qrUrl(c.record)))
    },
  )

  app.get<{ Params: { id: string }; Querystring: { px?: string } }>(
    '/api/coils/:id/qr.png',
    { config: { permission: 'coils:read' }, schema: { summary: 'The coil\'s QR code (PNG, error correction H, 10 px per module unless `px`)', tags, params: idParam, querystring: { type: 'object', properties: { px: { type: 'string' } } } } },
    async (req, reply) => {
      const c = await mustGet(req.params.id, false)
      const modulePx = intParam('px', req.query.px, 10, 2, 40)
      return reply.type('image/png').header('cache-control', 'private, max-age=3600').send(await qrPng(coils.qrUrl(c.record), { modulePx }))
    },
  )

  for (const [action, to] of Object.entries(ACTIONS))
    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      `/api/coils/:id/${action}`,
      {
        config: { permission: 'coils:qa' },
        schema: { summary: `Set the coil ${to} (QA; audited)`, description: `Body (optional): {"reason": "…"}, at most 500 characters${to === 'hold' || to === 'scrapped' ? '; required for this action' : ''}.`, tags, params: idParam },
      },
      async (req, reply) => {
        const reason = typeof req.body?.reason === 'string' ? req.body.reason : undefined
        if (reason !== undefined && reason.length > 500) throw errors.badRequest('reason: at most 500 characters')
        const r = await coils.setStatus(req.params.id, to, { by: req.actor.id }, reason)
        if (r === undefined) throw errors.notFound(`no coil "${req.params.id.slice(0, 64)}"`)
        if (isFailure(r)) {
          if (isForm(req)) return back(reply, req.params.id, r.error)
          return reply.status(409).send({ error: 'MW_CONFLICT', message: r.error })
        }
        await audit(ctx.auth, req, `coil.${action}`, r.id, reason ? { reason } : undefined)
        return isForm(req) ? back(reply, r.id) : fullView(r)
      },
    )

  app.get<{ Params: { id: string } }>(
    '/api/coils/:id/inspections',
    { config: { permission: 'coils:read' }, schema: { summary: 'The coil\'s inspections, newest first', tags, params: idParam } },
    async (req) => {
      await mustGet(req.params.id)
      return { inspections: await coils.inspections(req.params.id) }
    },
  )

  app.post<{ Params: { id: string }; Body: { defect: string; severity: 'minor' | 'major' | 'critical'; position_m?: number; note?: string } }>(
    '/api/coils/:id/inspections',
    {
      config: { permission: 'coils:qa' },
      schema: {
        summary: 'Record an inspection of the coil (QA; audited)', tags, params: idParam,
        body: { type: 'object', required: ['defect', 'severity'], properties: {
          defect: { type: 'string', minLength: 1, maxLength: 200 }, severity: { type: 'string', enum: ['minor', 'major', 'critical'] },
          position_m: { type: 'number', minimum: 0, maximum: 100_000 }, note: { type: 'string', maxLength: 1000 },
        } },
      },
    },
    async (req, reply) => {
      const { defect, severity, position_m, note } = req.body
      const i = await coils.inspect(req.params.id, { defect, severity, ...(position_m !== undefined && { position_m }), ...(note && { note }) }, { by: req.actor.id })
      if (!i) throw errors.notFound(`no coil "${req.params.id.slice(0, 64)}"`)
      await audit(ctx.auth, req, 'coil.inspect', req.params.id, { defect, severity, position_m })
      return isForm(req) ? back(reply, req.params.id) : reply.status(201).send(i)
    },
  )

  app.post<{ Params: { id: string }; Body: { children: { id: string; width_mm?: number; length_m?: number; weight_t?: number }[] } }>(
    '/api/coils/:id/split',
    {
      config: { permission: 'coils:qa' },
      schema: {
        summary: 'Split the coil (slitting or cutting) into new coils that inherit heat and grade (QA; audited)', tags, params: idParam,
        body: { type: 'object', required: ['children'], properties: { children: { type: 'array', minItems: 1, maxItems: 64, items: {
          type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 }, width_mm: { type: 'number' }, length_m: { type: 'number' }, weight_t: { type: 'number' } },
        } } } },
      },
    },
    async (req, reply) => {
      const r = await coils.split(req.params.id, req.body.children, { by: req.actor.id })
      if (r === undefined) throw errors.notFound(`no coil "${req.params.id.slice(0, 64)}"`)
      if (isFailure(r)) return reply.status(409).send({ error: 'MW_CONFLICT', message: r.error })
      await audit(ctx.auth, req, 'coil.split', req.params.id, { children: r.children.map((c) => c.id) })
      return reply.status(201).send(r)
    },
  )

  // ---- pages ----
  async function showCoil(req: FastifyRequest, reply: FastifyReply, id: string) {
    const full = canRead(req)
    const c = !isCoilId(id) ? undefined : full ? await coils.detail(id) : await coils.get(id, { summary: false })
    if (!c) return notFoundPage(req, reply, tx(req).noCoil(id.slice(0, 64)))
    const r = c.record
    const product = productFor(coils.ctx.products, r.grade)
    const base = { record: r, productName: product && productName(product, lang(req)), standard: product?.standard, timeZone, signedIn: signedIn(req), lang: lang(req) }
    if (!full) return html(reply, coilPage({ ...base, full, qa: false, inspections: [], history: [], trace: [] }))
    let trace: Bucket[] = []
    if (r.startedAt !== undefined && r.finishedAt !== undefined && r.finishedAt > r.startedAt) {
      const stepMs = Math.max(100, Math.ceil((r.finishedAt - r.startedAt) / 300))
      trace = await ctx.timeseries.buckets({ line: r.line, equipment: 'exit', sensor: 'thickness_um', from: r.startedAt, to: r.finishedAt, stepMs }).catch(() => [])
    }
    const { inspections, history } = c as Awaited<ReturnType<CoilService['detail']>> & object
    const qa = canQa(req) && req.actor.kind === 'person'
    const message = (req.query as { message?: string }).message
    return html(reply, coilPage({ ...base, summary: c.summary, full, qa, csrf: qa ? reply.generateCsrf() : undefined, inspections, history, trace, tolerance_um: coils.tolerance_um(r), message: message?.slice(0, 300) }))
  }

  /** A QR code's path → the coil page, or the "no such coil" page (404), never an error page. */
  async function resolveAndShow(req: FastifyRequest, reply: FastifyReply, code: string) {
    const target = resolveCodePath(code)
    if (isFailure(target)) return notFoundPage(req, reply, tx(req).badCode(target.error))
    return showCoil(req, reply, target.coilId)
  }

  app.get<{ Params: { id: string } }>('/coils/:id', { schema: { hide: true } }, (req, reply) => showCoil(req, reply, req.params.id))
  app.get('/c/*', { schema: { hide: true } }, (req, reply) => resolveAndShow(req, reply, req.url))
  app.get('/01/*', { schema: { hide: true } }, (req, reply) => resolveAndShow(req, reply, req.url))
  app.get('/gtin/*', { schema: { hide: true } }, (req, reply) => resolveAndShow(req, reply, req.url))

  app.get<{ Querystring: { code?: string } }>('/scan/resolve', { schema: { hide: true } }, async (req, reply) => {
    const code = String(req.query.code ?? '').trim().slice(0, MAX_CODE_LENGTH + 1)
    if (isCoilId(code)) return (await coils.get(code, { summary: false })) ? reply.redirect(`/coils/${encodeURIComponent(code)}`, 303) : notFoundPage(req, reply, tx(req).noCoil(code))
    const target = resolveCodePath(code)
    if (isFailure(target)) return notFoundPage(req, reply, tx(req).badCode(target.error))
    return reply.redirect(`/coils/${encodeURIComponent(target.coilId)}`, 303)
  })

  app.get('/scan', { schema: { hide: true } }, async (req, reply) => {
    return html(reply.header('content-security-policy', SCAN_CSP), scanPage(signedIn(req), lang(req)))
  })

  const needSignIn = (req: FastifyRequest, reply: FastifyReply) => reply.redirect(`/login?next=${encodeURIComponent(req.url)}`, 303)

  app.get<{ Params: { id: string } }>('/coils/:id/label', { schema: { hide: true } }, async (req, reply) => {
    if (!canRead(req)) return needSignIn(req, reply)
    const c = isCoilId(req.params.id) ? await coils.get(req.params.id, { summary: false }) : undefined
    if (!c) return notFoundPage(req, reply, tx(req).noCoil(req.params.id.slice(0, 64)))
    const url = coils.qrUrl(c.record)
    return html(reply, labelPage({ record: c.record, svg: await qrSvg(url), url }, signedIn(req)))
  })

  app.get<{ Querystring: { at?: string } }>('/coils/labels', { schema: { hide: true } }, async (req, reply) => {
    if (!canRead(req)) return needSignIn(req, reply)
    const shift = shiftAt(req.query.at ? timeParam('at', req.query.at, now()) : now(), coils.ctx.people.file, timeZone)
    const list = (await coils.list({ from: shift.start, to: shift.end, limit: 1000 })).reverse()
    const labels = await Promise.all(list.map(async (record) => {
      const url = coils.qrUrl(record)
      return { record, url, svg: await qrSvg(url) }
    }))
    return html(reply, labelSheetPage({ labels, shift, timeZone, signedIn: signedIn(req) }))
  })

  // ---- assets: the page scripts and the bundled QR decoder, from this server only ----
  const files: Record<string, [Buffer, string]> = {
    '/assets/coils.css': [asset('coils.css'), 'text/css; charset=utf-8'],
    '/assets/coil.js': [asset('coil.js'), 'text/javascript; charset=utf-8'],
    '/assets/scan.js': [asset('scan.js'), 'text/javascript; charset=utf-8'],
    '/assets/zxing/reader.js': [readFileSync(`${zxingDir}../iife/reader/index.js`), 'text/javascript; charset=utf-8'],
    '/assets/zxing/zxing_reader.wasm': [readFileSync(`${zxingDir}zxing_reader.wasm`), 'application/wasm'],
  }
  for (const [path, [body, type]] of Object.entries(files))
    app.get(path, { schema: { hide: true } }, async (_req, reply) => reply.type(type).header('cache-control', 'public, max-age=3600').send(body))
}

const CODE_PATH = /^\/(c|01|gtin)\//

/**
 * The server's handler for URLs fastify cannot route (`frameworkErrors`): a scanned code whose
 * percent-encoding is broken is still a scan and gets the "no such coil" page (404); anything
 * else is the usual JSON 400.
 */
export function badCodeUrl(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err.code === 'FST_ERR_BAD_URL' && CODE_PATH.test(req.url)) {
    void reply.status(404).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(noSuchCoilPage('This code names no coil: malformed percent-encoding in the path.'))
    return
  }
  void reply.status(err.statusCode ?? 400).send({ error: 'MW_BAD_REQUEST', message: err.message })
}
