import { mkdtempSync, writeFileSync, copyFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { ConfigError } from './errors.ts'

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mw-config-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

describe('loadConfig', () => {
  it('gives the documented defaults with the shipped config folder', () => {
    const c = loadConfig({})
    expect(c.http).toEqual({ host: '127.0.0.1', port: 3000 })
    expect(c.mqtt).toMatchObject({ host: '127.0.0.1', port: 1883, wsPort: 9001 })
    expect(c.publicUrl).toBe('http://127.0.0.1:3000')
    expect(c.simulator.enabled).toBe(true)
    expect(c.store.kind).toBe('duckdb')
    expect(c.plant.timezone).toBe('Asia/Shanghai')
    const tcm1 = c.plant.lines.get('tcm1')!
    expect([...tcm1.equipment.keys()]).toEqual(['uncoiler', 'stand1', 'stand2', 'stand3', 'stand4', 'stand5', 'exit'])
    for (const s of ['roll_force_kN', 'tension_kN', 'speed_mps', 'motor_current_A', 'vibration_mm_s', 'bearing_temp_C'])
      expect(tcm1.equipment.get('stand3')!.sensors.has(s)).toBe(true)
    for (const s of ['thickness_um', 'thickness_dev_um', 'strip_speed_mps']) expect(tcm1.equipment.get('exit')!.sensors.has(s)).toBe(true)
    expect(Object.isFrozen(c)).toBe(true)
  })

  it('lists every problem of the environment and the files at once', () => {
    const dir = configDir({
      'plant.yaml': 'lines:\n  tcm1:\n    equipment:\n      stand1: { class: nosuch }\n',
      'millwatch.yaml': 'store:\n  flushInterval: soon\n  extra: 1\n',
    })
    const problems = problemsOf(() => loadConfig({ CONFIG_DIR: dir, HTTP_PORT: '70000', SIMULATOR: 'maybe', STORE: 'influx' }))
    const text = problems.join('\n')
    expect(text).toMatch(/HTTP_PORT/)
    expect(text).toMatch(/SIMULATOR: must be "on" or "off"/)
    expect(text).toMatch(/INFLUX_URL: required/)
    expect(text).toMatch(/stand1\.class: no class "nosuch"/)
    expect(text).toMatch(/flushInterval.*"soon" is not a duration/)
    expect(text).toMatch(/extra/)
    expect(problems.length).toBeGreaterThanOrEqual(6)
  })

  it('points at the line of a YAML syntax error', () => {
    const dir = configDir({ 'plant.yaml': 'lines:\n  tcm1: [unclosed\n' })
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: dir })).join('\n')).toMatch(/plant\.yaml:\d+:\d+/)
  })

  it('reports a missing plant model', () => {
    const dir = configDir({})
    expect(problemsOf(() => loadConfig({ CONFIG_DIR: dir }))[0]).toMatch(/plant\.yaml: file not found/)
  })

  it('lets a piece of equipment add sensors to its class', () => {
    const dir = configDir({})
    copyFileSync('config/plant.yaml', join(dir, 'plant.yaml'))
    writeFileSync(
      join(dir, 'plant.yaml'),
      'classes:\n  pump:\n    sensors:\n      p: { unit: bar, range: [0, 10] }\nlines:\n  l1:\n    equipment:\n      p1: { class: pump, sensors: { q: { unit: l/s, range: [0, 5], rateHz: 2 } } }\n',
    )
    const eq = loadConfig({ CONFIG_DIR: dir }).plant.lines.get('l1')!.equipment.get('p1')!
    expect([...eq.sensors.keys()]).toEqual(['p', 'q'])
    expect(eq.sensors.get('p')!.rateHz).toBe(1)
  })

  it('loads people, areas and a rotation in which every shift of every day has exactly one crew', () => {
    const { people } = loadConfig({})
    const { rotation, shifts } = people.file
    for (let day = 0; day < rotation.cycle.length; day++) {
      const onShift = Object.values(rotation.crews).map((offset) => rotation.cycle[(day + offset) % rotation.cycle.length])
      for (const s of shifts) expect(onShift.filter((x) => x === s.id)).toHaveLength(1)
    }
    expect(people.areaOf.get('tcm1/stand3')).toBe('stands')
    expect(people.byId.get('li.na')!.roles).toContain('admin')
  })

  it('cross-checks people against crews, areas and the plant', () => {
    const dir = configDir({
      'people.yaml': [
        'shifts: [{ id: day, start: "08:00" }]',
        'rotation: { epoch: "2025-01-06", cycle: [day, nap], crews: { A: 0 } }',
        'areas: { mill: { name: Mill, equipment: [tcm1/stand9] } }',
        'people:',
        '  - { id: a.b, name: A, roles: [worker], crew: Z, areas: [nowhere] }',
        '  - { id: a.b, name: B, roles: [boss] }',
      ].join('\n'),
    })
    copyFileSync('config/plant.yaml', join(dir, 'plant.yaml'))
    const text = problemsOf(() => loadConfig({ CONFIG_DIR: dir })).join('\n')
    expect(text).toMatch(/people\[1\]\.roles\[0\]/)
    const dir2 = configDir({ 'people.yaml': readFileSync(join(dir, 'people.yaml'), 'utf8').replace('[boss]', '[qa]') })
    copyFileSync('config/plant.yaml', join(dir2, 'plant.yaml'))
    const text2 = problemsOf(() => loadConfig({ CONFIG_DIR: dir2 })).join('\n')
    expect(text2).toMatch(/rotation\.cycle\[1\]: "nap"/)
    expect(text2).toMatch(/no equipment "tcm1\/stand9"/)
    expect(text2).toMatch(/people\[0\]\.crew: no crew "Z"/)
    expect(text2).toMatch(/people\[0\]\.areas\[0\]: no area "nowhere"/)
    expect(text2).toMatch(/people\[1\]\.id: "a\.b" appears twice/)
  })
})
