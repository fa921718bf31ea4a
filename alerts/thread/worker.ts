// The rules thread: every reading's condition evaluation (conditions.ts), off the thread that
// runs the broker, ingest and the web. It keeps each rule's evaluation state; the alarm
// points, their lifecycle and every operator command stay on the main thread, which applies
// what this thread reports (engine.applyConditions). The engine's timer ticks come over as
// messages, so silence and delays are judged on the main thread's clock, in order with the readings.
import { parentPort } from 'node:worker_threads'
import { evaluateDeath, evaluateReading, evaluateTimer, seed, staleSensorOf, type ConditionSink, type Evaluated } from '../conditions.ts'
import { CHANGE, END, OBSERVE, RECORD } from '../engine.ts'
import { compileRule, newRuleState, type RuleState } from '../evaluate/rule.ts'
import { intern } from '../evaluate/leaf.ts'
import { fingerprint } from '../slots.ts'
import type { EquipmentCode, FromRules, ToRules } from './protocol.ts'

interface Entry extends Evaluated {
  readonly i: number
  readonly key: string
  readonly fingerprint: string
}

const port = parentPort!
let equipment: readonly EquipmentCode[] = []
let gen = 0
let entries: Entry[] = []
let byKey = new Map<string, Entry>()
/** Per equipment code: its rules in the main thread's order (suppressors first). */
let byEquipment: Entry[][] = []

// Reports, built in place and sent once per batch of readings (or tick), and at once after a change.
let out = new Float64Array(1024)
let n = 0
function record(kind: number, i: number, a: number, b: number, c: number, d: number): void {
  if (n + RECORD > out.length) {
    const bigger = new Float64Array(out.length * 2)
    bigger.set(out.subarray(0, n))
    out = bigger
  }
  out[n] = kind
  out[n + 1] = i
  out[n + 2] = a
  out[n + 3] = b
  out[n + 4] = c
  out[n + 5] = d
  n += RECORD
}
const sink: ConditionSink<Entry> = {
  changed: (e, r) => record(CHANGE, e.i, r, e.state.clock, e.state.value, e.state.limit),
  unchanged: (e, ts) => {
    if (e.state.active) record(OBSERVE, e.i, e.state.value, e.state.limit, ts, 0)
  },
}
function send(): void {
  if (n === 0) return
  const buf = out.slice(0, n)
  n = 0
  port.postMessage({ t: 'conditions', gen, buf } satisfies FromRules, [buf.buffer])
}

function load(next: number, rules: Extract<ToRules, { t: 'rules' }>['rules'], now: number): void {
  const kept = new Map<string, Entry>()
  entries = rules.map((rule, i) => {
    const c = compileRule(rule)
    const fp = fingerprint(rule)
    const old = byKey.get(rule.key)
    let state: RuleState
    if (old && old.fingerprint === fp) state = old.state
    else {
      // A changed rule starts afresh where its alarm is, so an active alarm can clear.
      state = newRuleState(c)
      if (old) seed(state, old.state.active, now)
    }
    const e: Entry = { c, state, staleSensor: staleSensorOf(c), i, key: rule.key, fingerprint: fp }
    kept.set(rule.key, e)
    return e
  })
  byKey = kept
  gen = next
  const code = new Map(equipment.map((q, k) => [`${q.line}\u0000${q.equipment}`, k]))
  byEquipment = equipment.map(() => [])
  for (const e of entries) {
    const k = code.get(`${e.c.rule.line}\u0000${e.c.rule.equipment}`)
    if (k !== undefined) byEquipment[k].push(e)
  }
}

function readings(buf: Float64Array): void {
  for (let p = 0; p < buf.length; ) {
    const k = buf[p]
    const ts = buf[p + 1]
    const count = buf[p + 2]
    const q = equipment[k]
    const values: Record<string, number> = {}
    for (let j = 0; j < count; j++) values[q.sensors[buf[p + 3 + 2 * j]]] = buf[p + 4 + 2 * j]
    p += 3 + 2 * count
    const slots = byEquipment[k]
    if (slots && slots.length && evaluateReading(slots, ts, values, sink)) {
      record(END, 0, 0, 0, 0, 0)
      // A change goes back at once: the rest of the batch does not hold up an alarm.
      send()
    }
  }
  send()
}

port.on('message', (m: ToRules) => {
  switch (m.t) {
    case 'init':
      // The readings' keys, as V8's own names (see intern).
      equipment = m.equipment.map((q) => ({ ...q, sensors: q.sensors.map(intern) }))
      return
    case 'tick': {
      let any = false
      for (const e of entries) any = evaluateTimer(e, m.now, sink) || any
      if (any) record(END, 0, 0, 0, 0, 0)
      return send()
    }
    case 'ping':
      return port.postMessage({ t: 'pong', id: m.id } satisfies FromRules)
    case 'rules':
      return load(m.gen, m.rules, m.now)
    case 'seed':
      for (const s of m.items) {
        const e = byKey.get(s.key)
        if (e) seed(e.state, s.active, s.at)
      }
      return
    case 'readings':
      return readings(m.buf)
    case 'stale': {
      const k = equipment.findIndex((q) => q.line === m.line && q.equipment === m.equipment)
      if (k >= 0 && evaluateDeath(byEquipment[k] ?? [], m.at, sink)) record(END, 0, 0, 0, 0, 0)
      return send()
    }
  }
})
