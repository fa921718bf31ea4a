// Who is asking, and may they: every request gets an actor (a person from a signed session
// cookie, a machine client from a bearer token, or anonymous), every route names the one
// permission it needs (route config `permission`), and one hook decides. Cookie-signed-in
// requests that change state must carry a CSRF token; every page gets strict security headers.
import cookie from '@fastify/cookie'
import csrf from '@fastify/csrf-protection'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Credentials } from '../../core/credentials.ts'
import type { People, Role } from '../../core/people.ts'
import type { RecordsStore } from '../../store/types.ts'
import { can, DEMO_ANONYMOUS, type Permission } from './permissions.ts'
import { SESSION_COOKIE, type Session, type Sessions } from './sessions.ts'

export interface Actor {
  kind: 'person' | 'token' | 'anonymous'
  /** person id, `token:<name>` or `anonymous` */
  id: string
  name: string
  roles: readonly Role[]
  session?: Session
}

export interface AuthContext {
  credentials: Credentials
  people: People
  sessions: Sessions
  records: RecordsStore
  /** the loopback demo: anonymous visitors may read telemetry */
  demo: boolean
  /** cookies only over HTTPS (PUBLIC_URL https or TLS configured) */
  secureCookies: boolean
}

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor
  }
  interface FastifyContextConfig {
    permission?: Permission
  }
}

const ANONYMOUS: Actor = Object.freeze({ kind: 'anonymous', id: 'anonymous', name: 'anonymous', roles: [] })
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export async function installAuth(app: FastifyInstance, auth: AuthContext): Promise<void> {
  await app.register(cookie, { secret: auth.credentials.sessionSecret })
  await app.register(formbody)
  await app.register(csrf, {
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', secure: auth.secureCookies, path: '/' },
    getToken: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? (req.headers['x-csrf-token'] as string | undefined),
  })
  await app.register(rateLimit, { global: false })
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: auth.secureCookies,
  })

  app.decorateRequest('actor', null as unknown as Actor)
  app.addHook('onRequest', async (req) => {
    req.actor = resolveActor(req, auth)
  })
  app.addHook('preHandler', async (req, reply) => {
    const permission = req.routeOptions.config.permission
    if (permission && !allowed(req.actor, permission, auth.demo)) {
      const signedOut = req.actor.kind === 'anonymous'
      return reply.status(signedOut ? 401 : 403).send({
        error: signedOut ? 'MW_UNAUTHENTICATED' : 'MW_FORBIDDEN',
        message: signedOut ? 'sign in at /login, or send an API token (Authorization: Bearer …)' : `${req.actor.name} (${req.actor.roles.join(', ')}) may not ${permission}`,
      })
    }
    // A cookie is sent by the browser whatever page made the request: state changes made with
    // one must prove they come from millwatch's own pages. Bearer tokens are not sent by browsers.
    if (UNSAFE.has(req.method) && (req.actor.kind === 'person' || req.routeOptions.url === '/login')) {
      await new Promise<void>((resolve, reject) => app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolve())))
    }
  })
}

export function allowed(actor: Actor, permission: Permission, demo: boolean): boolean {
  if (actor.kind === 'anonymous') return demo && DEMO_ANONYMOUS.includes(permission)
  return can(actor.roles, permission)
}

function resolveActor(req: FastifyRequest, auth: AuthContext): Actor {
  const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
  if (bearer) {
    const t = auth.credentials.checkToken(bearer)
    return t ? { kind: 'token', id: `token:${t.name}`, name: t.name, roles: t.roles } : ANONYMOUS
  }
  const raw = req.cookies[SESSION_COOKIE]
  if (!raw) return ANONYMOUS
  const unsigned = req.unsignCookie(raw)
  const session = unsigned.valid && unsigned.value ? auth.sessions.read(unsigned.value) : undefined
  const person = session && auth.people.byId.get(session.personId)
  return person ? { kind: 'person', id: person.id, name: person.name, roles: person.roles, session } : ANONYMOUS
}

/** Records a state change with who, when and from where. */
export function audit(auth: AuthContext, req: FastifyRequest, action: string, target?: string, details?: Record<string, unknown>) {
  return auth.records.appendAudit({ ts: Date.now(), actor: req.actor.id, action, target, from: req.ip, details })
}

// Lax, not Strict: a QR code opened from the phone's camera app is a cross-site navigation,
// and the inspector must arrive signed in. State changes are guarded by the CSRF token.
export function setSessionCookie(reply: FastifyReply, auth: AuthContext, value: string, expires: number) {
  reply.setCookie(SESSION_COOKIE, value, { signed: true, httpOnly: true, sameSite: 'lax', secure: auth.secureCookies, path: '/', expires: new Date(expires) })
}
