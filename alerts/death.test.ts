// A death certificate raises the stale-sensor alarms of that equipment at once, with the
// plant's own rules (config/rules.yaml), and the next readings clear them.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { AlarmEngine } from './engine.ts'
import { loadRules } from './rules/load.ts'

const { plant } = loadConfig({})
const { rules } = loadRules(readFileSync(new URL('../config/rules.yaml', import.meta.url), 'utf8'), plant, 'rules.yaml')
const stand = (v = 1) => ({ speed_mps: 10, motor_current_A: 5000, vibration_mm_s: v, roll_force_kN: 15000, tension_kN: 300, bearing_temp_C: 60 })

describe('death certificates', () => {
  it('mark the equipment stale now: "no data" alarms rise without waiting 15 s, and only for that equipment', () => {
    const e = new AlarmEngine(rules!, {}, 0)
    e.onTelemetry('tcm1', 'stand3', 1000, stand())
    e.onTelemetry('tcm1', 'stand2', 1000, stand())
    expect(e.tick(2000)).toHaveLength(0)
    const changes = e.markStale('tcm1', 'stand3', 2000)
    expect(changes.map((c) => `${c.alarm.equipment}/${c.alarm.rule}/${c.transition.action}`)).toContain('stand3/equipment_silent/activate')
    expect(changes.every((c) => c.alarm.equipment === 'stand3')).toBe(true)
    expect(e.alarms({ active: true, equipment: 'stand2' })).toHaveLength(0)
  })

  it('raise them even for equipment not heard from since start; fresh readings clear them', () => {
    const e = new AlarmEngine(rules!, {}, 0)
    expect(e.markStale('tcm1', 'exit', 5000).map((c) => c.alarm.rule)).toContain('equipment_silent')
    e.onTelemetry('tcm1', 'exit', 6000, { thickness_um: 1500, thickness_dev_um: 0, strip_speed_mps: 10, exit_tension_kN: 100, coil_diameter_mm: 1000, flatness_IU: 0 })
    e.tick(60_000)
    e.onTelemetry('tcm1', 'exit', 60_000, { thickness_um: 1500, thickness_dev_um: 0, strip_speed_mps: 10, exit_tension_kN: 100, coil_diameter_mm: 1000, flatness_IU: 0 })
    expect(e.alarms({ active: true, equipment: 'exit' }).filter((a) => a.rule === 'equipment_silent')).toEqual([])
  })

  it('do nothing for equipment without stale rules', () => {
    const e = new AlarmEngine(rules!, {}, 0)
    expect(e.markStale('tcm9', 'stand3', 1000)).toHaveLength(0)
  })
})
