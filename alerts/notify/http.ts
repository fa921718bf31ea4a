// A JSON POST with a deadline: a receiver that accepts the connection and never answers
// costs at most `timeoutMs`, then counts as a (retryable) failure.
import type { SendResult } from './queue.ts'

export interface PostResult {
  readonly status: number
  readonly json?: Record<string, unknown>
}

export async function postJson(url: string, body: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<PostResult> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) })
  const text = await res.text()
  let json: Record<string, unknown> | undefined
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, json }
}

/** fetch's failures, named for the delivery record. */
export function networkFailure(err: unknown): SendResult {
  const e = err as Error & { cause?: { code?: string; message?: string } }
  const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : (e.cause?.code ?? e.cause?.message ?? e.message)
  return { ok: false, retry: true, error: `network: ${why}` }
}

export const httpFailure = (status: number): SendResult => ({ ok: false, retry: status === 429 || status >= 500, error: `HTTP ${status}` })
