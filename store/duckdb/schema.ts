// The database schema. `points` has no primary key or index on purpose: an ART index lives
// in memory and would not scale to 100M+ rows, while DuckDB's per-row-group min/max
// (zonemaps) on `ts` already prune well because rows arrive roughly in time order.
// Duplicates (a QoS 1 resend after a lost PUBACK) are therefore stored, and every read
// collapses them: one value per (series_id, ts).
export const SCHEMA_VERSION = 1

export const DDL = [
  `CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS series (
     id INTEGER PRIMARY KEY, line VARCHAR NOT NULL, equipment VARCHAR NOT NULL, sensor VARCHAR NOT NULL)`,
  // ts: epoch milliseconds, UTC
  `CREATE TABLE IF NOT EXISTS points (series_id INTEGER NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL)`,
  // One row per series and completed minute (ts = start of the minute), duplicates collapsed.
  `CREATE TABLE IF NOT EXISTS rollup_1m (
     series_id INTEGER NOT NULL, ts BIGINT NOT NULL,
     sum DOUBLE NOT NULL, min DOUBLE NOT NULL, max DOUBLE NOT NULL, count BIGINT NOT NULL)`,
  // Minutes of a series that must be rolled up with duplicates collapsed: they got an
  // out-of-order point (maybe a resend) or a late one (already rolled up: recomputed).
  `CREATE TABLE IF NOT EXISTS rollup_dirty (series_id INTEGER NOT NULL, ts BIGINT NOT NULL)`,
  // Each commit appends the new newest point of the series it advanced, so `latest` can be
  // rebuilt at open from this small table instead of scanning `points`; compacted by
  // maintenance to one row per series.
  `CREATE TABLE IF NOT EXISTS latest_log (series_id INTEGER NOT NULL, ts BIGINT NOT NULL, value DOUBLE NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS audit_log (
     ts BIGINT NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL, target VARCHAR, from_addr VARCHAR, details JSON)`,
  `CREATE TABLE IF NOT EXISTS coil_events (
     line VARCHAR NOT NULL, coil_id VARCHAR NOT NULL, event VARCHAR NOT NULL, ts BIGINT NOT NULL, attributes JSON)`,
  `INSERT INTO meta VALUES ('schema_version', ${SCHEMA_VERSION}) ON CONFLICT DO NOTHING`,
  // Minutes before the watermark are in rollup_1m; raw points before raw_cutoff have been
  // deleted by retention. Both start at the lowest safe integer: nothing yet.
  `INSERT INTO meta VALUES ('rollup_watermark', -9007199254740991) ON CONFLICT DO NOTHING`,
  `INSERT INTO meta VALUES ('raw_cutoff', -9007199254740991) ON CONFLICT DO NOTHING`,
  // Whole days of rollup_1m before this have been rewritten sorted by series (rollup-order.ts).
  `INSERT INTO meta VALUES ('rollup_sorted', -9007199254740991) ON CONFLICT DO NOTHING`,
]

/** Epoch ms rounded down to a multiple of `step`, also for negative times. */
export const floorTo = (ts: number, step: number) => ts - (((ts % step) + step) % step)
/** Epoch ms rounded up to a multiple of `step`. */
export const ceilTo = (ts: number, step: number) => -floorTo(-ts, step)
export const MINUTE = 60_000
