// The rules loader: the shipped file against the shipped plant, templates and overrides, and
// invalid files that must list every problem with where it is.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { plantFileSchema, resolvePlant } from '../../core/plant.ts'
import { defaultPlant, defaultRulesText } from '../testing/rules.ts'
import { loadRuleDefinition, loadRules } from './load.ts'
import type { Rule } from './types.ts'

const plant = defaultPlant()
const byKey = (rules: readonly Rule[] | undefined) => new Map((rules ?? []).map((r) => [r.key, r]))

describe('the default rules.yaml', () => {
  const { rules, problems } = loadRules(defaultRulesText(), plant)
  const keys = byKey(rules)

  it('loads against the default plant model', () => {
    expect(problems).toEqual([])
    expect(Object.isFrozen(rules)).toBe(true)
  })

  it('gives every stand the ISO 10816-3 group 1 zones C and D', () => {
    for (const s of ['stand1', 'stand2', 'stand3', 'stand4', 'stand5']) {
      expect(keys.get(`tcm1/${s}/vibration_mm_s/vibration_zone_c`)).toMatchObject({ priority: 'medium', condition: { kind: 'above', limit: 4.5, deadband: 0.3 } })
      expect(keys.get(`tcm1/${s}/vibration_mm_s/vibration_zone_d`)).toMatchObject({ priority: 'high', condition: { kind: 'above', limit: 7.1 } })
    }
  })

  it('puts the exit thickness rule on the exit only, and expands per-sensor rules', () => {
    expect(rules!.filter((r) => r.id === 'thickness_excursion').map((r) => r.key)).toEqual(['tcm1/exit/thickness_dev_um/thickness_excursion'])
    expect(keys.get('tcm1/exit/thickness_dev_um/thickness_excursion')?.condition).toEqual({ kind: 'outside', sensor: 'thickness_dev_um', low: -10, high: 10, deadband: 2 })
    const stale = rules!.filter((r) => r.id === 'sensor_stale' && r.equipment === 'stand2').map((r) => r.sensor)
    expect(stale.sort()).toEqual([...plant.lines.get('tcm1')!.equipment.get('stand2')!.sensors.keys()].sort())
  })

  it('fills each condition with its sensor, deadband and durations in ms', () => {
    const spike = keys.get('tcm1/stand4/tension_kN/tension_spike')!
    expect(spike.condition).toEqual({
      kind: 'all',
      of: [
        { kind: 'rate', sensor: 'tension_kN', direction: 'rise', limit: 80, perMs: 1000, windowMs: 300, deadband: 0 },
        { kind: 'above', sensor: 'speed_mps', limit: 3, deadband: 0 },
      ],
    })
    expect(spike).toMatchObject({ offDelayMs: 3000, onDelayMs: 0, reAlarmMs: 7_200_000, origin: 'templates.stand.rules[5]' })
  })
})

const stand = `
templates:
  stand:
    rules:
      - { id: zone_c, sensor: vibration_mm_s, priority: medium, when: { above: 4.5 }, deadband: 0.3, onDelay: 10s, description: zone C }
      - { id: temp, sensor: bearing_temp_C, priority: low, when: { above: 85 }, description: hot }
`

