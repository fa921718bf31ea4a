// "Did you mean …?" for names in rules.yaml: a typo in a sensor or rule id is the most
// common mistake a plant engineer makes, so the message offers the nearest known name.

/** Levenshtein distance, two rows. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    prev = cur
  }
  return prev[b.length]
}

/** ` (did you mean "x"?)` when a known name is close enough, else ''. */
export function suggest(name: string, known: Iterable<string>): string {
  let best: string | undefined
  let bestD = Infinity
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase())
    if (d < bestD) [best, bestD] = [k, d]
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean "${best}"?)` : ''
}
