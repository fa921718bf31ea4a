// A bounded LRU of coil reads in front of the records store (issue 5: "the answer must be on
// screen in a second"). A scan costs one or two DuckDB queries through the store's worker
// (~1 ms of CPU each whatever their size); QA scans the coils of the last shifts, and a coil
// page is read again after every hold, release or inspection, so recent coils are read often.
//
// Every change to a coil goes through this wrapper (the coils part owns the records), and
// each write invalidates that coil before and after it runs. A read that started before a
// write and ends after it is not cached (a per-coil generation counter), so the cache never
// holds an answer older than the last change. `maxAgeMs` bounds how long a coil written by
// anything else (a repair by hand, a second process) can be served stale.
import type { CoilRecords, StoredCoil } from '../store/types.ts'

type Detail = NonNullable<Awaited<ReturnType<CoilRecords['detail']>>>

export interface CoilCacheStats {
  hits: number
  misses: number
  size: number
}

export interface CachedCoilRecords extends CoilRecords {
  stats(): CoilCacheStats
}

export function cachedCoilRecords(store: CoilRecords, opts: { size?: number; maxAgeMs?: number; now?: () => number } = {}): CachedCoilRecords {
  const size = opts.size ?? 2000
  const maxAgeMs = opts.maxAgeMs ?? 60_000
  const now = opts.now ?? Date.now
  /** key `d:` + id (detail) or `r:` / `s:` + id (record without / with summary) → answer; Map order is recency */
  const entries = new Map<string, { at: number; value: Detail | StoredCoil | undefined }>()
  const generation = new Map<string, number>()
  const counts = { hits: 0, misses: 0 }

  const invalidate = (id: string) => {
    generation.set(id, (generation.get(id) ?? 0) + 1)
    for (const k of ['d:', 'r:', 's:']) entries.delete(k + id)
    if (generation.size > size * 4) generation.clear() // reads in flight then skip caching once: harmless
  }

  async function read<T extends Detail | StoredCoil | undefined>(key: string, id: string, load: () => Promise<T>): Promise<T> {
    if (size <= 0) return load()
    const hit = entries.get(key)
    if (hit && now() - hit.at <= maxAgeMs) {
      entries.delete(key)
      entries.set(key, hit) // most recently used last
      counts.hits++
      return hit.value as T
    }
    counts.misses++
    const gen = generation.get(id)
    const value = await load()
    if (generation.get(id) === gen) {
      entries.set(key, { at: now(), value })
      while (entries.size > size) entries.delete(entries.keys().next().value!)
    }
    return value
  }

  /** Runs a write, invalidating the coils it touches before and after. */
  async function write<T>(ids: readonly string[], run: () => Promise<T>): Promise<T> {
    ids.forEach(invalidate)
    try {
      return await run()
    } finally {
      ids.forEach(invalidate)
    }
  }

  return {
    ...store,
    get: (id, o) => read(`${o?.summary === false ? 'r' : 's'}:${id}`, id, () => store.get(id, o)),
    detail: (id) => read(`d:${id}`, id, () => store.detail(id)),
    upsert: (coils) => write(coils.map((c) => c.record.id), () => store.upsert(coils)),
    addInspection: (i) => write([i.coilId], () => store.addInspection(i)),
    addHistory: (e) => write([e.coilId], () => store.addHistory(e)),
    stats: () => ({ ...counts, size: entries.size }),
  }
}
