// E-mail over SMTP with nodemailer, one message per person, in their language. SMTP_URL is
// smtp://[user:pass@]host[:port] (STARTTLS when the server offers it) or smtps:// (TLS).
import nodemailer from 'nodemailer'
import { render, textsFor, type Item } from './message.ts'
import type { SendResult } from './queue.ts'

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!)

export function emailContent(item: Item): { subject: string; text: string; html: string } {
  const lang = item.person.language
  const t = textsFor(lang)
  const r = render(item.change, item.info, lang)
  const ack = item.info.ackUrl?.(item.person.id)
  const text = [r.title, '', ...r.lines, ...(r.description ? ['', `${t.check}: ${r.description}`] : []), ...(ack ? ['', `${t.ack}: ${ack}`] : []), ...(item.info.alarmUrl ? [`${t.view}: ${item.info.alarmUrl}`] : [])].join('\n')
  const html = `<h2>${esc(r.title)}</h2><ul>${r.lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>${r.description ? `<p><b>${esc(t.check)}:</b> ${esc(r.description)}</p>` : ''}${ack ? `<p><a href="${esc(ack)}" style="font-size:1.3em">${esc(t.ack)}</a></p>` : ''}`
  return { subject: r.title, text, html }
}

export function emailSender(o: { url: string; from: string; timeoutMs: number }): { send: (items: readonly Item[]) => Promise<SendResult>; close: () => void } {
  const u = new URL(o.url)
  const transport = nodemailer.createTransport({
    host: u.hostname,
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    secure: u.protocol === 'smtps:',
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
  })
  return {
    async send(items) {
      const item = items[0]
      if (!item.person.email) return { ok: false, error: 'no e-mail address' }
      try {
        await transport.sendMail({ from: o.from, to: item.person.email, ...emailContent(item) })
        return { ok: true }
      } catch (err) {
        const e = err as Error & { responseCode?: number; code?: string }
        // 5xx SMTP replies are permanent (bad address); connection trouble and 4xx are not.
        return { ok: false, retry: !(e.responseCode && e.responseCode >= 500), error: `smtp: ${e.responseCode ?? e.code ?? ''} ${e.message}`.slice(0, 200) }
      }
    },
    close: () => transport.close(),
  }
}
