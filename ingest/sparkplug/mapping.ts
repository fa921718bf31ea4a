// Sparkplug B edge nodes and devices → the plant model (config/sparkplug.yaml, docs/sparkplug.md).
// The default rule is "same name": group id = line, device id = equipment, metric name =
// sensor, so a gateway that names things like the plant model needs no entry at all. The file
// renames what does not match. Validated like the rest of the configuration (core/config.ts):
// every problem reported at once with its place in the file; nothing throws.
import { existsSync, readFileSync } from 'node:fs'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { z } from 'zod'
import type { Plant } from '../../core/plant.ts'

// Sparkplug ids are UTF-8 strings without the MQTT topic characters + / # (spec chapter 4).
const spId = z.string().regex(/^[^+/#]{1,128}$/, 'a Sparkplug id: 1–128 characters, none of + / #')
const plantId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a plant-model id')
const metricMap = z.record(z.string().min(1).max(256), plantId)

const deviceSchema = z.union([plantId, z.strictObject({ equipment: plantId.optional(), metrics: metricMap.optional() })])

const nodeSchema = z.strictObject({
  line: plantId.optional(),
  /** where the edge node's own metrics (NBIRTH / NDATA) go; without it they are not stored */
  equipment: plantId.optional(),
  devices: z.record(spId, deviceSchema).optional(),
  metrics: metricMap.optional(),
})

const groupSchema = z.strictObject({
  line: plantId.optional(),
  nodes: z.record(spId, nodeSchema).optional(),
  devices: z.record(spId, deviceSchema).optional(),
  metrics: metricMap.optional(),
})

const fileSchema = z.strictObject({ groups: z.record(spId, groupSchema).default({}) })
type GroupFile = z.infer<typeof groupSchema>

export interface Target {
  line: string
  equipment: string
  /** metric name → sensor; names not in it map to themselves */
  metrics: ReadonlyMap<string, string>
}

export interface SparkplugMapping {
  /** Where a device's metrics go (or the node's own, without `device`); undefined: not stored. */
  target(group: string, edge: string, device?: string): Target | undefined
}

const NO_METRICS: ReadonlyMap<string, string> = new Map()

function build(groups: Record<string, GroupFile>): SparkplugMapping {
  const cache = new Map<string, Target | undefined>()
  const resolve = (group: string, edge: string, device?: string): Target | undefined => {
    const g = groups[group]
    const n = g?.nodes?.[edge]
    const line = n?.line ?? g?.line ?? group
    const merge = (...maps: (Record<string, string> | undefined)[]) => {
      const all = maps.filter(Boolean) as Record<string, string>[]
      return all.length ? new Map(all.flatMap((m) => Object.entries(m))) : NO_METRICS
    }
    if (device === undefined) return n?.equipment ? { line, equipment: n.equipment, metrics: merge(g?.metrics, n.metrics) } : undefined
    const d = n?.devices?.[device] ?? g?.devices?.[device]
    const equipment = typeof d === 'string' ? d : (d?.equipment ?? device)
    return { line, equipment, metrics: merge(g?.metrics, n?.metrics, typeof d === 'object' ? d.metrics : undefined) }
  }
  return {
    target(group, edge, device) {
      const key = `${group}\u0000${edge}\u0000${device ?? ''}`
      if (!cache.has(key)) cache.set(key, resolve(group, edge, device))
      return cache.get(key)
    },
  }
}

export const DEFAULT_MAPPING: SparkplugMapping = build({})

/** Checks each entry against the plant model: lines, equipment and sensors that exist. */
function check(groups: Record<string, GroupFile>, plant: Plant, where: string): string[] {
  const problems: string[] = []
  const sensorsOn = (line: string, eq?: string) =>
    eq ? plant.lines.get(line)?.equipment.get(eq)?.sensors : new Map([...(plant.lines.get(line)?.equipment.values() ?? [])].flatMap((e) => [...e.sensors]))
  const checkMetrics = (m: Record<string, string> | undefined, line: string, eq: string | undefined, path: string) => {
    for (const [name, sensor] of Object.entries(m ?? {}))
      if (plant.lines.has(line) && !sensorsOn(line, eq)?.has(sensor)) problems.push(`${where} ${path}.metrics.${name}: no sensor "${sensor}" on ${eq ? `${line}/${eq}` : `line ${line}`}`)
  }
  const checkEquipment = (line: string, eq: string, path: string) => {
    if (plant.lines.has(line) && !plant.lines.get(line)!.equipment.has(eq)) problems.push(`${where} ${path}: no equipment "${eq}" on line ${line}`)
  }
  const checkDevices = (devices: GroupFile['devices'], line: string, path: string) => {
    for (const [id, d] of Object.entries(devices ?? {})) {
      const eq = typeof d === 'string' ? d : (d.equipment ?? id)
      checkEquipment(line, eq, `${path}.devices.${id}`)
      if (typeof d === 'object') checkMetrics(d.metrics, line, eq, `${path}.devices.${id}`)
    }
  }
  for (const [gid, g] of Object.entries(groups)) {
    const path = `groups.${gid}`
    const line = g.line ?? gid
    // The group id as line is only a default: it needs to exist when some node relies on it.
    const nodes = Object.values(g.nodes ?? {})
    const relied = g.line !== undefined || nodes.length === 0 || nodes.some((n) => !n.line)
    if (relied && !plant.lines.has(line)) problems.push(`${where} ${path}${g.line ? '.line' : ''}: no line "${line}" in the plant model`)
    checkMetrics(g.metrics, line, undefined, path)
    checkDevices(g.devices, line, path)
    for (const [nid, n] of Object.entries(g.nodes ?? {})) {
      const nline = n.line ?? line
      const npath = `${path}.nodes.${nid}`
      if (n.line && !plant.lines.has(n.line)) problems.push(`${where} ${npath}.line: no line "${n.line}" in the plant model`)
      if (n.equipment) checkEquipment(nline, n.equipment, `${npath}.equipment`)
      checkMetrics(n.metrics, nline, n.equipment, npath)
      checkDevices(n.devices, nline, npath)
    }
  }
  return problems
}

const formatPath = (path: PropertyKey[]) => path.map(String).join('.') || '(root)'

/** Parsed YAML → mapping, or every problem found. */
export function parseSparkplugMapping(raw: unknown, plant: Plant, where = 'sparkplug.yaml'): { mapping?: SparkplugMapping; problems: string[] } {
  const r = fileSchema.safeParse(raw ?? {})
  if (!r.success) return { problems: r.error.issues.map((i) => `${where} ${formatPath(i.path)}: ${i.message}`) }
  const problems = check(r.data.groups, plant, where)
  return problems.length ? { problems } : { mapping: build(r.data.groups), problems }
}

/** config/sparkplug.yaml; an absent file means the "same name" rule everywhere. */
export function readSparkplugFile(file: string, plant: Plant): { mapping?: SparkplugMapping; problems: string[] } {
  if (!existsSync(file)) return { mapping: DEFAULT_MAPPING, problems: [] }
  try {
    return parseSparkplugMapping(parseYaml(readFileSync(file, 'utf8')), plant, file)
  } catch (err) {
    const at = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : ''
    return { problems: [`${file}${at}: ${(err as Error).message.split('\n')[0]}`] }
  }
}
