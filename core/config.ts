// Configuration is built once, at the edge: environment + YAML files in the config folder,
// one strict schema with defaults, every problem reported at once, the result frozen.
// Only bin/ reads process.env; tests pass literals.
import { readFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse as parseYaml, YAMLParseError } from 'yaml'
import { z } from 'zod'
import { parseDuration } from './duration.ts'
import { ConfigError } from './errors.ts'
import { peopleFileSchema, resolvePeople, type People } from './people.ts'
import { plantFileSchema, resolvePlant, type Plant } from './plant.ts'
import { EMPTY_CATALOG, readProductsFile, type ProductCatalog } from '../coils/products.ts'
import { readSparkplugFile, type SparkplugMapping } from '../ingest/sparkplug/mapping.ts'
import { parseRoles, roleProblems, type RolesSetting } from './roles.ts'

export type Env = Record<string, string | undefined>

const duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v)
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a duration (e.g. 250ms, 20s, 5m, 1h, 30d)` })
    return z.NEVER
  }
  return ms
})

/** A size in bytes: 1GB = 10^9, 1GiB = 2^30 (IEC 80000-13). */
const size = z.string().transform((v, ctx) => {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.exec(v.trim())
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not a size (e.g. 512MB, 1GB, 10GiB)` })
    return z.NEVER
  }
  const unit = m[2].toLowerCase()
  const power = ['b', 'k', 'm', 'g', 't'].indexOf(unit[0])
  return Math.floor(Number(m[1]) * (unit.includes('i') ? 1024 : 1000) ** power)
})

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

const settingsSchema = z.strictObject({
  mqtt: z
    .strictObject({
      // One broken gateway must not starve the others (docs/security.md).
      maxPacketBytes: z.number().int().min(1024).max(256 * 1024 * 1024).default(256 * 1024),
      maxSubscriptions: z.number().int().min(1).max(100_000).default(100),
      maxMessagesPerSecond: z.number().int().min(1).max(1_000_000).default(20_000),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      maxPayloadBytes: z.number().int().min(64).max(16 * 1024 * 1024).default(65536),
      maxFutureSkew: duration.default(5 * 60_000),
      maxPastAge: duration.default(7 * 86_400_000),
      deadLetterCapacity: z.number().int().min(1).max(1_000_000).default(1000),
    })
    .prefault({}),
  store: z
    .strictObject({
      batchPoints: z.number().int().min(1).max(1_000_000).default(50_000),
      flushInterval: duration.default(20),
      memoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'a size such as 256MB or 1GB').default('256MB'),
      nice: z.number().int().min(0).max(19).default(10),
      reopenEvery: z.number().int().min(0).default(150_000_000),
      retention: z.strictObject({ raw: duration.default(30 * 86_400_000), rollup: duration.default(3650 * 86_400_000) }).prefault({}),
      // STORE=influx: readings InfluxDB cannot take wait on disk up to this size (docs/influxdb.md).
      influxSpool: size.default(1024 ** 3),
    })
    .prefault({}),
  coils: z
    .strictObject({
      // Alarms of these priorities while a coil is on the mill mark it suspect for QA (issue 5).
      suspectPriorities: z.array(z.enum(['critical', 'high', 'medium', 'low'])).max(4).default(['critical', 'high']),
    })
    .prefault({}),
})

const port = z.coerce.number().int().min(0).max(65535)
const envSchema = z.object({
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  MQTT_HOST: z.string().min(1).default('127.0.0.1'),
  MQTT_PORT: port.default(1883),
  MQTT_WS_PORT: port.default(9001),
  MQTTS_PORT: port.optional(),
  TLS_CERT: z.string().min(1).optional(),
  TLS_KEY: z.string().min(1).optional(),
  MQTT_USERNAME: z.string().min(1).optional(),
  MQTT_PASSWORD: z.string().min(1).optional(),
  MQTT_URL: z.url({ protocol: /^(mqtts?|wss?|tcp)$/, error: 'must be an mqtt://, mqtts://, ws:// or wss:// URL' }).optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  CONFIG_DIR: z.string().min(1).default('./config'),
  SIMULATOR: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
  PUBLIC_URL: z.url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STORE: z.enum(['duckdb', 'influx'], { error: 'must be "duckdb" or "influx"' }).default('duckdb'),
  INFLUX_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  INFLUX_TOKEN: z.string().optional(),
  INFLUX_ORG: z.string().optional(),
  INFLUX_BUCKET: z.string().optional(),
  SIMULATOR_SPEED: z.coerce.number().positive().max(1000).default(1),
  SIMULATOR_SEED: z.coerce.number().int().default(1),
  // Parts as processes (core/roles.ts, docs/deployment.md); parsed below, every problem listed.
  ROLES: z.string().optional(),
  INGEST_WORKER_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, "-", "_" or "." (at most 64): it becomes an MQTT client id').optional(),
  STANDBY: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('off'),
})

