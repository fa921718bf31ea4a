// config/channels.yaml: which notification channels are on, their settings, and how fast an
// unacknowledged alarm escalates. Strings may name environment variables as ${NAME}, so
// webhook URLs and secrets stay out of the file; a channel whose address resolves to nothing
// is off. Built once at the edge like core/config.ts: every problem at once, result frozen.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { parseDuration } from '../../core/duration.ts'
import { ConfigError } from '../../core/errors.ts'
import type { People } from '../../core/people.ts'
import { PRIORITIES, type Priority } from '../rules/types.ts'

export type Env = Record<string, string | undefined>

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 30s, 5m, 1h)` })
    return z.NEVER
  }
  return ms
})
const delays = z.strictObject({ foremanAfter: duration.optional(), managerAfter: duration.optional() })
const ids = z.array(z.string().min(1))

const fileSchema = z.strictObject({
  timeout: duration.default(10_000),
  queueLimit: z.number().int().min(1).max(1_000_000).default(1000),
  ackTokenTtl: duration.default(12 * 3_600_000),
  escalation: z
    .strictObject({
      foremanAfter: duration.default(10 * 60_000),
      managerAfter: duration.default(30 * 60_000),
      priorities: z.partialRecord(z.enum(PRIORITIES), delays).default({}),
      managers: ids.optional(),
      areas: z.record(z.string(), delays.extend({ managers: ids.optional() })).default({}),
    })
    .prefault({}),
  channels: z
    .strictObject({
      dingtalk: z
        .strictObject({
          webhook: z.string().default('${DINGTALK_WEBHOOK}'),
          secret: z.string().default('${DINGTALK_SECRET}'),
          message: z.enum(['markdown', 'actionCard']).default('markdown'),
          maxPerMinute: z.number().int().min(1).max(20).default(20),
          maxAttempts: z.number().int().min(1).max(20).default(5),
        })
        .prefault({}),
      wecom: z
        .strictObject({
          webhook: z.string().default('${WECOM_WEBHOOK}'),
          maxPerMinute: z.number().int().min(1).max(20).default(20),
          maxAttempts: z.number().int().min(1).max(20).default(5),
        })
        .prefault({}),
      email: z.strictObject({ url: z.string().default('${SMTP_URL}'), from: z.string().default('${SMTP_FROM}'), maxAttempts: z.number().int().min(1).max(20).default(3) }).prefault({}),
      webhook: z.strictObject({ url: z.string().default('${WEBHOOK_URL}'), secret: z.string().default('${WEBHOOK_SECRET}'), maxAttempts: z.number().int().min(1).max(20).default(3) }).prefault({}),
    })
    .prefault({}),
})

export interface Delays {
  readonly foremanAfterMs?: number
  readonly managerAfterMs?: number
}

export interface EscalationConfig {
  /** Since the alarm was raised (or re-alarmed), unacknowledged. */
  readonly foremanAfterMs: number
  readonly managerAfterMs: number
  readonly priorities: Readonly<Partial<Record<Priority, Delays>>>
  /** Default maintenance managers (person ids); absent: every person with role manager. */
  readonly managers?: readonly string[]
  readonly areas: Readonly<Record<string, Delays & { readonly managers?: readonly string[] }>>
}

export interface ChannelsConfig {
  /** Per request (HTTP or SMTP conversation). */
  readonly timeoutMs: number
  /** Per channel: beyond it the oldest waiting notification is dropped (and reported). */
  readonly queueLimit: number
  readonly ackTokenTtlMs: number
  readonly escalation: EscalationConfig
  readonly dingtalk?: { readonly webhook: string; readonly secret?: string; readonly message: 'markdown' | 'actionCard'; readonly maxPerMinute: number; readonly maxAttempts: number }
  readonly wecom?: { readonly webhook: string; readonly maxPerMinute: number; readonly maxAttempts: number }
  readonly email?: { readonly url: string; readonly from: string; readonly maxAttempts: number }
  readonly webhook?: { readonly url: string; readonly secret?: string; readonly maxAttempts: number }
}

/** "${NAME}" → the environment's value ('' when unset). */
export const interpolate = (s: string, env: Env) => s.replace(/\$\{([A-Z0-9_]+)\}/g, (_, k: string) => env[k] ?? '')

const path = (p: PropertyKey[]) => p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('') || '(root)'
const isUrl = (s: string, protocols: RegExp) => {
  try {
    return protocols.test(new URL(s).protocol)
  } catch {
    return false
  }
}

/** Pure: the parsed YAML (or undefined for no file) + environment → config, or every problem. */
export function parseChannels(raw: unknown, env: Env, opts: { where?: string; people?: People } = {}): { config?: ChannelsConfig; problems: string[] } {
  const where = opts.where ?? 'channels.yaml'
  const r = fileSchema.safeParse(raw ?? {})
  if (!r.success) return { problems: r.error.issues.map((i) => `${where} ${path(i.path)}: ${i.message}`) }
  const f = r.data
  const c = f.channels
  const problems: string[] = []
  const val = (s: string) => interpolate(s, env).trim()
  const url = (s: string, at: string, protocols = /^https?:$/) => {
    const v = val(s)
    if (v && !isUrl(v, protocols)) problems.push(`${where} ${at}: "${v.slice(0, 60)}" is not a ${protocols.source.includes('smtp') ? 'smtp:// or smtps://' : 'http(s)'} URL`)
    return v
  }
  const ding = url(c.dingtalk.webhook, 'channels.dingtalk.webhook')
  const wecom = url(c.wecom.webhook, 'channels.wecom.webhook')
  const smtp = url(c.email.url, 'channels.email.url', /^smtps?:$/)
  const hook = url(c.webhook.url, 'channels.webhook.url')
  const from = val(c.email.from)
  if (smtp && !from) problems.push(`${where} channels.email.from: needed with an SMTP URL (SMTP_FROM)`)
  const e = f.escalation
  if (opts.people) {
    const check = (list: readonly string[] | undefined, at: string) => list?.forEach((id, i) => opts.people!.byId.has(id) || problems.push(`${where} ${at}[${i}]: no person "${id}" in people.yaml`))
    check(e.managers, 'escalation.managers')
    for (const [a, v] of Object.entries(e.areas)) {
      if (!(a in opts.people.file.areas)) problems.push(`${where} escalation.areas.${a}: no area "${a}" in people.yaml`)
      check(v.managers, `escalation.areas.${a}.managers`)
    }
  }
  if (problems.length) return { problems }
  const d = (x: { foremanAfter?: number; managerAfter?: number }): Delays => ({ foremanAfterMs: x.foremanAfter, managerAfterMs: x.managerAfter })
  const config: ChannelsConfig = {
    timeoutMs: f.timeout,
    queueLimit: f.queueLimit,
    ackTokenTtlMs: f.ackTokenTtl,
    escalation: {
      foremanAfterMs: e.foremanAfter,
      managerAfterMs: e.managerAfter,
      priorities: Object.fromEntries(Object.entries(e.priorities).map(([k, v]) => [k, d(v!)])),
      managers: e.managers,
      areas: Object.fromEntries(Object.entries(e.areas).map(([k, v]) => [k, { ...d(v), managers: v.managers }])),
    },
    dingtalk: ding ? { webhook: ding, secret: val(c.dingtalk.secret) || undefined, message: c.dingtalk.message, maxPerMinute: c.dingtalk.maxPerMinute, maxAttempts: c.dingtalk.maxAttempts } : undefined,
    wecom: wecom ? { webhook: wecom, maxPerMinute: c.wecom.maxPerMinute, maxAttempts: c.wecom.maxAttempts } : undefined,
    email: smtp ? { url: smtp, from, maxAttempts: c.email.maxAttempts } : undefined,
    webhook: hook ? { url: hook, secret: val(c.webhook.secret) || undefined, maxAttempts: c.webhook.maxAttempts } : undefined,
  }
  return { config: deepFreeze(config), problems }
}

/** Reads `channels.yaml` from the config folder (optional: without it, the environment alone). Throws ConfigError. */
export function loadChannels(configDir: string, env: Env, people?: People): ChannelsConfig {
  const file = join(configDir, 'channels.yaml')
  let raw: unknown
  if (existsSync(file)) {
    try {
      raw = parseYaml(readFileSync(file, 'utf8')) ?? {}
    } catch (err) {
      throw new ConfigError([`${file}: ${(err as Error).message.split('\n')[0]}`])
    }
  }
  const r = parseChannels(raw, env, { where: file, people })
  if (!r.config) throw new ConfigError(r.problems)
  return r.config
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}
