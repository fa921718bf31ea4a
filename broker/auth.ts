// Who may connect (MQTT CONNECT → aedes `authenticate`), like Mosquitto 2:
// - a device with a username and password from credentials.json (scrypt, checked through a
//   short cache and a failed-login throttle, login-guard.ts);
// - millwatch's own clients with the per-process internal credential (below);
// - a client without credentials only while anonymous clients are allowed (by default: every
//   listener on loopback). With no credentials store at all, a username is ignored then, as
//   Mosquitto ignores it without a password_file.
// Refusals answer CONNACK 4 "bad user name or password" or 5 "not authorized" (MQTT 3.1.1
// §3.2.2.3) and close the connection.
import { statSync } from 'node:fs'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { AuthenticateError, Client } from 'aedes'
import type { Credentials, DeviceRecord } from '../core/credentials.ts'
import type { Identity } from './acl.ts'
import { LoginGuard } from './login-guard.ts'
import type { Refusals } from './refusals.ts'

/**
 * millwatch's own MQTT clients (the simulator, anything in-process that prefers an MQTT
 * client to aedes.publish) log in with this. startBroker makes a fresh random password each
 * time it starts; it lives only in the process's memory and is handed to those clients by the
 * composition root, so there is nothing to configure, store or leak. A device record with the
 * same username is never consulted.
 */
export interface InternalCredential {
  readonly username: string
  readonly password: string
}

export const INTERNAL_USERNAME = 'millwatch-internal'

export const createInternalCredential = (): InternalCredential => ({ username: INTERNAL_USERNAME, password: randomBytes(32).toString('base64url') })

/** What the broker needs of core/credentials.ts: the check, and the file whose changes void the cache. */
export type DeviceCredentials = Pick<Credentials, 'checkDevice' | 'path'>

export interface AuthOptions {
  credentials?: DeviceCredentials
  allowAnonymous: boolean
  internal: InternalCredential
  refusals: Refusals
  /** called once a client is let in, with who it is */
  admit(client: Client, who: Identity): void
}

type Done = (error: AuthenticateError | null, success: boolean | null) => void

const refusal = (returnCode: 4 | 5, message: string) => Object.assign(new Error(message), { returnCode }) as AuthenticateError

/** The remote address of a TCP/TLS socket, or of the HTTP request under a WebSocket. */
export function remoteAddress(client: Client): string | undefined {
  return (client.conn as { remoteAddress?: string }).remoteAddress ?? client.req?.socket?.remoteAddress
}

export function createAuthenticate(o: AuthOptions) {
  const guard = new LoginGuard<DeviceRecord>()
  const digestKey = randomBytes(32)
  const digest = (b: Buffer) => createHmac('sha256', digestKey).update(b).digest()
  const internalDigest = digest(Buffer.from(o.internal.password))
  // The credentials file's mtime: when an admin adds, changes or removes a device, cached
  // logins are checked again.
  const version = () => {
    try {
      return statSync(o.credentials!.path).mtimeMs
    } catch {
      return -1
    }
  }

  return function authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: Done): void {
    const address = remoteAddress(client)
    const admit = (who: Identity) => (o.admit(client, who), done(null, true))
    const refuse = (reason: 'bad_credentials' | 'anonymous' | 'login_throttled', code: 4 | 5, message: string) => {
      o.refusals.refuse(reason, { clientId: client.id, username, address })
      done(refusal(code, message), false)
    }

    if (!username) {
      return o.allowAnonymous ? admit({ kind: 'anonymous' }) : refuse('anonymous', 5, 'not authorized: credentials required')
    }
    const secret = password ?? Buffer.alloc(0)
    if (username === o.internal.username) {
      // Cheap to check, so never throttled: a guesser cannot lock the simulator out.
      return timingSafeEqual(digest(secret), internalDigest) ? admit({ kind: 'internal' }) : refuse('bad_credentials', 4, 'bad user name or password')
    }
    if (!o.credentials) {
      return o.allowAnonymous ? admit({ kind: 'anonymous' }) : refuse('bad_credentials', 4, 'bad user name or password')
    }

    const key = guard.cacheKey(username, secret)
    const v = version()
    const known = guard.cached(key, v)
    // A remembered success wins over the throttle, so a guesser hammering a gateway's
    // username does not lock out the gateway itself.
    if (known) return admit(device(username, known))
    if (guard.throttled(username, address)) return refuse('login_throttled', 5, 'not authorized: too many failed logins, try again later')
    guard
      .verify(key, { username, address, version: v }, () => o.credentials!.checkDevice(username, secret.toString('utf8')))
      .then(
        (rec) => (rec ? admit(device(username, rec)) : refuse('bad_credentials', 4, 'bad user name or password')),
        (err: Error) => done(Object.assign(err, { returnCode: 3 }) as AuthenticateError, false), // 3: server unavailable
      )
  }
}

const device = (username: string, rec: DeviceRecord): Identity => ({ kind: 'device', username, lines: rec.lines, equipment: rec.equipment, sparkplug: rec.sparkplug })
