// The broker's listeners: MQTT over TCP, over TLS (MQTTS), and over WebSocket (ws or wss).
// Each hands its connections to one `handle(stream, req)`; none knows about aedes.
import { readFile } from 'node:fs/promises'
import { createServer as createHttpsServer } from 'node:https'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createSecureContext, TLSSocket } from 'node:tls'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, createWebSocketStream } from 'ws'

// TCP_NODELAY: without it Nagle + delayed ACK put 30–35 ms on every small message.
// A client's publishes are read a socket buffer at a time and the next read waits for the
// commit of the whole buffer, so the buffer size bounds a client's throughput: at the
// 16 KiB default that is ~50 messages per group commit, at 512 KiB a whole in-flight window.
const READ_BUFFER_BYTES = 512 * 1024

export type Handle = (stream: Duplex, req?: IncomingMessage) => void

export interface Listener {
  port: number
  close(): Promise<void>
}

export interface TlsFiles {
  /** PEM certificate chain file */
  cert: string
  /** PEM private key file */
  key: string
}

export const readTls = async (files: TlsFiles) => ({ cert: await readFile(files.cert), key: await readFile(files.key) })

export async function listenTcp(host: string, port: number, handle: Handle): Promise<Listener> {
  return listenNet(createServer({ noDelay: true, highWaterMark: READ_BUFFER_BYTES }, (socket) => handle(socket)), host, port)
}

/**
 * MQTTS. tls.createServer gives its TLS sockets the 16 KiB default buffer whatever the
 * options say, so the TLS layer is put on a TCP socket by hand with the same 512 KiB as the
 * plain listener. A handshake that never finishes is cut off by aedes' connectTimeout, which
 * runs from the moment the socket is handed over.
 */
export async function listenTls(host: string, port: number, pem: { cert: Buffer; key: Buffer }, handle: Handle): Promise<Listener> {
  const secureContext = createSecureContext({ cert: pem.cert, key: pem.key, minVersion: 'TLSv1.2' })
  const server = createServer({ noDelay: true, highWaterMark: READ_BUFFER_BYTES }, (raw: Socket) => {
    const socket = new TLSSocket(raw, { isServer: true, secureContext, highWaterMark: READ_BUFFER_BYTES } as ConstructorParameters<typeof TLSSocket>[1])
    handle(socket)
  })
  return listenNet(server, host, port)
}

/**
 * MQTT over WebSocket, as wss:// when `pem` is given. `maxPayload` caps one WebSocket
 * message at the packet limit (ws would otherwise buffer up to 100 MiB before MQTT sees it).
 */
export async function listenWs(host: string, port: number, maxPayload: number | undefined, pem: { cert: Buffer; key: Buffer } | undefined, handle: Handle): Promise<Listener> {
  const https = pem ? createHttpsServer({ cert: pem.cert, key: pem.key, minVersion: 'TLSv1.2', noDelay: true }) : undefined
  const ws = https ? new WebSocketServer({ server: https, maxPayload }) : new WebSocketServer({ host, port, maxPayload })
  if (https) await listenNet(https, host, port)
  else await new Promise<void>((resolve, reject) => ws.once('listening', resolve).once('error', reject))
  ws.on('connection', (socket, req) => {
    ;(req.socket as Socket).setNoDelay(true)
    handle(createWebSocketStream(socket), req)
  })
  return {
    port: ((https ?? ws).address() as AddressInfo).port,
    async close() {
      for (const c of ws.clients) c.terminate()
      await new Promise<void>((r) => ws.close(() => r()))
      if (https) {
        const closed = new Promise<void>((r) => https.close(() => r()))
        https.closeAllConnections() // sockets still in their TLS handshake
        await closed
      }
    },
  }
}

async function listenNet(server: Server, host: string, port: number): Promise<Listener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    port: (server.address() as AddressInfo).port,
    // Resolves once every connection is gone; aedes.close() ends them.
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}
