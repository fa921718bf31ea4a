// Fault scenarios by name, as written on the command line or in the embedding options:
//
//   kind[:target][@start][+duration]
//
//   bearing-wear:stand3@5m+20m         stand 3's bearing degrades from 5 min over 20 min
//   stuck-sensor:stand2/bearing_temp_C  flat-lines at once, for good
//   dropout:tcm2/exit@10m+2m            the whole exit section of line tcm2 goes silent
//   thickness-excursion@3m+40s          exit thickness off tolerance (+15–30 µm)
//   strip-break:stand4@8m               the strip parts after stand 4 at the next chance
//
// target is [line/]equipment[/sensor]; without a line it means the first line (tcm1).
// start and duration are simulated time from the simulator's start.
import { EQUIPMENT, STANDS, hasSensor } from './catalog.ts'
import { parseDurationMs } from './time.ts'

export const FAULT_KINDS = ['bearing-wear', 'stuck-sensor', 'dropout', 'thickness-excursion', 'strip-break'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface FaultSpec {
  kind: FaultKind
  line?: string
  equipment?: string
  sensor?: string
  /** Offset from the simulation start, ms. */
  atMs?: number
  durationMs?: number
}

/** A fault resolved against the simulated plant: line filled in, defaults applied. */
export interface Fault extends FaultSpec {
  line: string
  atMs: number
  text: string
}

export const FAULT_HELP = `Faults: --fault kind[:target][@start][+duration], repeatable
  bearing-wear:stand3@5m+20m          vibration climbs through ISO 10816-3 zones B→C→D over the
                                      duration (default 20m, then stays in zone D), temperature follows
  stuck-sensor:stand2/bearing_temp_C  the sensor repeats its last value
  dropout:stand2[/sensor]             the equipment (or one sensor) stops publishing
  thickness-excursion[@2m+30s]        exit thickness +15–30 µm off target (default 30s)
  strip-break[:stand4][@8m]           tension spike, strip parts after that stand, line stops
  target = [line/]equipment[/sensor] (line defaults to tcm1); times are simulated time.`

const FORM = /^([a-z-]+)(?::([A-Za-z0-9_/-]+))?(?:@([0-9.a-z]+))?(?:\+([0-9.a-z]+))?$/

export function parseFault(text: string): FaultSpec {
  const m = FORM.exec(text.trim())
  if (!m) throw new Error(`fault "${text}": expected kind[:target][@start][+duration], e.g. bearing-wear:stand3@5m+20m`)
  const [, kind, target, at, duration] = m
  if (!(FAULT_KINDS as readonly string[]).includes(kind))
    throw new Error(`fault "${text}": unknown kind "${kind}" (one of ${FAULT_KINDS.join(', ')})`)
  const spec: FaultSpec = { kind: kind as FaultKind }
  if (target) {
    const parts = target.split('/')
    if (/^tcm\d+$/.test(parts[0])) spec.line = parts.shift()
    if (parts.length > 2 || parts.some((p) => p === '')) throw new Error(`fault "${text}": target must be [line/]equipment[/sensor]`)
    ;[spec.equipment, spec.sensor] = parts
  }
  if (at !== undefined) {
    spec.atMs = parseDurationMs(at)
    if (spec.atMs === undefined) throw new Error(`fault "${text}": start "${at}" is not a duration such as 90s, 5m or 1h30m`)
  }
  if (duration !== undefined) {
    spec.durationMs = parseDurationMs(duration)
    if (!spec.durationMs) throw new Error(`fault "${text}": duration "${duration}" is not a positive duration such as 30s or 20m`)
  }
  return spec
}

const describe = (f: FaultSpec) =>
  `${f.kind}${f.equipment ? `:${f.line ? `${f.line}/` : ''}${f.equipment}${f.sensor ? `/${f.sensor}` : ''}` : ''}`

/** Checks faults against the simulated lines; returns them resolved, or every problem found. */
export function resolveFaults(specs: readonly (string | FaultSpec)[], lines: readonly string[], extraSensors: number): { faults: Fault[]; problems: string[] } {
  const faults: Fault[] = []
  const problems: string[] = []
  for (const item of specs) {
    let f: FaultSpec
    try {
      f = typeof item === 'string' ? parseFault(item) : { ...item }
    } catch (err) {
      problems.push((err as Error).message)
      continue
    }
    const text = typeof item === 'string' ? item : describe(f)
    const bad = (why: string) => problems.push(`fault "${text}": ${why}`)
    const line = f.line ?? lines[0]
    if (!lines.includes(line)) { bad(`no line "${line}" (simulating ${lines.join(', ')})`); continue }
    const eq = f.equipment
    if (eq !== undefined && !EQUIPMENT.some(([id]) => id === eq)) { bad(`no equipment "${eq}" (${EQUIPMENT.map(([id]) => id).join(', ')})`); continue }
    if (f.sensor !== undefined && !hasSensor(eq!, f.sensor, extraSensors)) { bad(`no sensor "${f.sensor}" on ${eq}`); continue }
    switch (f.kind) {
      case 'bearing-wear':
        if (!eq || !hasSensor(eq, 'vibration_mm_s')) { bad('needs a stand or the uncoiler, e.g. bearing-wear:stand3'); continue }
        if (f.sensor) { bad('takes equipment, not a sensor'); continue }
        break
      case 'stuck-sensor':
        if (!f.sensor) { bad('needs equipment/sensor, e.g. stuck-sensor:stand2/bearing_temp_C'); continue }
        break
      case 'dropout':
        if (!eq) { bad('needs equipment[/sensor], e.g. dropout:stand2'); continue }
        break
      case 'thickness-excursion':
        if ((eq && eq !== 'exit') || f.sensor) { bad('the exit gauge is the only target (thickness-excursion[:exit])'); continue }
        break
      case 'strip-break': {
        const stand = eq === undefined ? 4 : /^stand(\d)$/.test(eq) ? Number(eq.slice(5)) : 0
        if (stand < 1 || stand > STANDS || f.sensor) { bad('the target is the stand after which the strip parts, stand1…stand5'); continue }
        if (f.durationMs !== undefined) { bad('a strip break is one event and takes no +duration'); continue }
        f.equipment = `stand${stand}`
        break
      }
    }
    faults.push({ ...f, line, atMs: f.atMs ?? 0, text })
  }
  return { faults, problems }
}
