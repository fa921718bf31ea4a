// Sign-in, sign-out, one-time demo links, the caller's identity, API tokens and the audit log.
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errors } from '../../core/errors.ts'
import { ROLES, type Role } from '../../core/people.ts'
import { audit, setSessionCookie, type AuthContext } from '../auth/plugin.ts'
import { SESSION_COOKIE } from '../auth/sessions.ts'
import { esc, page } from '../pages/layout.ts'
import { intParam, timeParam } from '../query.ts'

const CSS = readFileSync(new URL('../public/app.css', import.meta.url))
/** After this many failures in a row an account waits, doubling each time (max 15 min). */
const FREE_FAILURES = 5

/** Only paths on this site: an open redirect would make the sign-in page a phishing tool. */
const safeNext = (v: unknown) => (typeof v === 'string' && /^\/(?![/\\])/.test(v) ? v : '/')

export const authRoutes = (auth: AuthContext) => async (app: FastifyInstance) => {
  const failures = new Map<string, { count: number; until: number }>()

  app.get('/assets/app.css', { schema: { hide: true } }, async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CSS))

  const loginPage = (req: FastifyRequest, reply: FastifyReply, message?: string, status = 200) => {
    const next = safeNext((req.query as { next?: string }).next ?? (req.body as { next?: string } | undefined)?.next)
    const me = req.actor.kind === 'person' ? req.actor : undefined
    const body = me
      ? `<h1>Signed in</h1><p>${esc(me.name)} — ${esc(me.roles.join(', '))}</p>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${esc(reply.generateCsrf())}"><button type="submit">Sign out</button></form>`
      : `<h1>Sign in</h1>${message ? `<p class="error" role="alert">${esc(message)}</p>` : ''}
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="${esc(reply.generateCsrf())}"><input type="hidden" name="next" value="${esc(next)}">
<label for="user">Person id</label><input type="text" id="user" name="user" autocomplete="username" autocapitalize="none" required>
<label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button></form>`
    return reply.status(status).type('text/html; charset=utf-8').send(page({ title: 'Sign in', body, signedIn: me?.name }))
  }

  app.get('/login', { schema: { hide: true } }, loginPage)

  app.post<{ Body: { user?: string; password?: string; next?: string } }>(
    '/login',
    { schema: { hide: true }, config: { rateLimit: { max: 20, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const user = String(req.body?.user ?? '').trim().toLowerCase()
      const password = String(req.body?.password ?? '')
      const f = failures.get(user)
      if (f && f.until > Date.now()) return loginPage(req, reply, 'Too many failed attempts: wait a few minutes and try again.', 429)
      const person = auth.people.byId.get(user)
      if (!person || !(await auth.credentials.checkPassword(user, password))) {
        const count = (f?.count ?? 0) + 1
        failures.set(user, { count, until: count > FREE_FAILURES ? Date.now() + Math.min(900_000, 1000 * 2 ** (count - FREE_FAILURES)) : 0 })
        await audit(auth, req, 'session.signin_failed', user.slice(0, 64))
        return loginPage(req, reply, 'Wrong person id or password.', 401)
      }
      failures.delete(user)
      const { value, session } = auth.sessions.create(person.id)
      setSessionCookie(reply, auth, value, session.expires)
      req.actor = { kind: 'person', id: person.id, name: person.name, roles: person.roles, session }
      await audit(auth, req, 'session.signin', person.id)
      return reply.redirect(safeNext(req.body?.next), 303)
    },
  )

  app.post('/logout', { schema: { hide: true } }, async (req, reply) => {
    if (req.actor.session) {
      auth.sessions.revoke(req.actor.session)
      await audit(auth, req, 'session.signout', req.actor.id)
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/' })
    return reply.redirect('/login', 303)
  })

  app.get<{ Querystring: { token?: string } }>('/login/once', { schema: { hide: true } }, async (req, reply) => {
    const personId = auth.sessions.redeem(String(req.query.token ?? ''))
    const person = personId && auth.people.byId.get(personId)
    if (!person) return loginPage(req, reply, 'This sign-in link was already used or has expired.', 401)
    const { value, session } = auth.sessions.create(person.id)
    setSessionCookie(reply, auth, value, session.expires)
    req.actor = { kind: 'person', id: person.id, name: person.name, roles: person.roles, session }
    await audit(auth, req, 'session.signin_link', person.id)
    return reply.redirect('/', 303)
  })

  app.get('/api/me', { schema: { summary: 'Who the caller is, their roles, and a CSRF token for state changes', tags: ['access'] } }, async (req, reply) => ({
    signedIn: req.actor.kind !== 'anonymous',
    kind: req.actor.kind,
    id: req.actor.id,
    name: req.actor.name,
    roles: req.actor.roles,
    csrfToken: req.actor.kind === 'person' ? reply.generateCsrf() : undefined,
  }))

  app.get('/api/tokens', { config: { permission: 'tokens:admin' }, schema: { summary: 'API tokens (never their secrets)', tags: ['access'] } }, async () => ({
    tokens: auth.credentials.listTokens(),
  }))

  app.post<{ Body: { name?: unknown; roles?: unknown } }>(
    '/api/tokens',
    {
      config: { permission: 'tokens:admin' },
      schema: {
        summary: 'Create an API token for a machine client; the token is shown once',
        tags: ['access'],
        body: {
          type: 'object',
          required: ['name', 'roles'],
          properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, roles: { type: 'array', minItems: 1, items: { type: 'string', enum: [...ROLES] } } },
        },
      },
    },
    async (req, reply) => {
      const { name, roles } = req.body as { name: string; roles: Role[] }
      const created = auth.credentials.createToken(name, roles, req.actor.id)
      await audit(auth, req, 'token.create', created.id, { name, roles })
      return reply.status(201).send(created)
    },
  )

  app.delete<{ Params: { id: string } }>(
    '/api/tokens/:id',
    { config: { permission: 'tokens:admin' }, schema: { summary: 'Revoke an API token', tags: ['access'] } },
    async (req, reply) => {
      if (!auth.credentials.revokeToken(req.params.id)) throw errors.notFound(`no live token "${req.params.id.slice(0, 40)}"`)
      await audit(auth, req, 'token.revoke', req.params.id)
      return reply.status(204).send()
    },
  )

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        summary: 'The audit log: every state change with who, when and from where, newest first',
        tags: ['access'],
        querystring: { type: 'object', properties: { actor: { type: 'string', maxLength: 100 }, action: { type: 'string', maxLength: 100 }, from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string' } } },
      },
    },
    async (req) => {
      const q = req.query
      const entries = await auth.records.audit({
        actor: q.actor || undefined,
        action: q.action || undefined,
        from: q.from ? timeParam('from', q.from, 0) : undefined,
        to: q.to ? timeParam('to', q.to, 0) : undefined,
        limit: intParam('limit', q.limit, 100, 1, 10_000),
      })
      return { entries }
    },
  )
}
