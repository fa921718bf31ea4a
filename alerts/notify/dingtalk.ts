// DingTalk custom robot (自定义机器人). Signed requests, as DingTalk documents them:
//   POST {webhook}&timestamp={ms}&sign={urlencode(base64(HmacSHA256(key = secret, msg = timestamp + "\n" + secret)))}
// markdown (or actionCard) messages; `at.atMobiles` mentions the responsible people (the
// mobile must also appear as @mobile in the text to be highlighted). At most 20 messages a
// minute per robot — beyond it errcode 130101 and the robot is throttled for 10 minutes — so
// the queue keeps under the limit and merges bursts into digests.
// A robot cannot call back: the acknowledge button is a link back to millwatch.
import { createHmac } from 'node:crypto'
import type { Language, Person } from '../../core/people.ts'
import { httpFailure, networkFailure, postJson } from './http.ts'
import { byChange, commonLanguage, mobileOf, render, textsFor, type Item } from './message.ts'
import type { SendResult } from './queue.ts'

/** DingTalk's errcode for "sending too fast" (send too fast, exceed 20 times per minute). */
export const DINGTALK_THROTTLED = 130101

export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64')
}

export function signedUrl(webhook: string, secret: string | undefined, timestamp: number): string {
  if (!secret) return webhook
  return `${webhook}${webhook.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`
}

const languagesOf = (people: readonly Person[]): Language[] => {
  const one = commonLanguage(people)
  return one ? [one] : ['zh-CN', 'en']
}

/** Markdown for one alarm change (several people) or a digest; both languages when the readers' differ. */
export function dingtalkMarkdown(items: readonly Item[]): { title: string; text: string; mobiles: string[]; userIds: string[]; ack?: { label: string; url: string } } {
  const people = [...new Map(items.map((i) => [i.person.id, i.person])).values()]
  const mobiles = [...new Set(people.map(mobileOf).filter((m): m is string => !!m))]
  const userIds = [...new Set(people.map((p) => p.dingtalk?.userId).filter((u): u is string => !!u))]
  const langs = languagesOf(people)
  const groups = byChange(items)
  const parts: string[] = []
  let title = ''
  let ack: { label: string; url: string } | undefined
  for (const lang of langs) {
    const t = textsFor(lang)
    if (groups.length === 1) {
      const r = render(groups[0][0].change, groups[0][0].info, lang)
      title ||= r.title
      parts.push(`#### ${r.title}`, ...r.lines.map((l) => `- ${l}`))
      if (r.description) parts.push(`> ${t.check}: ${r.description}`)
    } else {
      title ||= t.digest(groups.length)
      parts.push(`#### ${t.digest(groups.length)}`)
      for (const g of groups) {
        const r = render(g[0].change, g[0].info, lang)
        parts.push(`- **${r.title}** · ${r.lines[2]} · ${r.lines[3]}`)
      }
    }
    const links = items.map((i) => ({ i, url: i.info.ackUrl?.(i.person.id) })).filter((x) => x.url)
    if (groups.length === 1 && links.length === 1) ack = { label: t.ack, url: links[0].url! }
    for (const { i, url } of links) parts.push(`[${t.ack}${groups.length > 1 ? ` ${i.change.transition.equipment}/${i.change.transition.sensor}` : ''} · ${i.person.name}](${url})`)
    parts.push('')
  }
  if (mobiles.length) parts.push(mobiles.map((m) => `@${m}`).join(' '))
  return { title, text: parts.join('\n\n'), mobiles, userIds, ack }
}

export interface DingTalkOptions {
  readonly webhook: string
  readonly secret?: string
  readonly message: 'markdown' | 'actionCard'
  readonly timeoutMs: number
  readonly now: () => number
}

export function dingtalkSender(o: DingTalkOptions): (items: readonly Item[]) => Promise<SendResult> {
  return async (items) => {
    const m = dingtalkMarkdown(items)
    const at = { atMobiles: m.mobiles, ...(m.userIds.length && { atUserIds: m.userIds }), isAtAll: false }
    const body =
      o.message === 'actionCard' && m.ack
        ? { msgtype: 'actionCard', actionCard: { title: m.title, text: m.text, btnOrientation: '0', btns: [{ title: m.ack.label, actionURL: m.ack.url }] }, at }
        : { msgtype: 'markdown', markdown: { title: m.title, text: m.text }, at }
    try {
      const r = await postJson(signedUrl(o.webhook, o.secret, o.now()), JSON.stringify(body), o.timeoutMs)
      if (r.status !== 200) return httpFailure(r.status)
      const code = Number(r.json?.errcode ?? -1)
      if (code === 0) return { ok: true }
      // A robot that went over 20 a minute is throttled for 10 minutes (DingTalk's documentation):
      // retry after 1, 2, 4, 8 minutes — meanwhile new alarms queue up and are merged.
      const throttled = code === DINGTALK_THROTTLED
      return { ok: false, retry: throttled || code === -1, ...(throttled && { retryAfterMs: 60_000 }), error: `errcode ${code}: ${String(r.json?.errmsg ?? '')}`.slice(0, 200) }
    } catch (err) {
      return networkFailure(err)
    }
  }
}
