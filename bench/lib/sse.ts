// A minimal server-sent events client for benchmarks (Node has no EventSource): one GET,
// frames split on blank lines, `event:` and `data:` fields (WHATWG HTML, "Server-sent events").
import { request, type Agent } from 'node:http'

export interface SseStream {
  /** resolves with the HTTP status once the response headers arrived */
  opened: Promise<number>
  frames: number
  close(): void
}

export function openSse(url: string, headers: Record<string, string>, onEvent: (event: string, data: string) => void, agent?: Agent): SseStream {
  let buf = ''
  let closed = false
  const s: SseStream = { opened: Promise.resolve(0), frames: 0, close: () => {} }
  const req = request(url, { headers: { accept: 'text/event-stream', ...headers }, agent })
  s.opened = new Promise<number>((resolve, reject) => {
    req.once('response', (res) => {
      resolve(res.statusCode ?? 0)
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        buf += chunk
        for (let end = buf.indexOf('\n\n'); end >= 0; end = buf.indexOf('\n\n')) {
          const frame = buf.slice(0, end)
          buf = buf.slice(end + 2)
          let event = 'message'
          const data: string[] = []
          for (const line of frame.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim()
            else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
          }
          if (data.length) (s.frames++, onEvent(event, data.join('\n')))
        }
      })
      res.on('error', () => undefined)
    })
    req.once('error', (err) => (closed ? resolve(0) : reject(err)))
  })
  req.end()
  s.close = () => {
    closed = true
    req.destroy()
  }
  return s
}
