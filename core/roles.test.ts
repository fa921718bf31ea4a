// ROLES (parts as processes): what runs where, and the combinations refused with the reason.
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.ts'
import { ConfigError } from './errors.ts'
import { parseRoles } from './roles.ts'

const problems = (env: Record<string, string>) => {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return err.problems
    throw err
  }
  return []
}

describe('ROLES', () => {
  it('runs every part by default, as one process', () => {
    const c = loadConfig({})
    expect(c.roles.all).toBe(true)
    expect([...c.roles.set]).toEqual(['ingest', 'alerts', 'coils', 'dashboard'])
    expect(c.standby).toBe(false)
  })

  it('takes a subset, with commas or spaces', () => {
    const c = loadConfig({ ROLES: 'alerts, coils dashboard', MQTT_URL: 'mqtt://broker:1883' })
    expect(c.roles.all).toBe(false)
    expect([...c.roles.set].sort()).toEqual(['alerts', 'coils', 'dashboard'])
    expect(parseRoles('ingest,alerts,coils,dashboard').roles!.all).toBe(true)
  })

  it('lists every problem: unknown parts, a worker without a name, parts without a broker to subscribe to', () => {
    expect(problems({ ROLES: 'ingest,alarms,web' })).toEqual([expect.stringMatching(/ROLES: unknown parts "alarms", "web" \(the parts are ingest, alerts, coils, dashboard\)/)])
    expect(problems({ ROLES: 'ingest', MQTT_URL: 'mqtt://broker:1883' })).toEqual([expect.stringMatching(/INGEST_WORKER_ID: required/)])
    expect(problems({ ROLES: 'ingest', MQTT_URL: 'mqtt://broker:1883', INGEST_WORKER_ID: 'a b' })).toEqual([expect.stringMatching(/INGEST_WORKER_ID: letters, digits/)])
    expect(problems({ ROLES: 'alerts,coils' })).toEqual([expect.stringMatching(/alerts,coils without ingest needs MQTT_URL/)])
    expect(problems({ STANDBY: 'yes' })).toEqual([expect.stringMatching(/STANDBY: must be "on" or "off"/)])
  })

  it('allows ingest alone on the embedded broker (devices connect to that process)', () => {
    expect(problems({ ROLES: 'ingest,dashboard' })).toEqual([])
  })
})
