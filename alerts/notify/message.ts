// What a notification says, in the recipient's language (en / zh-CN, DESIGN.md "The reader's
// language"): equipment, sensor, value, limit, priority, what to check (the rule's
// description), when (plant time zone) and an Acknowledge link. Pure text building; every
// channel formats from these pieces.
import type { Language, Person } from '../../core/people.ts'
import type { AlarmChange } from '../engine.ts'

/** What the caller knows beyond the alarm change itself. */
export interface NotifyInfo {
  /** The rule's description: what it means and what to check. */
  readonly description?: string
  readonly unit?: string
  readonly equipmentName?: string
  /** Plant time zone for the times shown (default Asia/Shanghai). */
  readonly timezone?: string
  /** The signed acknowledge link for one person (`${publicUrl}/inbox/ack?token=…`). */
  readonly ackUrl?: (personId: string) => string | undefined
  /** A page showing the alarm. */
  readonly alarmUrl?: string
  /** Set when this is an escalation: the level reached and how long the alarm has waited. */
  readonly escalation?: { readonly level: number; readonly role: 'operator' | 'foreman' | 'manager'; readonly waitedMs: number }
}

/** One person to tell about one alarm change. */
export interface Item {
  readonly person: Person
  readonly change: AlarmChange
  readonly info: NotifyInfo
}

const T = {
  en: {
    priority: { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' },
    action: { activate: 'Alarm', realarm: 'Alarm again (still active after acknowledgement)', clear: 'Returned to normal', escalate: 'Not acknowledged' },
    equipment: 'Equipment', sensor: 'Sensor', value: 'Value', limit: 'Limit', prio: 'Priority', check: 'What to check', at: 'Raised at',
    ack: 'Acknowledge', view: 'Open in millwatch', digest: (n: number) => `${n} alarm notifications`,
    escalated: (min: number, role: string) => `Escalated to the ${role}: not acknowledged for ${min} min`,
    role: { operator: 'operator', foreman: 'shift foreman', manager: 'maintenance manager' },
  },
  'zh-CN': {
    priority: { critical: '紧急', high: '高', medium: '中', low: '低' },
    action: { activate: '报警', realarm: '再次报警（确认后仍未恢复）', clear: '已恢复正常', escalate: '未确认' },
    equipment: '设备', sensor: '传感器', value: '数值', limit: '限值', prio: '优先级', check: '检查要点', at: '报警时间',
    ack: '确认', view: '在 millwatch 中查看', digest: (n: number) => `${n} 条报警通知`,
    escalated: (min: number, role: string) => `已升级至${role}：${min} 分钟未确认`,
    role: { operator: '操作工', foreman: '值班班长', manager: '设备维修主管' },
  },
} as const

export const textsFor = (lang: Language) => T[lang] ?? T.en

const fmtNumber = (v: number | undefined, lang: Language) => (v === undefined ? '–' : v.toLocaleString(lang, { maximumFractionDigits: 3 }))
export const fmtTime = (at: number, lang: Language, tz = 'Asia/Shanghai') =>
  new Intl.DateTimeFormat(lang, { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(at)

export interface Rendered {
  /** One line: [priority] equipment sensor — action */
  readonly title: string
  /** The facts, one per line ("Label: value"). */
  readonly lines: readonly string[]
  readonly description?: string
  readonly ackLabel: string
}

/** The message about one alarm change for one language. */
export function render(change: AlarmChange, info: NotifyInfo, lang: Language): Rendered {
  const t = textsFor(lang)
  const { transition: tr, alarm } = change
  const action = info.escalation ? t.action.escalate : (t.action as Record<string, string>)[tr.action] ?? tr.action
  const eq = info.equipmentName ? `${tr.line}/${tr.equipment} (${info.equipmentName})` : `${tr.line}/${tr.equipment}`
  const unit = info.unit ? ` ${info.unit}` : ''
  const lines = [
    `${t.equipment}: ${eq}`,
    `${t.sensor}: ${tr.sensor}`,
    `${t.value}: ${fmtNumber(tr.value ?? alarm.value, lang)}${unit}`,
    `${t.limit}: ${fmtNumber(tr.limit ?? alarm.limit, lang)}${unit}`,
    `${t.prio}: ${t.priority[tr.priority]}`,
    `${t.at}: ${fmtTime(alarm.raisedAt ?? tr.at, lang, info.timezone)}`,
  ]
  if (info.escalation && info.escalation.level > 0) lines.unshift(t.escalated(Math.round(info.escalation.waitedMs / 60_000), t.role[info.escalation.role]))
  return { title: `[${t.priority[tr.priority]}] ${tr.equipment} ${tr.sensor} — ${action}`, lines, description: info.description, ackLabel: t.ack }
}

/** Recipients' common language, or undefined when they differ (then both are written). */
export function commonLanguage(people: readonly Person[]): Language | undefined {
  const langs = new Set(people.map((p) => p.language))
  return langs.size === 1 ? [...langs][0] : undefined
}

/** Mobile number to mention on DingTalk: the DingTalk mobile, else the phone, digits only. */
export const mobileOf = (p: Person) => (p.dingtalk?.mobile ?? p.phone)?.replace(/[^0-9]/g, '').replace(/^86(?=1\d{10}$)/, '')

/** Items grouped by alarm occurrence and change, in first-seen order. */
export function byChange(items: readonly Item[]): Item[][] {
  const groups = new Map<string, Item[]>()
  for (const it of items) {
    const k = `${it.change.transition.alarmId}\u0000${it.change.transition.at}\u0000${it.change.transition.action}\u0000${it.info.escalation?.level ?? ''}`
    const g = groups.get(k)
    if (g) g.push(it)
    else groups.set(k, [it])
  }
  return [...groups.values()]
}
