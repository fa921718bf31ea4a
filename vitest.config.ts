import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real brokers, DuckDB files and child processes: keep the
    // 2-core CI machine from running too many of them at once.
    maxWorkers: 2,
  },
})
