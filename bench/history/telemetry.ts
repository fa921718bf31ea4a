// Writes the history's telemetry straight into a millwatch DuckDB file, in the store's own
// tables (store/duckdb/schema.ts): the series dictionary, the raw points (INSERT … SELECT
// over range(), see model-sql.ts), the 1-minute rollups maintenance would have built, the
// rollup watermark and the newest point of every series. Opened afterwards by the real store,
// the file is indistinguishable from one that ingested the same readings live, in order.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api'
import { DDL, MINUTE } from '../../store/duckdb/schema.ts'
import { insertPointsSql, slotColumns, SLOT_S, type SeriesSpec } from './model-sql.ts'

export interface TelemetryOptions {
  /** the database file (millwatch.duckdb in the data folder) */
  file: string
  line: string
  series: readonly SeriesSpec[]
  /** epoch ms of the first second, a whole minute */
  startMs: number
  seconds: number
  /** seconds of history per INSERT: one progress step */
  chunkS?: number
  onProgress?: (secondsDone: number) => void
}

/** One coil slot of the history, as the SQL model decided it (model-sql.ts slotColumns). */
export interface Slot {
  c: number
  down: boolean
  vr: number
  dur: number
  tgt: number
  off_um: number
}

export async function writeTelemetry(o: TelemetryOptions): Promise<{ points: number; rollups: number; slots: Slot[] }> {
  if (o.startMs % MINUTE !== 0) throw new Error('the history must start on a whole minute')
  const instance = await DuckDBInstance.create(o.file)
  const c = await instance.connect()
  try {
    for (const sql of DDL) await c.run(sql)
    const known = await c.runAndReadAll('SELECT count(*)::INTEGER FROM points')
    if (Number(known.getRowsJS()[0][0]) > 0) throw new Error(`${o.file} already holds points: generate into an empty folder`)
    const rows = o.series.map((s) => `(${s.id}, '${o.line}', '${s.equipment}', '${s.sensor}')`).join(', ')
    await c.run(`INSERT INTO series VALUES ${rows}`)
    const chunk = o.chunkS ?? 6 * 3600
    let points = 0
    let rollups = 0
    for (let s0 = 0; s0 < o.seconds; s0 += chunk) {
      const s1 = Math.min(o.seconds, s0 + chunk)
      points += (await c.run(insertPointsSql(o.series, o.startMs, s0, s1))).rowsChanged
      // The minutes just written, rolled up as maintenance.ts does for in-order points.
      const lo = o.startMs + s0 * 1000
      const hi = o.startMs + s1 * 1000
      rollups += (
        await c.run(`INSERT INTO rollup_1m
          SELECT series_id, ts - ts % ${MINUTE} AS m, sum(value), min(value), max(value), count(*)
          FROM points WHERE ts >= ${lo} AND ts < ${hi} GROUP BY series_id, m ORDER BY m, series_id`)
      ).rowsChanged
      o.onProgress?.(s1)
    }
    const end = o.startMs + o.seconds * 1000
    await c.run(`UPDATE meta SET value = ${end - (end % MINUTE)} WHERE key = 'rollup_watermark'`)
    await c.run(`INSERT INTO latest_log SELECT series_id, max(ts), arg_max(value, ts) FROM points
      WHERE ts >= ${end - 60_000} GROUP BY series_id`)
    await c.run('CHECKPOINT')
    return { points, rollups, slots: await slotsOf(c, o.seconds) }
  } finally {
    c.closeSync()
    instance.closeSync()
  }
}

/** The coil slots of a history `seconds` long (as the SQL model decides them). */
export async function slotsOf(c: DuckDBConnection, seconds: number): Promise<Slot[]> {
  const slots = await c.runAndReadAll(`SELECT c::INTEGER, ${slotColumns('c')} FROM range(0, ${Math.ceil(seconds / SLOT_S)}) r(c) ORDER BY c`)
  return slots.getRowsJS().map(([slot, down, vr, dur, tgt, off]) => ({
    c: Number(slot), down: Boolean(down), vr: Number(vr), dur: Number(dur), tgt: Number(tgt), off_um: Number(off),
  }))
}

/** The slots of an existing history file, to (re)write its records. */
export async function readSlots(file: string, seconds: number): Promise<Slot[]> {
  const instance = await DuckDBInstance.create(file)
  const c = await instance.connect()
  try {
    return await slotsOf(c, seconds)
  } finally {
    c.closeSync()
    instance.closeSync()
  }
}