/** Every environment variable the configuration reads (the docker-compose test checks against it). */
export const ENV_NAMES: readonly string[] = Object.keys(envSchema.shape)

export interface Config {
  readonly http: { readonly host: string; readonly port: number }
  readonly mqtt: {
    readonly host: string
    readonly port: number
    readonly wsPort: number
    /** TLS listener, when TLS_CERT and TLS_KEY are given */
    readonly tlsPort?: number
    readonly url?: string
    /** credentials millwatch's own clients (ingest on an external broker, the simulator) use */
    readonly username?: string
    readonly password?: string
    /** anonymous devices are allowed only when every listener is on loopback (like Mosquitto 2) */
    readonly allowAnonymous: boolean
    readonly limits: { readonly maxPacketBytes: number; readonly maxSubscriptions: number; readonly maxMessagesPerSecond: number }
  }
  /** certificate and key files (PEM) for MQTTS and HTTPS */
  readonly tls?: { readonly cert: string; readonly key: string }
  readonly dataDir: string
  readonly configDir: string
  readonly publicUrl: string
  readonly logLevel: string
  /** which parts this process runs (ROLES or the command line; all by default) */
  readonly roles: RolesSetting
  /** the ingest worker's stable name: its MQTT client id, so its broker session survives a restart */
  readonly ingestWorkerId?: string
  /** wait while another process holds the records store, then take over (STANDBY=on) */
  readonly standby: boolean
  readonly simulator: { readonly enabled: boolean; readonly speed: number; readonly seed: number }
  readonly store: {
    readonly kind: 'duckdb' | 'influx'
    readonly batchPoints: number
    readonly flushIntervalMs: number
    readonly memoryLimit: string
    /** CPU nice value of the DuckDB store's threads (0–19) */
    readonly nice: number
    /** points committed after which the DuckDB file is reopened, giving back DuckDB's row-group memory (0 = never) */
    readonly reopenEveryPoints: number
    readonly retention: { readonly rawMs: number; readonly rollupMs: number }
    readonly influx?: { readonly url: string; readonly token?: string; readonly org?: string; readonly bucket: string; readonly spoolMaxBytes: number }
  }
  readonly ingest: {
    readonly maxPayloadBytes: number
    readonly maxFutureSkewMs: number
    readonly maxPastAgeMs: number
    readonly deadLetterCapacity: number
  }
  readonly plant: Plant
  readonly people: People
  /** config/products.yaml: grades, GTINs, thickness tolerances (an empty catalog when absent) */
  readonly products: ProductCatalog
  /** config/sparkplug.yaml: Sparkplug B groups, nodes and devices → lines and equipment (absent: the same names) */
  readonly sparkplug?: SparkplugMapping
  readonly coils: { readonly suspectPriorities: readonly ('critical' | 'high' | 'medium' | 'low')[] }
}

/** people[1].roles[0], not people.1.roles.0 */
const formatPath = (path: PropertyKey[]) =>
  path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('') || '(root)'

const issuesToProblems = (prefix: string, error: z.ZodError) => error.issues.map((i) => `${prefix}${formatPath(i.path)}: ${i.message}`)

function readYaml(file: string, problems: string[], required: boolean): unknown {
  if (!existsSync(file)) {
    if (required) problems.push(`${file}: file not found`)
    return undefined
  }
  try {
    return parseYaml(readFileSync(file, 'utf8')) ?? {}
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? `:${err.linePos[0].line}:${err.linePos[0].col}` : ''
    problems.push(`${file}${where}: ${(err as Error).message.split('\n')[0]}`)
    return undefined
  }
}

