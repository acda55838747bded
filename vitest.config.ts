import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

// Three projects: `unit` (in-process, parallel), `renderer` (the dashboard's stores and
// components in happy-dom, with a fake control API) and `e2e` (real node processes on loopback,
// one file at a time so that a 2-core CI machine is not oversubscribed).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['raftkv/**/*.test.ts', 'main/**/*.test.ts', 'bench/lib/**/*.test.ts', 'electron/**/*.test.ts', 'test/support/**/*.test.ts', 'test/lint/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 30_000,
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          include: ['renderer/**/*.test.ts'],
          environment: 'happy-dom',
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
})
