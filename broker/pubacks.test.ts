import { describe, expect, it } from 'vitest'
import { PubackQueue } from './pubacks.ts'

/** The message ids in the PUBACK packets written to each client, write by write. */
function recorder() {
  const writes: Array<{ client: string; ids: number[] }> = []
  const q = new PubackQueue<{ name: string }>((c, b) => {
    const ids: number[] = []
    for (let i = 0; i < b.length; i += 4) {
      expect([b[i], b[i + 1]]).toEqual([0x40, 2])
      ids.push(b.readUInt16BE(i + 2))
    }
    writes.push({ client: c.name, ids })
  })
  return { q, writes }
}
const tick = () => new Promise((r) => setImmediate(r))

describe('PubackQueue', () => {
  it('acknowledges in the order the publishes came in, whatever order their commits settle in', async () => {
    const { q, writes } = recorder()
    const a = { name: 'a' }
    const ready = [1, 2, 3, 4].map((id) => q.enqueue(a, id))
    ready[1]()
    ready[3]()
    await tick()
    expect(writes).toEqual([]) // 1 is not committed: nothing may overtake it
    ready[0]()
    await tick()
    expect(writes).toEqual([{ client: 'a', ids: [1, 2] }])
    ready[2]()
    await tick()
    expect(writes.map((w) => w.ids)).toEqual([[1, 2], [3, 4]])
    expect(q.waiting(a)).toBe(0)
  })

  it('writes the acknowledgements one commit releases as one write per client', async () => {
    const { q, writes } = recorder()
    const a = { name: 'a' }
    const b = { name: 'b' }
    const commit = Promise.resolve()
    for (let id = 1; id <= 500; id++) {
      void commit.then(q.enqueue(a, id))
      void commit.then(q.enqueue(b, 1000 + id))
    }
    await tick()
    expect(writes.map((w) => `${w.client}:${w.ids.length}`)).toEqual(['a:500', 'b:500'])
    expect(writes[0].ids).toEqual(Array.from({ length: 500 }, (_, i) => i + 1))
  })

  it('keeps the order over many batches (the line is compacted as it goes) and forgets a client that left', async () => {
    const { q, writes } = recorder()
    const a = { name: 'a' }
    const sent: number[] = []
    let id = 0
    let held: (() => void) | undefined
    for (let batch = 0; batch < 20; batch++) {
      const pending = Array.from({ length: 300 }, () => ((id = (id % 65535) + 1), q.enqueue(a, id)))
      // commits settle the newer part first; the previous batch's last publish only now, and
      // this batch's last one is held over: the line never empties, so it is compacted
      pending.slice(150, 299).forEach((r) => r())
      held?.()
      pending.slice(0, 150).forEach((r) => r())
      held = pending[299]
      await tick()
    }
    held!()
    await tick()
    for (const w of writes) sent.push(...w.ids)
    expect(sent).toEqual(Array.from({ length: 6000 }, (_, i) => i + 1))
    const gone = q.enqueue(a, 7)
    q.forget(a)
    gone()
    await tick()
    expect(writes.flatMap((w) => w.ids)).toHaveLength(6000)
  })
})
