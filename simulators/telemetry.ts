// How readings become telemetry messages: one message per piece of equipment per tick,
// holding every sensor due at that tick (a sensor of nominal rate r publishes at
// r·rate/BASE_HZ), rounded to what the instrument resolves, with the load-test auxiliary
// sensors added and the instrument faults (stuck, dropout) applied last.
import type { CoilEventPayload, TelemetryPayload } from '../core/payloads.ts'
import { telemetryTopic } from '../core/topics.ts'
import { BASE_HZ, CLASS_SENSORS, EQUIPMENT, auxSensorIds } from './catalog.ts'
import type { LineFaults } from './faults.ts'
import { round, type Rng } from './random.ts'

export interface Message {
  topic: string
  payload: TelemetryPayload | CoilEventPayload
}

/** Decimal places per sensor: an instrument's resolution, and shorter JSON. */
export const DIGITS: Readonly<Record<string, number>> = {
  roll_force_kN: 1,
  tension_kN: 1,
  entry_tension_kN: 1,
  exit_tension_kN: 1,
  speed_mps: 3,
  strip_speed_mps: 3,
  motor_current_A: 1,
  motor_power_kW: 1,
  roll_gap_mm: 3,
  hydraulic_pressure_bar: 1,
  vibration_mm_s: 2,
  bearing_temp_C: 2,
  work_roll_temp_C: 1,
  coil_diameter_mm: 0,
  thickness_um: 1,
  thickness_dev_um: 1,
  flatness_IU: 1,
}

interface Channel {
  equipment: string
  topic: string
  /** [sensor, nominal Hz, digits] */
  sensors: (readonly [string, number, number])[]
  faulty: boolean
}

export class TelemetryWriter {
  private readonly channels: Channel[]
  private readonly aux: string[]
  private tPrev: number | undefined

  constructor(
    line: string,
    private readonly rateHz: number,
    extraSensors: number,
    private readonly auxRng: Rng,
    private readonly faults: LineFaults,
  ) {
    this.aux = auxSensorIds(extraSensors)
    this.channels = EQUIPMENT.map(([equipment, cls]) => ({
      equipment,
      topic: telemetryTopic(line, equipment),
      sensors: Object.entries(CLASS_SENSORS[cls]).map(([s, hz]) => [s, hz, DIGITS[s] ?? 2] as const),
      faulty: faults.touches(equipment),
    }))
  }

  /** `readings` come in EQUIPMENT order. */
  write(t: number, readings: readonly Record<string, number>[], out: Message[]): void {
    const prev = this.tPrev
    this.tPrev = t
    const due = (hz: number) => {
      if (prev === undefined) return true
      const period = (1000 * BASE_HZ) / (hz * this.rateHz)
      return Math.floor(t / period) !== Math.floor(prev / period)
    }
    const dueFast = due(BASE_HZ)
    const dueSlow = due(1)
    for (let k = 0; k < this.channels.length; k++) {
      const ch = this.channels[k]
      const r = readings[k]
      const values: Record<string, number> = {}
      for (const [sensor, hz, digits] of ch.sensors) {
        const v = r[sensor]
        if (v !== undefined && (hz >= BASE_HZ ? dueFast : hz === 1 ? dueSlow : due(hz))) values[sensor] = round(v, digits)
      }
      if (dueFast) {
        for (let a = 0; a < this.aux.length; a++) {
          // Slow waves with a little noise, within 0…100: easy to declare in a plant file.
          const wave = Math.sin((2 * Math.PI * t) / 1000 / (60 + 17 * a) + 0.7 * k + 1.3 * a)
          values[this.aux[a]] = round(50 + 20 * wave + 3 * (this.auxRng.float() - 0.5), 2)
        }
      }
      if (ch.faulty && !this.faults.filter(ch.equipment, values, t)) continue
      for (const _ in values) {
        out.push({ topic: ch.topic, payload: { ts: t, values } })
        break
      }
    }
  }
}
