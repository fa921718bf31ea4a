// The history generator's plant, as SQL: one row per second with the line's state, crossed
// with the 62 series of config/plant.yaml, each series a cheap formula of that state. Cheap
// approximations of the simulator's models (simulators/cycle.ts, rolling.ts), not the models
// themselves: DuckDB evaluates these ~20M rows/s, the simulator ~100k. What the figures of the
// dashboard need is there: a coil every ten minutes (threading, acceleration, run speed,
// deceleration, tail-out, coil change), stops (a roll change every eight hours, random
// breakdowns), thickness deviation around each coil's target with some off-gauge coils, and
// one stand whose bearing wears into ISO 10816-3 zones C and D over two days before repair.
// Noise is hash(), so the same options always give the same data.

/** A coil slot: coil on the mill for `dur` seconds, then a coil change. */
export const SLOT_S = 600
/** simulators/cycle.ts THREAD_S / TAIL_S and its acceleration rates */
const THREAD_S = 24
const TAIL_S = 12
const THREAD_MPS = 1.5
const ACCEL = 1.0
const DECEL = 1.2
/** The thinner exit gauges of the simulator's coil schedule (simulators/coils.ts), µm: thicker strip at these speeds would make coils over 60 t. */
const TARGETS_UM = [300, 350, 400, 450, 500, 600, 700, 800]
/** Each stand's share of the exit speed (mass flow: thicker strip runs slower). */
const STAND_SPEED = [0.32, 0.45, 0.6, 0.78, 0.95]
/** The stand whose bearing wears, and the days (from the start) over which it does. */
export const WORN_STAND = 3
export const WEAR_DAYS: readonly [number, number] = [18, 20]

/** Per coil slot c: is the line down, run speed, coil duration, target, off-gauge offset. */
export function slotColumns(c: string): string {
  const h = (salt: number) => `(hash(${c}, ${salt}) % 1000003)::BIGINT`
  return `
    (${c} % 48 = 0 OR ${h(1)} % 1000 < 45) AS down,
    (1500 + ${h(2)} % 950) / 100.0 AS vr,
    500 + ${h(3)} % 80 AS dur,
    [${TARGETS_UM.join(', ')}][1 + ${h(4)} % ${TARGETS_UM.length}] AS tgt,
    CASE WHEN ${h(5)} % 25 = 0 THEN 30 + ${h(6)} % 40 ELSE 0 END AS off_um`
}

/** Exit strip speed (m/s) at second p of a slot with columns from slotColumns. */
export function speedExpr(p: string): string {
  const ta = `((vr - ${THREAD_MPS}) / ${ACCEL})`
  const td = `((vr - ${THREAD_MPS}) / ${DECEL})`
  return `CASE
    WHEN down OR ${p} >= dur THEN 0.0
    WHEN ${p} < ${THREAD_S} THEN ${THREAD_MPS}
    WHEN ${p} < ${THREAD_S} + ${ta} THEN ${THREAD_MPS} + ${ACCEL} * (${p} - ${THREAD_S})
    WHEN ${p} < dur - ${TAIL_S} - ${td} THEN vr
    WHEN ${p} < dur - ${TAIL_S} THEN vr - ${DECEL} * (${p} - (dur - ${TAIL_S} - ${td}))
    ELSE ${THREAD_MPS} END`
}

export interface SeriesSpec {
  id: number
  equipment: string
  sensor: string
}

/**
 * The value of one series as SQL over the per-second columns v (exit speed), running (strip in the
 * mill), p, dur, tgt, off_um, day (days since start, fractional), n (noise in [-1, 1]).
 */