describe('templates and overrides', () => {
  it('changes a limit, disables a rule and adds one for one stand', () => {
    const text = `${stand}
lines:
  tcm1:
    stand3:
      overrides:
        zone_c: { when: { above: 5.0 }, priority: high }
        temp: { enabled: false }
      rules:
        - { id: own, sensor: roll_force_kN, priority: low, when: { above: 20000 }, description: own rule }
defaults: { onDelay: 2s, reAlarm: 30m }
`
    const { rules, problems } = loadRules(text, plant)
    expect(problems).toEqual([])
    const k = byKey(rules)
    expect(k.get('tcm1/stand3/vibration_mm_s/zone_c')).toMatchObject({ priority: 'high', condition: { limit: 5, deadband: 0.3 }, onDelayMs: 10_000, origin: 'templates.stand.rules[0] with lines.tcm1.stand3.overrides.zone_c' })
    expect(k.get('tcm1/stand2/vibration_mm_s/zone_c')).toMatchObject({ priority: 'medium', condition: { limit: 4.5 } })
    expect(k.has('tcm1/stand3/bearing_temp_C/temp')).toBe(false)
    expect(k.get('tcm1/stand2/bearing_temp_C/temp')).toMatchObject({ onDelayMs: 2000, reAlarmMs: 1_800_000 })
    expect(k.get('tcm1/stand3/roll_force_kN/own')).toBeDefined()
    expect(rules).toHaveLength(5 * 2 - 1 + 1)
  })

  it('applies the rule deadband to conditions on its own sensor only', () => {
    const text = `
lines:
  tcm1:
    exit:
      rules:
        - id: gauge
          sensor: thickness_dev_um
          priority: high
          deadband: 2
          description: off gauge while rolling
          when: { all: [ { outside: [-10, 10] }, { sensor: strip_speed_mps, above: 2 }, { sensor: flatness_IU, above: 20, deadband: 1 } ] }
`
    const r = loadRules(text, plant)
    expect(r.rules?.[0].condition).toMatchObject({ of: [{ deadband: 2 }, { deadband: 0 }, { deadband: 1 }] })
  })
})

