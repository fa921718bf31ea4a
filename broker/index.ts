// The embedded MQTT broker (aedes, MQTT 3.1.1) on TCP, WebSocket and optionally TLS, secured
// like Mosquitto 2: anonymous clients only while every listener is on loopback, otherwise
// device credentials (auth.ts) and topic ACLs (acl.ts); per-client limits (policy.ts,
// limits.ts) so one broken gateway cannot starve the others; ingest's commit before each
// PUBACK (policy.ts).
import { Aedes } from 'aedes'
import { Gauge, type Registry } from 'prom-client'
import { isLoopback } from '../core/config.ts'
import type { Logger } from '../core/log.ts'
import type { Identity } from './acl.ts'
import { createAuthenticate, createInternalCredential, type DeviceCredentials, type InternalCredential } from './auth.ts'
import { listenTcp, listenTls, listenWs, readTls, type Listener, type TlsFiles } from './listeners.ts'
import { createPolicy, type BeforeAck, type BrokerLimits } from './policy.ts'
import { createRefusals } from './refusals.ts'
import { TURN_MS } from './turns.ts'

export type { BeforeAck, BrokerLimits, DeviceCredentials, Identity, InternalCredential, TlsFiles }

export interface BrokerOptions {
  host: string
  port: number
  wsPort: number
  /** MQTTS listener port; needs `tls` */
  tlsPort?: number
  /** certificate chain and private key, PEM file paths */
  tls?: TlsFiles
  /** serve the WebSocket port as wss:// with `tls` (default false: plain ws://) */
  wsTls?: boolean
  /** clients without credentials; default: only when `host` is a loopback address (Mosquitto 2) */
  allowAnonymous?: boolean
  /** omitted limits are not enforced; millwatch's internal clients are exempt from all but the packet size */
  limits?: Partial<BrokerLimits>
}

export interface BrokerContext {
  log: Logger
  metrics: Registry
  /** Called before a publish is acknowledged; a returned promise delays the PUBACK. */
  beforeAck?: BeforeAck
  /** true while the store is behind: publishes then wait for their commit before the socket is read on */
  congested?: () => boolean
  /** device credentials (a core/credentials.ts Credentials); without them only anonymous (if allowed) and internal clients connect */
  credentials?: DeviceCredentials
}

export interface Broker {
  aedes: Aedes
  /** actual ports (useful when 0 was asked for) */
  port: number
  wsPort: number
  tlsPort?: number
  /** the login for millwatch's own MQTT clients, fresh in every process (auth.ts) */
  internal: InternalCredential
  close(): Promise<void>
}

export async function startBroker(ctx: BrokerContext, opts: BrokerOptions): Promise<Broker> {
  const log = ctx.log.child({ part: 'broker' })
  if ((opts.tlsPort !== undefined || opts.wsTls) && !opts.tls) throw new Error('the MQTTS listener and wss:// need tls: { cert, key }')
  const pem = opts.tls ? await readTls(opts.tls) : undefined
  const limits = opts.limits ?? {}
  const allowAnonymous = opts.allowAnonymous ?? isLoopback(opts.host)
  if (allowAnonymous && !isLoopback(opts.host)) log.warn({ host: opts.host }, 'anonymous MQTT clients are allowed on a non-loopback address')
  if (!allowAnonymous && !ctx.credentials) log.warn('anonymous MQTT clients are refused and there are no device credentials: only millwatch itself can connect')
  const internal = createInternalCredential()
  const refusals = createRefusals(log, ctx.metrics)
  const policy = createPolicy({ log, refusals, limits, beforeAck: ctx.beforeAck, congested: ctx.congested })

  const aedes = await Aedes.createBroker({
    // No ceiling on messages in flight inside mqemitter. A ceiling does not bound memory (aedes
    // reads a client's socket again only once every publish of its last read is through, so
    // clients × one read is the bound either way); it only parks the excess in a queue that
    // mqemitter drains with Array.shift (quadratic: a 100k backlog stalled the loop for
    // seconds) and recursively (a backlog with no subscriber overflowed the stack and killed
    // the process, DESIGN.md "aedes risks", reproduced with aedes 1.2.0 at concurrency 10k).
    // QoS 0 to slow subscribers is dropped instead of held (limits.ts), and drainTimeout cuts
    // off a subscriber that stopped reading QoS 1.
    concurrency: 0,
    drainTimeout: 30_000,
    heartbeatInterval: 60_000,
    maxClientsIdLength: 128,
    authenticate: createAuthenticate({ credentials: ctx.credentials, allowAnonymous, internal, refusals, admit: policy.admit }),
    authorizePublish: policy.authorizePublish,
    authorizeSubscribe: policy.authorizeSubscribe,
  })
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'))
  aedes.on('connectionError', (client, err) => log.debug({ clientId: client?.id, err: err.message }, 'connection error'))

  const handle = policy.handler(aedes)
  let tcp: Listener | undefined
  let ws: Listener | undefined
  let tls: Listener | undefined
  const closeAll = async () => {
    await ws?.close() // terminates its clients
    const netClosed = Promise.all([tcp?.close(), tls?.close()]) // resolve once aedes has ended every connection
    await new Promise<void>((r) => aedes.close(() => r()))
    await netClosed
  }
  try {
    tcp = await listenTcp(opts.host, opts.port, handle)
    const maxPayload = limits.maxPacketBytes ? limits.maxPacketBytes + 4096 : undefined
    ws = await listenWs(opts.host, opts.wsPort, maxPayload, opts.wsTls ? pem : undefined, handle)
    if (pem && opts.tlsPort !== undefined) tls = await listenTls(opts.host, opts.tlsPort, pem, handle)
  } catch (err) {
    await closeAll()
    throw err
  }
  const [port, wsPort, tlsPort] = [tcp.port, ws.port, tls?.port]

  new Gauge({
    name: 'mw_broker_clients',
    help: 'Clients connected to the embedded broker',
    registers: [ctx.metrics],
    collect() {
      this.set(aedes.connectedClients)
    },
  })
  new Gauge({
    name: 'mw_broker_publishes_waiting',
    help: `Publishes read from the sockets and waiting for their turn (each turn of the event loop spends at most ${TURN_MS} ms on publishes, round-robin across clients)`,
    registers: [ctx.metrics],
    collect() {
      this.set(policy.waiting())
    },
  })
  log.debug({ port, wsPort, tlsPort, allowAnonymous, limits }, 'broker listening')

  let closing: Promise<void> | undefined
  return { aedes, port, wsPort, tlsPort, internal, close: () => (closing ??= closeAll()) }
}