export function valueExpr(s: SeriesSpec): string {
  const stand = /^stand(\d)$/.exec(s.equipment)
  const k = stand ? Number(stand[1]) : 0
  const load = `(v / 24.5)`
  const wear = k === WORN_STAND ? `(CASE WHEN day >= ${WEAR_DAYS[0]} AND day < ${WEAR_DAYS[1]} THEN (day - ${WEAR_DAYS[0]}) / ${WEAR_DAYS[1] - WEAR_DAYS[0]} ELSE 0 END)` : '0'
  const daily = `sin(day * 6.2832)`
  if (stand) {
    const f: Record<string, string> = {
      roll_force_kN: `CASE WHEN running THEN ${15500 - 900 * k} + 1500 * ${load} + 350 * n ELSE 250 + 40 * n END`,
      tension_kN: `CASE WHEN running THEN ${150 + 25 * k} + 10 * n ELSE 5 + 2 * n END`,
      speed_mps: `v * ${STAND_SPEED[k - 1]} * (1 + 0.002 * n)`,
      motor_current_A: `${600 + 100 * k} + 6500 * ${load} + 120 * n`,
      motor_power_kW: `${150 + 30 * k} + 7800 * ${load} + 90 * n`,
      roll_gap_mm: `CASE WHEN running THEN ${(3.2 - 0.55 * k).toFixed(2)} + 0.02 * n ELSE 6.0 END`,
      hydraulic_pressure_bar: `CASE WHEN running THEN 190 + 12 * ${load} + 6 * n ELSE 40 + 2 * n END`,
      vibration_mm_s: `0.4 + (CASE WHEN running THEN 1.3 + 0.4 * ${load} ELSE 0 END) + 0.2 * n + ${wear} * (CASE WHEN running THEN 6.5 ELSE 1.0 END)`,
      bearing_temp_C: `52 + 9 * ${load} + 2 * ${daily} + 0.5 * n + 14 * ${wear}`,
      work_roll_temp_C: `48 + 32 * ${load} + 2 * ${daily} + 0.8 * n`,
    }
    return f[s.sensor] ?? `100 + n`
  }
  const f: Record<string, string> = {
    'uncoiler/coil_diameter_mm': `CASE WHEN running THEN 1900 - 1300 * p / dur ELSE 1900 END + 2 * n`,
    'uncoiler/entry_tension_kN': `CASE WHEN running THEN 110 + 6 * n ELSE 3 + n END`,
    'uncoiler/speed_mps': `v * 0.26 * (1 + 0.002 * n)`,
    'uncoiler/motor_current_A': `250 + 1400 * ${load} + 40 * n`,
    'uncoiler/vibration_mm_s': `0.3 + (CASE WHEN running THEN 1.0 ELSE 0 END) + 0.15 * n`,
    'uncoiler/bearing_temp_C': `44 + 6 * ${load} + 2 * ${daily} + 0.4 * n`,
    // Off-gauge at threading and speed changes, as AGC catches up; some coils off target.
    'exit/thickness_dev_um': `CASE WHEN NOT running THEN 0.0 WHEN v < vr THEN 14 * n ELSE 3.5 * n END + CASE WHEN running THEN off_um ELSE 0 END`,
    'exit/thickness_um': `tgt + CASE WHEN NOT running THEN 0.0 WHEN v < vr THEN 14 * n ELSE 3.5 * n END + CASE WHEN running THEN off_um ELSE 0 END`,
    'exit/strip_speed_mps': `v`,
    'exit/exit_tension_kN': `CASE WHEN running THEN 85 + 4 * n ELSE 2 + n END`,
    'exit/coil_diameter_mm': `CASE WHEN running THEN 610 + 1300 * p / dur ELSE 610 END + 2 * n`,
    'exit/flatness_IU': `CASE WHEN running THEN 3 * n + 2 * sin(p / 40.0) ELSE 0.0 END`,
  }
  return f[`${s.equipment}/${s.sensor}`] ?? `100 + n`
}

/**
 * INSERT … SELECT of every series' points for seconds [s0, s1) after `startMs`, in time
 * order (then series) like live ingest writes them, so zonemaps on ts prune as in production.
 */
export function insertPointsSql(series: readonly SeriesSpec[], startMs: number, s0: number, s1: number): string {
  const cases = series.map((s) => `WHEN ${s.id} THEN ${valueExpr(s)}`).join('\n      ')
  return `
    INSERT INTO points
    WITH secs AS (
      SELECT t, t // ${SLOT_S} AS c, t % ${SLOT_S} AS p, t / 86400.0 AS day FROM range(${s0}, ${s1}) r(t)
    ), slots AS (
      SELECT *, ${slotColumns('c')} FROM secs
    ), state AS (
      SELECT *, ${speedExpr('p')} AS v, (NOT down AND p < dur) AS running FROM slots
    ), rows AS (
      SELECT s.id, state.*, (hash(state.t, s.id) % 20001) / 10000.0 - 1 AS n
      FROM state CROSS JOIN (SELECT unnest([${series.map((s) => s.id).join(', ')}]) AS id) s
    )
    SELECT id::INTEGER, (${startMs} + t * 1000)::BIGINT AS ts,
      round(CASE id
      ${cases}
      END, 3)::DOUBLE
    FROM rows ORDER BY ts, id`
}