describe('invalid files', () => {
  it('lists every problem at once, each with where it is', () => {
    const text = `
templates:
  stand:
    rules:
      - { id: zone_c, sensor: vibration_mm_s, priority: medium, when: { above: 4.5 }, description: ok }
      - { id: zone_c, sensor: vibration_mm_s, priority: medium, when: { above: 7.1 }, description: duplicate id }
      - { id: typo, sensor: vibraton_mm_s, priority: medium, when: { above: 4.5 }, description: sensor typo }
      - { id: prio, sensor: bearing_temp_C, priority: urgent, when: { above: 85 }, description: bad priority }
      - { id: delay, sensor: bearing_temp_C, priority: low, when: { above: 85 }, onDelay: 10, description: no unit }
      - { id: kind, sensor: bearing_temp_C, priority: low, when: { abov: 85 }, description: bad kind }
      - { id: band, sensor: bearing_temp_C, priority: low, when: { outside: [10, -10] }, description: reversed }
      - { id: combo, sensor: tension_kN, priority: low, description: bad leaf, when: { all: [ { below: 3 }, { sensor: strip_speed_mps, above: 2 } ] } }
      - { id: nodesc, sensor: tension_kN, priority: low, when: { below: 3 } }
      - { id: supp, sensor: tension_kN, priority: low, when: { below: 3 }, description: x, suppressedBy: [zone_x] }
      - { id: rate, sensor: tension_kN, priority: low, when: { rate: { rise: 10, fall: 5 } }, description: two directions }
  stnad:
    rules: []
lines:
  tcm1:
    stand9: { rules: [] }
    stand3:
      overrides:
        zone_q: { enabled: false }
  tcm7: {}
`
    const { rules, problems } = loadRules(text, plant)
    expect(rules).toBeUndefined()
    const expected = [
      /^rules\.yaml: templates\.stand\.rules\[1\]\.id: "zone_c" is already defined at templates\.stand\.rules\[0\]$/,
      /^rules\.yaml: templates\.stand\.rules\[2\]\.sensor: no sensor "vibraton_mm_s" in class stand \(did you mean "vibration_mm_s"\?\)$/,
      /^rules\.yaml: templates\.stand\.rules\[3\]\.priority: must be one of critical, high, medium, low$/,
      /^rules\.yaml: templates\.stand\.rules\[4\]\.onDelay: "10" is not a duration: write a unit/,
      /^rules\.yaml: templates\.stand\.rules\[5\]\.when\.abov: not a condition kind \(did you mean "above"\?\)/,
      /^rules\.yaml: templates\.stand\.rules\[6\]\.when\.outside: give \[low, high\] with low < high$/,
      /^rules\.yaml: templates\.stand\.rules\[7\]\.when\.all\[1\]\.sensor: no sensor "strip_speed_mps" in class stand$/,
      /^rules\.yaml: templates\.stand\.rules\[8\]\.description: required: say what it means/,
      /^rules\.yaml: templates\.stand\.rules\[9\]\.suppressedBy\[0\]: no rule "zone_x" in template stand \(did you mean "zone_c"\?\)$/,
      /^rules\.yaml: templates\.stand\.rules\[10\]\.when\.rate: give exactly one of rise, fall, change$/,
      /^rules\.yaml: templates\.stnad: no equipment of class "stnad" in the plant model \(did you mean "stand"\?\)$/,
      /^rules\.yaml: lines\.tcm1\.stand9: no equipment "stand9" on line tcm1/,
      /^rules\.yaml: lines\.tcm1\.stand3\.overrides\.zone_q: no rule "zone_q" in template stand to override \(did you mean "zone_c"\?\)$/,
      /^rules\.yaml: lines\.tcm7: no line "tcm7" in the plant model \(did you mean "tcm1"\?\)$/,
    ]
    for (const re of expected) expect(problems.filter((p) => re.test(p)), `${re}\n${problems.join('\n')}`).toHaveLength(1)
    // a template mistake repeated on five stands is one problem, not five
    expect(problems).toHaveLength(expected.length)
  })

  it('points at the line and column of a YAML syntax error', () => {
    expect(loadRules('templates:\n  stand: [unclosed\n', plant).problems[0]).toMatch(/^rules\.yaml:\d+:\d+: /)
  })

  it('names the equipment of a class that lacks a sensor', () => {
    // stand2 alone has an extra oil-flow sensor
    const file = plantFileSchema.parse(parseYaml(readFileSync(new URL('../../config/plant.yaml', import.meta.url), 'utf8')))
    file.lines.tcm1.equipment.stand2.sensors = { oil_flow_lpm: { unit: 'l/min', range: [0, 100], rateHz: 1 } }
    const odd = resolvePlant(file).plant!
    const text = 'templates:\n  stand:\n    rules:\n      - { id: oil, sensor: oil_flow_lpm, priority: low, description: d, when: { below: 5 } }\n'
    expect(loadRules(text, odd).problems).toEqual(['rules.yaml: templates.stand.rules[0].sensor: no sensor "oil_flow_lpm" on tcm1/stand1, tcm1/stand3, tcm1/stand4, tcm1/stand5 (class stand)'])
    const own = 'lines:\n  tcm1:\n    stand2:\n      rules:\n        - { id: oil, sensor: oil_flow_lpm, priority: low, description: d, when: { below: 5 } }\n'
    expect(loadRules(own, odd).rules?.map((r) => r.key)).toEqual(['tcm1/stand2/oil_flow_lpm/oil'])
  })

  it('reports a wrong file structure', () => {
    expect(loadRules('templates: 5', plant).problems).toEqual(['rules.yaml: templates: Invalid input: expected record, received number'])
    expect(loadRules('rules: []', plant).problems[0]).toMatch(/^rules\.yaml: \(root\): Unrecognized key: "rules"/)
  })
})

describe('loadRuleDefinition (what-if)', () => {
  it('resolves one rule for one piece of equipment', () => {
    const r = loadRuleDefinition({ id: 'trial', sensor: 'vibration_mm_s', priority: 'low', when: { above: 3 }, description: 'trial' }, plant, 'tcm1', 'stand2')
    expect(r.rules?.map((x) => x.key)).toEqual(['tcm1/stand2/vibration_mm_s/trial'])
    const bad = loadRuleDefinition({ id: 'trial', sensor: 'nope', priority: 'low', when: { above: 3 }, description: 'trial' }, plant, 'tcm1', 'stand2')
    expect(bad.problems).toEqual(['rule.sensor: no sensor "nope" on tcm1/stand2'])
  })
})
