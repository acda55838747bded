// electron-vite: three builds. main (ESM, Node 22 of Electron 45), preload (CJS so that it
// loads with sandbox: true) and the Vue renderer (root renderer/, output out/renderer).
// Targets are explicit: electron-vite 6.0's Electron table ends at 44 (TOOLCHAIN.md).
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

const root = import.meta.dirname

export default defineConfig({
  main: {
    build: {
      target: 'node22',
      outDir: resolve(root, 'out/main'),
      // The linearizability check's thread (main/workload/check-off-thread.ts) starts
      // out/main/check-worker.js, beside the entry.
      rollupOptions: {
        input: { index: resolve(root, 'electron/main.ts'), 'check-worker': resolve(root, 'main/workload/check-worker.ts') },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      target: 'node22',
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [vue()],
    build: {
      target: 'chrome140',
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
})
