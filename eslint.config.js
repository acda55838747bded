// Lint: TypeScript rules plus the layering of ARCHITECTURE.md, enforced per folder.
import tseslint from 'typescript-eslint'

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'net', 'http', 'https', 'child_process', 'crypto', 'timers', 'worker_threads', 'events', 'stream']

export default tseslint.config(
  { ignores: ['node_modules/**', '.scratch/**', 'out/**', 'dist/**', 'proto/generated/**', 'bench/results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // raftkv/raft is pure: no I/O, no timers, no clock, no randomness, nothing else from raftkv/.
    files: ['raftkv/raft/**/*.ts'],
    ignores: ['raftkv/raft/**/*.test.ts', 'raftkv/raft/testing/**'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'raftkv/raft is pure: no Node modules.' },
          { group: ['ws', '@nxtedition/rocksdb', 'pino', 'commander', 'electron', 'vue', 'pinia'], message: 'raftkv/raft is pure: no I/O libraries.' },
          { group: ['../storage/*', '../transport/*', '../server/*', '../client/*', '../../main/*'], message: 'raftkv/raft imports nothing else from raftkv/.' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'raftkv/raft has no timers: time enters through tick().' },
        { name: 'setInterval', message: 'raftkv/raft has no timers: time enters through tick().' },
        { name: 'setImmediate', message: 'raftkv/raft has no timers.' },
        { name: 'queueMicrotask', message: 'raftkv/raft has no timers.' },
        { name: 'Date', message: 'raftkv/raft has no clock.' },
        { name: 'performance', message: 'raftkv/raft has no clock.' },
        { name: 'process', message: 'raftkv/raft has no process access.' },
        { name: 'require', message: 'raftkv/raft is pure.' },
      ],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'raftkv/raft takes randomness from Config.rand.' },
      ],
    },
  },
  {
    // main/ (the Supervisor) never imports electron or the renderer.
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron', 'electron/*'], message: 'main/ runs headless too: never import electron.' },
        { group: ['../renderer/*', '../../renderer/*'], message: 'main/ never imports the renderer.' },
      ] }],
    },
  },
  {
    // raftkv/ (the store) knows nothing of the manager.
    files: ['raftkv/**/*.ts'],
    ignores: ['raftkv/raft/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['electron', 'vue', 'pinia', '../../main/*', '../../renderer/*', '../../electron/*'], message: 'raftkv/ is the store: it never imports the manager.' },
      ] }],
    },
  },
  {
    // raftkv/check (the linearizability checker) imports nothing: the store and the manager both use it.
    files: ['raftkv/check/**/*.ts'],
    ignores: ['raftkv/check/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['../*', '../../*'], message: 'raftkv/check imports nothing outside its own folder.' },
        { group: ['electron', 'vue', 'pinia', 'ws', '@nxtedition/rocksdb', 'pino'], message: 'raftkv/check imports nothing.' },
      ] }],
    },
  },
)
