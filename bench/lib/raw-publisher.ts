// A lean MQTT 3.1.1 publisher for load generation: PUBLISH packets are built by hand into
// one buffer per burst and PUBACKs are matched by message id. mqtt.js spends ~50 µs of CPU
// per QoS 1 publish on bookkeeping; on a 2-core machine that starves the system under test.
// The protocol on the wire is the same, so the broker cannot tell the difference.
import { connect, type Socket } from 'node:net'
import mqttPacket from 'mqtt-packet'

export class RawPublisher {
  private socket!: Socket
  private nextId = 1
  private readonly started = new Float64Array(65536)
  private readonly busy = new Uint8Array(65536)
  private parts: Buffer[] = []
  inflight = 0

  constructor(private readonly onAck: (latencyMs: number) => void) {}

  async connect(port: number, host: string, clientId: string): Promise<void> {
    this.socket = connect({ port, host, noDelay: true })
    const parser = mqttPacket.parser({ protocolVersion: 4 })
    const connack = new Promise<void>((resolve, reject) => {
      parser.on('packet', (p) => {
        if (p.cmd === 'connack') return p.returnCode === 0 ? resolve() : reject(new Error(`connack ${p.returnCode}`))
        if (p.cmd === 'puback' && p.messageId !== undefined && this.busy[p.messageId]) {
          this.busy[p.messageId] = 0
          this.inflight--
          this.onAck(performance.now() - this.started[p.messageId])
        }
      })
      this.socket.once('error', reject)
    })
    this.socket.on('data', (d) => parser.parse(d))
    await new Promise<void>((r) => this.socket.once('connect', () => r()))
    this.socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 60 }))
    await connack
  }

  /** Queues one QoS 1 PUBLISH; send() writes the queued burst. */
  publish(topic: string, payload: string): void {
    let id = this.nextId
    while (this.busy[id]) id = id === 65535 ? 1 : id + 1
    this.nextId = id === 65535 ? 1 : id + 1
    this.busy[id] = 1
    this.started[id] = performance.now()
    this.inflight++
    const t = Buffer.byteLength(topic)
    const p = Buffer.byteLength(payload)
    const remaining = 2 + t + 2 + p
    const lenBytes = remaining < 128 ? 1 : remaining < 16384 ? 2 : 3
    const buf = Buffer.allocUnsafe(1 + lenBytes + remaining)
    buf[0] = 0x32 // PUBLISH, QoS 1
    let o = 1
    for (let r = remaining; ; ) {
      let byte = r % 128
      r = Math.floor(r / 128)
      if (r > 0) byte |= 0x80
      buf[o++] = byte
      if (r === 0) break
    }
    buf.writeUInt16BE(t, o)
    o += 2 + buf.write(topic, o + 2)
    buf.writeUInt16BE(id, o)
    buf.write(payload, o + 2)
    this.parts.push(buf)
  }

  send(): void {
    if (this.parts.length === 0) return
    this.socket.write(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts))
    this.parts = []
  }

  async close(): Promise<void> {
    this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }))
    await new Promise<void>((r) => this.socket.once('close', () => r()))
  }
}
