// The embedded MQTT broker (aedes, MQTT 3.1.1): TCP and WebSocket listeners. Ingest hooks in
// before the PUBACK: aedes calls authorizePublish before it acknowledges a QoS 1 publish, so
// a device's PUBACK is sent only once its readings are committed (group commit keeps that
// fast). If the store fails, the publish is refused, aedes closes the connection and the
// device's client resends after reconnecting: nothing acknowledged is ever lost.
import { createServer, type Server, type AddressInfo } from 'node:net'
import { Aedes, type Client, type PublishPacket } from 'aedes'
import { WebSocketServer, createWebSocketStream } from 'ws'
import { Gauge, type Registry } from 'prom-client'
import type { Logger } from '../core/log.ts'

const READ_BUFFER_BYTES = 512 * 1024

export interface BrokerOptions {
  host: string
  port: number
  wsPort: number
}

export interface BrokerContext {
  log: Logger
  metrics: Registry
  /** Called before a publish is acknowledged; a returned promise delays the PUBACK. */
  beforeAck?: (topic: string, payload: Uint8Array, clientId: string) => Promise<void> | undefined
}

export interface Broker {
  aedes: Aedes
  /** actual ports (useful when 0 was asked for) */
  port: number
  wsPort: number
  close(): Promise<void>
}

export async function startBroker(ctx: BrokerContext, opts: BrokerOptions): Promise<Broker> {
  const log = ctx.log.child({ part: 'broker' })
  const aedes = await Aedes.createBroker({
    // Messages wait in mqemitter for slow subscribers; a high ceiling keeps a burst of QoS 1
    // traffic flowing while drainTimeout cuts off a subscriber that stopped reading.
    concurrency: 10_000,
    drainTimeout: 30_000,
    heartbeatInterval: 60_000,
    maxClientsIdLength: 128,
    authorizePublish(client: Client | null, packet: PublishPacket, done: (err?: Error | null) => void) {
      if (!ctx.beforeAck || !client) return done(null)
      let pending: Promise<void> | undefined
      try {
        pending = ctx.beforeAck(packet.topic, packet.payload as Buffer, client.id)
      } catch (err) {
        log.error({ err, topic: packet.topic }, 'ingest threw on a publish; refusing it')
        return done(err as Error)
      }
      if (!pending) return done(null)
      if (packet.qos === 0) {
        // QoS 0 promises nothing: forward at once, and only log a failed commit.
        pending.catch((err: Error) => log.warn({ err: err.message, clientId: client.id }, 'store did not commit a QoS 0 publish'))
        return done(null)
      }
      pending.then(
        () => done(null),
        (err: Error) => {
          log.warn({ err: err.message, clientId: client.id }, 'store did not commit; publish refused, the device will resend')
          done(err)
        },
      )
    },
  })
  aedes.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'))
  aedes.on('connectionError', (client, err) => log.debug({ clientId: client?.id, err: err.message }, 'connection error'))

  // TCP_NODELAY: without it Nagle + delayed ACK put 30–35 ms on every small message.
  // A client's publishes are read a socket buffer at a time and the next read waits for the
  // commit of the whole buffer, so the buffer size bounds a client's throughput: at the
  // 16 KiB default that is ~50 messages per group commit, at 512 KiB a whole in-flight window.
  const tcp: Server = createServer({ noDelay: true, highWaterMark: READ_BUFFER_BYTES }, aedes.handle)
  await listen(tcp, opts.port, opts.host)
  const ws = new WebSocketServer({ host: opts.host, port: opts.wsPort })
  await new Promise<void>((resolve, reject) => ws.once('listening', resolve).once('error', reject))
  ws.on('connection', (socket, req) => {
    ;(req.socket as import('node:net').Socket).setNoDelay(true)
    aedes.handle(createWebSocketStream(socket) as never, req)
  })

  new Gauge({
    name: 'mw_broker_clients',
    help: 'Clients connected to the embedded broker',
    registers: [ctx.metrics],
    collect() {
      this.set(aedes.connectedClients)
    },
  })

  const port = (tcp.address() as AddressInfo).port
  const wsPort = (ws.address() as AddressInfo).port
  log.debug({ port, wsPort }, 'broker listening')

  let closing: Promise<void> | undefined
  return {
    aedes,
    port,
    wsPort,
    close() {
      closing ??= (async () => {
        for (const c of ws.clients) c.terminate()
        await new Promise<void>((r) => ws.close(() => r()))
        const tcpClosed = new Promise<void>((r) => tcp.close(() => r()))
        await new Promise<void>((r) => aedes.close(() => r()))
        await tcpClosed
      })()
      return closing
    },
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}
