// The randomized test: many seeds of a chaotic cluster (see testing/chaos.ts), checking
// Raft's safety properties after every step and convergence after healing.
// RAFT_SEEDS / RAFT_SEED_START / RAFT_STEPS widen the run locally; a failure names its seed
// (replay it with RAFT_SEED_START=<seed> RAFT_SEEDS=1).
import { expect, it } from 'vitest'
import { optionsFor, runSeed, SeedFailure } from './testing/chaos.js'

const envInt = (name: string, dflt: number): number => {
  const v = process.env[name]
  const n = v === undefined || v === '' ? NaN : Number(v)
  return Number.isSafeInteger(n) && n >= 0 ? n : dflt
}

const SEEDS = envInt('RAFT_SEEDS', 200)
const START = envInt('RAFT_SEED_START', 1)
const STEPS = envInt('RAFT_STEPS', 10000)

it(`keeps Raft's safety properties over ${SEEDS} random seeds`, () => {
  const started = performance.now()
  const failures: SeedFailure[] = []
  let steps = 0
  let committed = 0
  let snapshots = 0
  let leadersLost = 0
  let stalls = 0
  let silentCampaigns = 0
  let asyncSeeds = 0
  let earlySent = 0
  let writeCrashes = 0
  let acksDuringWrite = 0
  for (let seed = START; seed < START + SEEDS; seed++) {
    try {
      const r = runSeed(seed, STEPS)
      steps += r.steps
      committed += r.committed
      snapshots += r.stats.snapshotsApplied
      leadersLost += r.stats.leadersLost
      stalls += r.stats.stalls
      silentCampaigns += r.stats.silentCampaigns
      if (optionsFor(seed).asyncLeaderWrites) asyncSeeds++
      earlySent += r.stats.earlySent
      writeCrashes += r.stats.crashesWithWriteInFlight
      acksDuringWrite += r.stats.acksDuringWrite
    } catch (e) {
      if (!(e instanceof SeedFailure)) throw e
      failures.push(e)
    }
  }
  const ms = Math.round(performance.now() - started)
  console.log(`random raft: seeds ${START}..${START + SEEDS - 1} (${SEEDS}), ${steps} steps, ` +
    `${committed} proposals committed, ${snapshots} snapshots applied, ${leadersLost} leaders lost, ${silentCampaigns} campaigns against a silent leader, ${stalls} stalls, ` +
    `${asyncSeeds} seeds with async leader writes (${earlySent} messages sent before the persist, ${acksDuringWrite} acks stepped into a leader during its write, ${writeCrashes} leaders crashed with their write in flight), ` +
    `${failures.length} failed, ${ms} ms`)
  expect(failures.map((f) => f.message).slice(0, 3)).toEqual([])
}, Math.max(300_000, SEEDS * 1_500))
