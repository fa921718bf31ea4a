// docker-compose.yml checked without a Docker engine (issue 7): every millwatch service gets a
// configuration millwatch accepts (the environment names it reads, values from .env.example,
// its parts from the command), health checks hit /healthz on the port the image listens on,
// the volumes keep the records with one process (and its standby) and give each ingest worker
// its own, and the shipped Mosquitto configuration is the one DESIGN.md asks for.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'yaml'
import { describe, expect, it } from 'vitest'
import { ENV_NAMES, loadConfig } from '../core/config.ts'
import { parseCliArgs } from '../simulators/cli-args.ts'
import { imageEnv as imageEnvOf, probePreload } from '../bench/lib/processes.ts'

const ROOT = resolve(import.meta.dirname, '..')
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8')
const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, any>; volumes: Record<string, unknown> }
const pkg = JSON.parse(read('package.json'))
const dotenv = Object.fromEntries(read('.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
// What every millwatch container starts with.
const imageEnv = imageEnvOf()
const preloaded = probePreload({ LD_PRELOAD: imageEnv.LD_PRELOAD!, MALLOC_CONF: imageEnv.MALLOC_CONF! })
// channels.yaml names its secrets as ${NAME}: millwatch reads those from the environment too.
const channelNames = [...read('config/channels.yaml').matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]!)

/** Compose interpolation as `docker compose` does it with .env: ${X}, ${X:-default}, ${X:?error}, $$. */
function interpolate(v: unknown): string {
  return String(v)
    .replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
      const value = dotenv[name]
      if (op === '?' && !value) throw new Error(`${name} is required and .env.example does not set it`)
      return value || (op === '-' ? arg! : '')
    })
    .replace(/\$\$/g, '$')
}

const millwatch = Object.entries(compose.services).filter(([, s]) => s.image === 'millwatch:latest' && !s.entrypoint)

