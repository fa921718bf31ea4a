// HTTPS for the web when a certificate is configured, with Secure cookies and HSTS.
import { request } from 'node:https'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { Credentials } from '../core/credentials.ts'
import { createRegistry } from '../core/metrics.ts'
import { openDuckDbStore } from '../store/duckdb/index.ts'
import { selfSignedCert } from '../test/helpers/tls.ts'
import { buildApp } from './app.ts'
import { Sessions } from './auth/sessions.ts'

it('serves HTTPS with the configured certificate, HSTS and Secure cookies', async () => {
  const config = loadConfig({})
  const log = pino({ level: 'silent' })
  const tls = selfSignedCert()
  const store = await openDuckDbStore({ dir: mkdtempSync(join(tmpdir(), 'mw-https-')), log })
  const app = await buildApp({
    tls, config, log, metrics: createRegistry(), timeseries: store.timeseries,
    health: () => ({ ready: true, parts: {} }),
    auth: { credentials: new Credentials(mkdtempSync(join(tmpdir(), 'mw-https-c-'))), people: config.people, sessions: new Sessions(), records: store.records, demo: false, secureCookies: true },
  })
  try {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const port = (app.server.address() as { port: number }).port
    const res = await new Promise<{ status: number; headers: Record<string, unknown> }>((resolve, reject) =>
      request({ host: '127.0.0.1', port, path: '/login', ca: tls.cert, servername: 'localhost' }, (r) => {
        r.resume()
        resolve({ status: r.statusCode!, headers: r.headers })
      })
        .on('error', reject)
        .end(),
    )
    expect(res.status).toBe(200)
    expect(String(res.headers['strict-transport-security'])).toMatch(/max-age=\d+/)
    expect(String(res.headers['set-cookie'])).toMatch(/_csrf=.*Secure/)
  } finally {
    await app.close()
    await store.close()
  }
})
