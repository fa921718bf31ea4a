// A JSON POST with a deadline: a receiver that accepts the connection and never answers
// costs at most `timeoutMs`, then counts as a (retryable) failure. undici's request() on a
// keep-alive pool does without fetch()'s WHATWG streams (the same client underneath), which
// take extra turns of the event loop — turns that wait behind socket reads under full load.
import { Agent, request } from 'undici'
import type { SendResult } from './queue.ts'

const pool = new Agent({ keepAliveTimeout: 30_000, connections: 16 })

export interface PostResult {
  readonly status: number
  readonly json?: Record<string, unknown>
}

export async function postJson(url: string, body: string, timeoutMs: number, headers: Record<string, string> = {}): Promise<PostResult> {
  const res = await request(url, {
    dispatcher: pool,
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  })
  const text = await res.body.text()
  let json: Record<string, unknown> | undefined
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.statusCode, json }
}

/** The client's failures (ECONNREFUSED, UND_ERR_SOCKET, the deadline…), named for the delivery record. */
export function networkFailure(err: unknown): SendResult {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } }
  const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? 'timeout' : (e.code ?? e.cause?.code ?? e.cause?.message ?? e.message)
  return { ok: false, retry: true, error: `network: ${why}` }
}

export const httpFailure = (status: number): SendResult => ({ ok: false, retry: status === 429 || status >= 500, error: `HTTP ${status}` })
