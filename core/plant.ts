// The plant model: lines → equipment → sensors, resolved from config/plant.yaml.
// Ingest validates readings against it, the dashboard publishes it, the alerts part finds
// limits in it. It is plain data, frozen after loading.
import { z } from 'zod'

const idPattern = /^[A-Za-z0-9_-]{1,64}$/
const id = z.string().regex(idPattern, 'letters, digits, "_" or "-", at most 64')

const sensorSchema = z.strictObject({
  unit: z.string().min(1),
  description: z.string().optional(),
  range: z.tuple([z.number(), z.number()]).refine(([lo, hi]) => lo < hi, 'range must be [low, high] with low < high'),
  limits: z.strictObject({ low: z.number().optional(), high: z.number().optional() }).optional(),
  rateHz: z.number().positive().max(10_000).default(1),
})

const classSchema = z.strictObject({
  description: z.string().optional(),
  sensors: z.record(id, sensorSchema),
})

const equipmentSchema = z.strictObject({
  class: id.optional(),
  name: z.string().optional(),
  area: id.optional(),
  sensors: z.record(id, sensorSchema).optional(),
})

const lineSchema = z.strictObject({
  name: z.string().optional(),
  ratedSpeed_mps: z.number().positive().optional(),
  equipment: z.record(id, equipmentSchema),
})

export const plantFileSchema = z.strictObject({
  timezone: z.string().default('Asia/Shanghai'),
  classes: z.record(id, classSchema).default({}),
  lines: z.record(id, lineSchema).refine((l) => Object.keys(l).length > 0, 'at least one line is needed'),
})

export type PlantFile = z.infer<typeof plantFileSchema>

export interface Sensor {
  readonly id: string
  readonly unit: string
  readonly description?: string
  readonly range: readonly [number, number]
  readonly limits?: { readonly low?: number; readonly high?: number }
  readonly rateHz: number
}

export interface Equipment {
  readonly id: string
  readonly name: string
  readonly class?: string
  readonly area?: string
  readonly sensors: ReadonlyMap<string, Sensor>
}

export interface Line {
  readonly id: string
  readonly name: string
  readonly ratedSpeed_mps?: number
  readonly equipment: ReadonlyMap<string, Equipment>
}

export interface Plant {
  readonly timezone: string
  readonly lines: ReadonlyMap<string, Line>
}

/** Resolves classes into each piece of equipment; returns problems instead of throwing. */
export function resolvePlant(file: PlantFile): { plant?: Plant; problems: string[] } {
  const problems: string[] = []
  const lines = new Map<string, Line>()
  for (const [lineId, line] of Object.entries(file.lines)) {
    const equipment = new Map<string, Equipment>()
    for (const [eqId, eq] of Object.entries(line.equipment)) {
      const where = `lines.${lineId}.equipment.${eqId}`
      const cls = eq.class === undefined ? undefined : file.classes[eq.class]
      if (eq.class !== undefined && !cls) problems.push(`${where}.class: no class "${eq.class}" in classes`)
      const merged = { ...(cls?.sensors ?? {}), ...(eq.sensors ?? {}) }
      if (Object.keys(merged).length === 0) problems.push(`${where}: no sensors (give a class or sensors)`)
      const sensors = new Map<string, Sensor>()
      for (const [sId, s] of Object.entries(merged)) sensors.set(sId, Object.freeze({ id: sId, ...s }))
      equipment.set(eqId, Object.freeze({ id: eqId, name: eq.name ?? eqId, class: eq.class, area: eq.area, sensors }))
    }
    lines.set(lineId, Object.freeze({ id: lineId, name: line.name ?? lineId, ratedSpeed_mps: line.ratedSpeed_mps, equipment }))
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: file.timezone })
  } catch {
    problems.push(`timezone: "${file.timezone}" is not an IANA time zone`)
  }
  if (problems.length) return { problems }
  return { plant: Object.freeze({ timezone: file.timezone, lines }), problems }
}

export function findSensor(plant: Plant, line: string, equipment: string, sensor: string): Sensor | undefined {
  return plant.lines.get(line)?.equipment.get(equipment)?.sensors.get(sensor)
}

/** The plant as JSON, for GET /api/plant. */
export function plantToJson(plant: Plant) {
  return {
    timezone: plant.timezone,
    lines: [...plant.lines.values()].map((l) => ({
      id: l.id,
      name: l.name,
      ratedSpeed_mps: l.ratedSpeed_mps,
      equipment: [...l.equipment.values()].map((e) => ({
        id: e.id,
        name: e.name,
        class: e.class,
        area: e.area,
        sensors: [...e.sensors.values()].map((s) => ({ ...s, range: [...s.range] })),
      })),
    })),
  }
}