describe('docker-compose.yml', () => {
  it('has the broker, InfluxDB 2, the parts as services and the simulator', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['influxdb', 'ingest-1', 'ingest-2', 'mosquitto', 'records', 'records-standby', 'simulator'])
    expect(compose.services.influxdb.image).toMatch(/^influxdb:2\./)
    expect(Object.keys(compose.services.influxdb.environment)).toEqual(expect.arrayContaining(['DOCKER_INFLUXDB_INIT_MODE', 'DOCKER_INFLUXDB_INIT_ORG', 'DOCKER_INFLUXDB_INIT_BUCKET', 'DOCKER_INFLUXDB_INIT_ADMIN_TOKEN']))
    expect(millwatch.map(([name, s]) => [name, s.command])).toEqual([
      ['records', ['alerts', 'coils', 'dashboard']],
      ['records-standby', ['alerts', 'coils', 'dashboard']],
      ['ingest-1', ['ingest']],
      ['ingest-2', ['ingest']],
    ])
  })

  it('gives every millwatch service only names millwatch reads, and a configuration it accepts', () => {
    for (const [name, s] of millwatch) {
      const unknown = Object.keys(s.environment).filter((k) => !ENV_NAMES.includes(k) && !channelNames.includes(k))
      expect(unknown, `${name}: environment names millwatch does not read`).toEqual([])
      const env = { ...imageEnv, ...Object.fromEntries(Object.entries(s.environment).map(([k, v]) => [k, interpolate(v)])) }
      // As bin/millwatch.ts does with the command line; the config folder is the one the image copies.
      const config = loadConfig({ ...env, ROLES: s.command.join(','), CONFIG_DIR: join(ROOT, 'config'), DATA_DIR: join(ROOT, 'data') })
      expect(config.store.kind, name).toBe('influx')
      expect(config.mqtt.url, name).toBe('mqtt://mosquitto:1883')
      expect(config.http.port, name).toBe(3000)
    }
    const workers = millwatch.filter(([, s]) => s.command.includes('ingest')).map(([, s]) => s.environment.INGEST_WORKER_ID)
    expect(new Set(workers).size).toBe(2)
    // The records process and its standby wait for each other (bin/parts/lease.ts).
    expect(compose.services.records.environment.STANDBY).toBe('on')
  })

  it('runs the simulator through its npm script, with arguments it accepts', () => {
    const sim = compose.services.simulator
    expect(sim.entrypoint.slice(0, 3)).toEqual(['npm', 'run', 'simulate'])
    expect(pkg.scripts.simulate).toBeDefined()
    const opts = parseCliArgs(sim.command.map(interpolate), {}, Date.now())
    expect(opts).toMatchObject({ url: 'mqtt://mosquitto:1883', username: 'gateway', qos: 1 })
  })

  it('checks every service’s health, millwatch’s on /healthz of the port it listens on', () => {
    for (const [name, s] of Object.entries(compose.services)) {
      if (name === 'simulator') continue
      expect(s.healthcheck?.test, name).toBeDefined()
    }
    for (const [name, s] of millwatch) {
      expect(s.healthcheck.test.join(' '), name).toContain(`127.0.0.1:${imageEnv.HTTP_PORT}/healthz`)
      for (const p of s.ports ?? []) expect(p, name).toMatch(new RegExp(`:${imageEnv.HTTP_PORT}$`))
    }
  })

  it('keeps the records in one volume (primary and standby), and gives each ingest worker its own', () => {
    const dataVolume = (s: any) => (s.volumes as string[]).find((v) => v.endsWith(`:${imageEnv.DATA_DIR}`))?.split(':')[0]
    expect(dataVolume(compose.services.records)).toBe('records-data')
    expect(dataVolume(compose.services['records-standby'])).toBe('records-data')
    expect(new Set(['ingest-1', 'ingest-2', 'records'].map((n) => dataVolume(compose.services[n]))).size).toBe(3)
    const named = Object.values(compose.services).flatMap((s: any) => (s.volumes ?? []).map((v: string) => v.split(':')[0]).filter((v: string) => !v.startsWith('.')))
    expect(Object.keys(compose.volumes).sort()).toEqual([...new Set(named)].sort())
  })

  it('mounts files that exist, and a Mosquitto configuration that keeps what it acknowledged', () => {
    const mounts = Object.values(compose.services).flatMap((s: any) => (s.volumes ?? []).filter((v: string) => v.startsWith('./')).map((v: string) => v.split(':')[0]))
    for (const m of mounts) expect(() => readFileSync(join(ROOT, m, m.endsWith('config') ? 'plant.yaml' : ''))).not.toThrow()
    const conf = read('deploy/mosquitto/mosquitto.conf')
    expect(conf).toMatch(/^persistence true$/m)
    expect(conf).toMatch(/^max_queued_messages 0$/m)
    expect(conf).toMatch(/^allow_anonymous false$/m)
  })

  it('builds on Node 20 without dev dependencies, tsx being a runtime one; secrets stay out of git', () => {
    const dockerfile = read('Dockerfile')
    expect(dockerfile).toMatch(/^FROM node:20-slim$/m)
    expect(dockerfile).toMatch(/npm ci --omit=dev/)
    expect(pkg.dependencies.tsx).toBeDefined()
    expect(read('.gitignore').split('\n')).toContain('.env')
    expect(read('.dockerignore').split('\n')).toContain('.env')
  })

  it('installs jemalloc before the ENV that preloads it', () => {
    const dockerfile = read('Dockerfile')
    const install = dockerfile.search(/^RUN apt-get update && apt-get install -y --no-install-recommends libjemalloc2 /m)
    expect(install).toBeGreaterThan(0)
    expect(install).toBeLessThan(dockerfile.search(/^ENV LD_PRELOAD=libjemalloc\.so\.2 /m))
  })

  // Debian's libjemalloc2, as in the image. Without it this is skipped locally, but fails on
  // CI, where .ci/run installs it.
  it.skipIf(!preloaded.loaded && !process.env.CI)('starts node cleanly with the image’s allocator and its settings', () => {
    // ld.so only warns when it cannot preload the library, jemalloc when a setting is wrong.
    expect(preloaded).toEqual({ loaded: true, stderr: '' })
  })
})
