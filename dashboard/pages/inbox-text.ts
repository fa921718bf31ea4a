// The words of the worker's phone inbox and the acknowledge-link pages, in English and plant
// Chinese (确认 acknowledge, 搁置 shelve, 报警 alarm). ISA-18.2 state names are shown translated;
// the API keeps its English names. The page's script gets `client` as JSON in a data
// attribute (the CSP allows no inline script).
import type { Catalog } from '../../core/i18n.ts'

const en = {
  alarms: 'Alarms', allAreas: 'all areas',
  noscript: 'This page needs JavaScript for live updates; <a href="/api/alerts">the alarm list</a> works without.',
  linkInvalid: 'Link not valid', linkInvalidHeading: 'This acknowledge link is not valid', openList: 'Open the alarm list',
  noAlarm: 'No such alarm', acknowledge: 'Acknowledge', acknowledged: 'Acknowledged', allAlarms: 'All alarms',
  client: {
    none: 'No alarms.', acknowledge: 'Acknowledge', shelve: 'Shelve 1 h', limit: 'limit', since: 'since',
    priority: { critical: 'critical', high: 'high', medium: 'medium', low: 'low' },
    state: { unacknowledged: 'unacknowledged', acknowledged: 'acknowledged', rtn_unacknowledged: 'returned to normal, unacknowledged', shelved: 'shelved', suppressed: 'suppressed', out_of_service: 'out of service' },
  },
}

const zh: typeof en = {
  alarms: '报警', allAreas: '全部区域',
  noscript: '本页需要 JavaScript 才能实时更新；<a href="/api/alerts">报警列表</a>无需 JavaScript。',
  linkInvalid: '链接无效', linkInvalidHeading: '此确认链接无效', openList: '打开报警列表',
  noAlarm: '没有这个报警', acknowledge: '确认', acknowledged: '已确认', allAlarms: '全部报警',
  client: {
    none: '没有报警。', acknowledge: '确认', shelve: '搁置 1 小时', limit: '限值', since: '开始于',
    priority: { critical: '紧急', high: '高', medium: '中', low: '低' },
    state: { unacknowledged: '未确认', acknowledged: '已确认', rtn_unacknowledged: '已恢复，未确认', shelved: '已搁置', suppressed: '已抑制', out_of_service: '已停用' },
  },
}

export type InboxTexts = typeof en
export const INBOX_TEXTS: Catalog<InboxTexts> = { en, 'zh-CN': zh }
export const inboxTexts = (lang: string | undefined): InboxTexts => (lang === 'zh-CN' ? zh : en)
