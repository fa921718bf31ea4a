// Response shapes of the KPI endpoints for /openapi.json, so other plant systems know what
// they get. Every object keeps fields not listed (additionalProperties) so the document can
// never drop a figure; `null` means "no data for this figure in the period".
const num = (description: string) => ({ type: ['number', 'null'], description }) as const
const obj = (properties: Record<string, unknown>, description?: string) => ({ type: 'object', additionalProperties: true, ...(description && { description }), properties }) as const
const arr = (items: object, description?: string) => ({ type: 'array', ...(description && { description }), items }) as const
const head = {
  from: { type: 'number', description: 'epoch ms' },
  to: { type: 'number', description: 'epoch ms, exclusive' },
  timezone: { type: 'string', description: 'the plant\'s time zone; labels and periods are in it' },
  line: { type: 'string' },
}
const oee = {
  oee: num('availability × performance × quality, 0–1'),
  availability: num('run time / (run + stop time)'),
  performance: num('mean exit speed while running / rated speed'),
  quality: num('share of strip length within thickness tolerance, 0–1'),
  runMinutes: { type: 'number' },
  stopMinutes: { type: 'number' },
  noDataMinutes: { type: 'number', description: 'minutes without any speed reading (neither run nor stop)' },
}
const grade = obj({ grade: { type: 'string' }, coils: { type: 'number' }, tonnage_t: { type: 'number' }, inTolerancePct: num('0–100'), cpk: num('pooled within-coil Cpk (docs/kpi.md)'), ppk: num('overall Ppk') })

export const overviewResponse = {
  200: obj({
    ...head,
    production: obj({ tonnage_t: { type: 'number' }, coils: { type: 'number' }, avgSpeed_mps: num('mean exit strip speed while running'), peakSpeed_mps: num('highest exit strip speed') }),
    quality: obj({ inTolerancePct: num('share of length within tolerance, 0–100'), byGrade: arr(grade) }),
    oee: obj(oee),
    alarms: obj({
      total: { type: 'number', description: 'annunciations' },
      per10min: { type: 'number' },
      perArea: arr(obj({ area: { type: 'string' }, total: { type: 'number' }, per10min: { type: 'number' }, maxPer10min: { type: 'number' }, floods: { type: 'number' }, timeInFloodPct: { type: 'number' }, chattering: { type: 'number' }, stale: { type: 'number' } }), 'EEMUA 191 figures per area'),
      mttaMs: num('mean time to acknowledge'),
      mttrMs: num('mean time to recover (activation → condition clear)'),
      priority: obj({}, 'counts and shares per priority against the 5 / 15 / 80 % target'),
    }),
    worstEquipment: arr(obj({ line: { type: 'string' }, equipment: { type: 'string' }, area: { type: 'string' }, alarms: { type: 'number' } }), 'the ten with the most alarms'),
  }),
}

export const productionResponse = {
  200: obj({
    ...head,
    by: { type: 'string', enum: ['hour', 'shift', 'day', 'crew'] },
    rows: arr(obj({
      key: { type: 'string' }, label: { type: 'string', description: 'human-readable, plant time' }, from: { type: 'number' }, to: { type: 'number' },
      crew: { type: 'string' }, shift: { type: 'string' },
      tonnage_t: { type: 'number' }, coils: { type: 'number' }, avgSpeed_mps: num('m/s while running'), peakSpeed_mps: num('m/s'),
      inTolerancePct: num('0–100'), ...oee, alarms: { type: 'number' },
    }), 'oldest first; by crew, one row per crew'),
  }),
}
