// WeCom (企业微信) group robot: JSON `{ msgtype: "markdown", markdown: { content } }` to its
// webhook (the key is in the URL). Also 20 messages a minute per robot (errcode 45009), so it
// shares the robot queue with DingTalk; markdown content is limited to 4 096 bytes.
import { httpFailure, networkFailure, postJson } from './http.ts'
import { byChange, commonLanguage, render, textsFor, type Item } from './message.ts'
import type { SendResult } from './queue.ts'

export const WECOM_THROTTLED = 45009

export function wecomMarkdown(items: readonly Item[]): string {
  const people = [...new Map(items.map((i) => [i.person.id, i.person])).values()]
  const one = commonLanguage(people)
  const groups = byChange(items)
  const parts: string[] = []
  for (const lang of one ? [one] : (['zh-CN', 'en'] as const)) {
    const t = textsFor(lang)
    if (groups.length > 1) parts.push(`### ${t.digest(groups.length)}`)
    for (const g of groups) {
      const r = render(g[0].change, g[0].info, lang)
      const color = g[0].change.transition.priority === 'critical' || g[0].change.transition.priority === 'high' ? 'warning' : 'comment'
      parts.push(`**<font color="${color}">${r.title}</font>**`)
      parts.push(groups.length > 1 ? `> ${r.lines[2]} · ${r.lines[3]}` : r.lines.map((l) => `> ${l}`).join('\n'))
      if (groups.length === 1 && r.description) parts.push(`${t.check}: ${r.description}`)
      for (const i of g) {
        const url = i.info.ackUrl?.(i.person.id)
        parts.push(url ? `[${t.ack} · ${i.person.name}](${url})` : `${i.person.name}`)
      }
    }
  }
  let text = parts.join('\n')
  while (Buffer.byteLength(text) > 4000) text = text.slice(0, Math.floor(text.length * 0.9))
  return text
}

export function wecomSender(o: { webhook: string; timeoutMs: number }): (items: readonly Item[]) => Promise<SendResult> {
  return async (items) => {
    try {
      const r = await postJson(o.webhook, JSON.stringify({ msgtype: 'markdown', markdown: { content: wecomMarkdown(items) } }), o.timeoutMs)
      if (r.status !== 200) return httpFailure(r.status)
      const code = Number(r.json?.errcode ?? -1)
      if (code === 0) return { ok: true }
      const throttled = code === WECOM_THROTTLED
      return { ok: false, retry: throttled || code === -1, ...(throttled && { retryAfterMs: 60_000 }), error: `errcode ${code}: ${String(r.json?.errmsg ?? '')}`.slice(0, 200) }
    } catch (err) {
      return networkFailure(err)
    }
  }
}
