// Appending columns through DuckDB's Appender in its DataChunk form — the fastest write path
// measured (SQL INSERT is 4–20× slower). A data chunk holds at most one vector (2048 rows), so
// longer columns go in slices.
//
// Each column is copied into its vector whole (one memcpy per column and slice) through the
// bindings' copy_data_to_vector, the call node-api's own vectors flush with. Setting values
// one by one (DuckDBDataChunk.setColumns) cost a BigInt and a range check per timestamp and
// made this thread's JavaScript the most expensive part of a commit.
import duckdb from '@duckdb/node-bindings'
import { BIGINT, DOUBLE, DuckDBDataChunk, INTEGER, type DuckDBAppender } from '@duckdb/node-api'
import { endianness } from 'node:os'

const VECTOR_SIZE = 2048
const POINT_TYPES = [INTEGER, BIGINT, DOUBLE]
if (endianness() !== 'LE') throw new Error('the DuckDB store writes int64 columns as little-endian words')

// Scratch for one slice's timestamps as int64: two 32-bit words per value (little-endian).
const tsWords = new Int32Array(VECTOR_SIZE * 2)
const TWO_32 = 2 ** 32

/**
 * Appends rows [from, to) of the columns as (series_id INTEGER, ts BIGINT, value DOUBLE) —
 * the layout of points and latest_log. Timestamps must be integers (write() refuses others).
 */
export function appendPointColumns(
  appender: DuckDBAppender,
  sid: Int32Array,
  ts: Float64Array,
  value: Float64Array,
  from: number,
  to: number,
): void {
  for (let off = from; off < to; off += VECTOR_SIZE) {
    const len = Math.min(VECTOR_SIZE, to - off)
    for (let i = 0; i < len; i++) {
      const t = ts[off + i]
      tsWords[2 * i] = t % TWO_32 | 0 // low word: ToInt32 keeps the low 32 bits of the integer
      tsWords[2 * i + 1] = Math.floor(t / TWO_32) // high word, signed
    }
    const chunk = DuckDBDataChunk.create(POINT_TYPES, len)
    copy(chunk, 0, sid, off, len)
    copy(chunk, 1, tsWords, 0, 2 * len)
    copy(chunk, 2, value, off, len)
    appender.appendDataChunk(chunk)
  }
}

function copy(chunk: DuckDBDataChunk, column: number, src: Int32Array | Float64Array, from: number, count: number): void {
  const bytes = src.BYTES_PER_ELEMENT
  duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(chunk.chunk, column), 0, src.buffer as ArrayBuffer, src.byteOffset + from * bytes, count * bytes)
}