/** Builds the whole configuration or throws ConfigError listing every problem. */
export function loadConfig(env: Env): Config {
  const problems: string[] = []
  const e = envSchema.safeParse(env)
  if (!e.success) problems.push(...issuesToProblems('environment ', e.error))
  const configDir = resolve(e.success ? e.data.CONFIG_DIR : env.CONFIG_DIR ?? './config')

  const plantPath = join(configDir, 'plant.yaml')
  const plantRaw = readYaml(plantPath, problems, true)
  let plant: Plant | undefined
  if (plantRaw !== undefined) {
    const p = plantFileSchema.safeParse(plantRaw)
    if (!p.success) problems.push(...issuesToProblems(`${plantPath} `, p.error))
    else {
      const r = resolvePlant(p.data)
      problems.push(...r.problems.map((m) => `${plantPath} ${m}`))
      plant = r.plant
    }
  }

  const peoplePath = join(configDir, 'people.yaml')
  const peopleRaw = readYaml(peoplePath, problems, false) ?? { shifts: [{ id: 'day', start: '08:00' }], rotation: { epoch: '2025-01-01', cycle: ['day'], crews: {} }, areas: {}, people: [] }
  let people: People | undefined
  const pp = peopleFileSchema.safeParse(peopleRaw)
  if (!pp.success) problems.push(...issuesToProblems(`${peoplePath} `, pp.error))
  else if (plant) {
    const r = resolvePeople(pp.data, plant)
    problems.push(...r.problems.map((m) => `${peoplePath} ${m}`))
    people = r.people
  }

  const products = readProductsFile(join(configDir, 'products.yaml'))
  problems.push(...products.problems)
  const sparkplug = plant ? readSparkplugFile(join(configDir, 'sparkplug.yaml'), plant) : undefined
  problems.push(...(sparkplug?.problems ?? []))

  const settingsPath = join(configDir, 'millwatch.yaml')
  const settingsRaw = readYaml(settingsPath, problems, false) ?? {}
  const s = settingsSchema.safeParse(settingsRaw)
  if (!s.success) problems.push(...issuesToProblems(`${settingsPath} `, s.error))

  if ((env.TLS_CERT === undefined) !== (env.TLS_KEY === undefined)) problems.push('environment TLS_CERT and TLS_KEY: give both or neither')
  for (const k of ['TLS_CERT', 'TLS_KEY'] as const) if (env[k] && !existsSync(env[k]!)) problems.push(`environment ${k}: file ${env[k]} not found`)
  if (env.MQTTS_PORT && !(env.TLS_CERT && env.TLS_KEY)) problems.push('environment MQTTS_PORT: needs TLS_CERT and TLS_KEY')
  if (env.STORE === 'influx') {
    if (!env.INFLUX_URL) problems.push('environment INFLUX_URL: required when STORE=influx')
    if (!env.INFLUX_BUCKET) problems.push('environment INFLUX_BUCKET: required when STORE=influx')
  }
  const roles = parseRoles(env.ROLES)
  problems.push(...roles.problems)
  if (roles.roles) problems.push(...roleProblems(roles.roles, { mqttUrl: env.MQTT_URL, workerId: env.INGEST_WORKER_ID }))
  if (problems.length || !e.success || !s.success || !plant || !people || !roles.roles) throw new ConfigError(problems)

  const v = e.data
  const st = s.data
  const config: Config = {
    http: { host: v.HTTP_HOST, port: v.HTTP_PORT },
    mqtt: {
      host: v.MQTT_HOST,
      port: v.MQTT_PORT,
      wsPort: v.MQTT_WS_PORT,
      tlsPort: v.MQTTS_PORT,
      url: v.MQTT_URL,
      username: v.MQTT_USERNAME,
      password: v.MQTT_PASSWORD,
      allowAnonymous: isLoopback(v.MQTT_HOST),
      limits: st.mqtt,
    },
    tls: v.TLS_CERT && v.TLS_KEY ? { cert: resolve(v.TLS_CERT), key: resolve(v.TLS_KEY) } : undefined,
    dataDir: resolve(v.DATA_DIR),
    configDir,
    publicUrl: (v.PUBLIC_URL ?? `http://${v.HTTP_HOST}:${v.HTTP_PORT}`).replace(/\/+$/, ''),
    logLevel: v.LOG_LEVEL,
    roles: roles.roles,
    ingestWorkerId: v.INGEST_WORKER_ID,
    standby: v.STANDBY === 'on',
    simulator: { enabled: v.SIMULATOR === 'on', speed: v.SIMULATOR_SPEED, seed: v.SIMULATOR_SEED },
    store: {
      kind: v.STORE,
      batchPoints: st.store.batchPoints,
      flushIntervalMs: st.store.flushInterval,
      memoryLimit: st.store.memoryLimit,
      nice: st.store.nice,
      reopenEveryPoints: st.store.reopenEvery,
      retention: { rawMs: st.store.retention.raw, rollupMs: st.store.retention.rollup },
      influx: v.INFLUX_URL ? { url: v.INFLUX_URL, token: v.INFLUX_TOKEN, org: v.INFLUX_ORG, bucket: v.INFLUX_BUCKET ?? '', spoolMaxBytes: st.store.influxSpool } : undefined,
    },
    ingest: {
      maxPayloadBytes: st.ingest.maxPayloadBytes,
      maxFutureSkewMs: st.ingest.maxFutureSkew,
      maxPastAgeMs: st.ingest.maxPastAge,
      deadLetterCapacity: st.ingest.deadLetterCapacity,
    },
    plant,
    people,
    products: products.catalog ?? EMPTY_CATALOG,
    sparkplug: sparkplug?.mapping,
    coils: { suspectPriorities: st.coils.suspectPriorities },
  }
  return deepFreeze(config)
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !(o instanceof Map) && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}
