// config/sparkplug.yaml through the real configuration loader: absent means "same names",
// and a broken file stops millwatch with every problem listed beside the others.
import { copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { ConfigError } from '../../core/errors.ts'

const shipped = resolve(import.meta.dirname, '../../config')
function dirWith(sparkplug?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mw-sp-map-'))
  for (const f of readdirSync(shipped)) if (f !== 'sparkplug.yaml') copyFileSync(join(shipped, f), join(dir, f))
  if (sparkplug !== undefined) writeFileSync(join(dir, 'sparkplug.yaml'), sparkplug)
  return dir
}

describe('config/sparkplug.yaml', () => {
  it('the shipped file and an absent one both map by the same names', () => {
    for (const config of [loadConfig({}), loadConfig({ CONFIG_DIR: dirWith() })])
      expect(config.sparkplug?.target('tcm1', 'tcm1-gw', 'stand3')).toEqual({ line: 'tcm1', equipment: 'stand3', metrics: new Map() })
  })

  it('a broken file is refused with every problem, beside the other files’ problems', () => {
    const dir = dirWith('groups:\n  G:\n    line: tcm9\n    devices: { S1: stand7 }\n  tcm1:\n    metrics: { Speed: no_such_sensor }\n')
    let problems: string[] = []
    try {
      loadConfig({ CONFIG_DIR: dir, HTTP_PORT: 'x' })
    } catch (err) {
      problems = (err as ConfigError).problems
    }
    expect(problems.some((p) => p.startsWith('environment HTTP_PORT'))).toBe(true)
    expect(problems.filter((p) => p.includes('sparkplug.yaml'))).toEqual([
      `${join(dir, 'sparkplug.yaml')} groups.G.line: no line "tcm9" in the plant model`,
      `${join(dir, 'sparkplug.yaml')} groups.tcm1.metrics.Speed: no sensor "no_such_sensor" on line tcm1`,
    ])
  })
})
