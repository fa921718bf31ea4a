// The config folder for bench/alerts.ts: benchConfig's plant of N copies of tcm1, plus the
// shipped rules.yaml, channels.yaml and people.yaml. people.yaml's areas name tcm1's
// equipment only; the bench plant's lines are copies of tcm1, so each area also gets the same
// equipment on tcm2…tcmN (as the real plant would list it) — otherwise an alarm on tcm2 has
// no area, no operator, and goes straight to the foreman.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse, stringify } from 'yaml'
import { peopleFileSchema, resolvePeople, type People } from '../../core/people.ts'
import { plantFileSchema, resolvePlant, type Plant } from '../../core/plant.ts'
import { ROOT, benchConfig } from './processes.ts'

export function alarmBenchConfig(lines: number, settings = ''): { dir: string; plant: Plant; people: People } {
  const dir = benchConfig(lines, settings)
  for (const f of ['rules.yaml', 'channels.yaml']) copyFileSync(join(ROOT, 'config', f), join(dir, f))
  const people = parse(readFileSync(join(ROOT, 'config/people.yaml'), 'utf8'))
  for (const area of Object.values(people.areas) as Array<{ equipment: string[] }>) {
    const own = area.equipment.filter((e) => e.startsWith('tcm1/')).map((e) => e.slice('tcm1/'.length))
    for (let i = 2; i <= lines; i++) area.equipment.push(...own.map((e) => `tcm${i}/${e}`))
  }
  writeFileSync(join(dir, 'people.yaml'), stringify(people))
  const p = resolvePlant(plantFileSchema.parse(parse(readFileSync(join(dir, 'plant.yaml'), 'utf8'))))
  if (!p.plant) throw new Error(p.problems.join('\n'))
  const r = resolvePeople(peopleFileSchema.parse(people), p.plant)
  if (!r.people) throw new Error(r.problems.join('\n'))
  return { dir, plant: p.plant, people: r.people }
}
