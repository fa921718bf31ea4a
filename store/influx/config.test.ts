// STORE=influx in the one configuration schema: what is required, what is refused, and the
// spool's size setting — every problem listed at once.
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../core/config.ts'
import { ConfigError } from '../../core/errors.ts'

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('expected a ConfigError')
}

/** The shipped plant with a millwatch.yaml of our own. */
function withSettings(yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mw-config-influx-'))
  copyFileSync(join('config', 'plant.yaml'), join(dir, 'plant.yaml'))
  writeFileSync(join(dir, 'millwatch.yaml'), yaml)
  return dir
}

describe('STORE=influx configuration', () => {
  it('requires INFLUX_URL and INFLUX_BUCKET, and lists both with the other problems', () => {
    const text = problemsOf({ STORE: 'influx', HTTP_PORT: 'x' }).join('\n')
    expect(text).toMatch(/INFLUX_URL: required when STORE=influx/)
    expect(text).toMatch(/INFLUX_BUCKET: required when STORE=influx/)
    expect(text).toMatch(/HTTP_PORT/)
  })

  it('refuses an INFLUX_URL that is not http(s) and a STORE it does not know', () => {
    expect(problemsOf({ STORE: 'influx', INFLUX_URL: 'mqtt://influx:8086', INFLUX_BUCKET: 'm' }).join('\n')).toMatch(/INFLUX_URL: must be an http:\/\/ or https:\/\/ URL/)
    expect(problemsOf({ STORE: 'timescale' }).join('\n')).toMatch(/STORE: must be "duckdb" or "influx"/)
  })

  it('gives the InfluxDB settings to the store, with a 1 GiB spool by default', () => {
    const c = loadConfig({ STORE: 'influx', INFLUX_URL: 'http://influxdb:8086', INFLUX_TOKEN: 't0k', INFLUX_ORG: 'plant', INFLUX_BUCKET: 'millwatch' })
    expect(c.store.kind).toBe('influx')
    expect(c.store.influx).toEqual({ url: 'http://influxdb:8086', token: 't0k', org: 'plant', bucket: 'millwatch', spoolMaxBytes: 1024 ** 3 })
  })

  it('reads the spool size from millwatch.yaml (SI and IEC units) and lists a bad one', () => {
    const env = { STORE: 'influx', INFLUX_URL: 'http://127.0.0.1:8086', INFLUX_BUCKET: 'millwatch' }
    expect(loadConfig({ ...env, CONFIG_DIR: withSettings('store:\n  influxSpool: 20GB\n') }).store.influx?.spoolMaxBytes).toBe(20e9)
    expect(loadConfig({ ...env, CONFIG_DIR: withSettings('store:\n  influxSpool: 512MiB\n') }).store.influx?.spoolMaxBytes).toBe(512 * 1024 ** 2)
    expect(problemsOf({ ...env, CONFIG_DIR: withSettings('store:\n  influxSpool: lots\n') }).join('\n')).toMatch(/store\.influxSpool: "lots" is not a size/)
  })
})
