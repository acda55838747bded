// The export bundle: one .tar.gz with everything needed to look at a session later.
//   manifest.json                     versions, the cluster spec, times, what is inside
//   nodes/<id>.log                    every line each node printed
//   events.ndjson                     the cluster events, one per line
//   timeline.ndjson                   the recorded ClusterView samples
//   workloads/<runId>/history.ndjson  each checked workload's history
//   workloads/<runId>/verdict.json    and its verdict
// The inputs are files, folders and iterables, not the Supervisor's classes; each part
// is first written (secrets redacted) to a staging folder, then archived with `tar`.
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import * as tar from 'tar'
import { Redactor } from './redact.js'

/** Records from memory, or lines of an NDJSON (or plain text) file on disk. */
export type RecordSource = { records: Iterable<unknown> | AsyncIterable<unknown> } | { file: string }

export interface NodeLogSource {
  id: number
  /** The node's whole log (one line per line), or its lines. */
  source: { file: string } | { lines: Iterable<string> | AsyncIterable<string> }
}

export interface BundleInputs {
  /** Where to write the .tar.gz (its folder is created). */
  path: string
  /** What the manifest says beyond the bundle's own fields (versions, spec, times, ...). */
  manifest: Record<string, unknown>
  /** Strings that must appear nowhere in the bundle (the cluster token, a session token). */
  secrets: string[]
  nodeLogs: NodeLogSource[]
  events: RecordSource
  timeline: RecordSource
  /** A folder of <runId>/{history.ndjson, verdict.json} (absent: no workloads). */
  workloadsDir?: string
}

export interface BundleResult {
  path: string
  bytes: number
}

export const BUNDLE_FORMAT = 'raftkv-bundle/1'

export async function writeBundle(inputs: BundleInputs): Promise<BundleResult> {
  const redact = new Redactor(inputs.secrets)
  const staging = mkdtempSync(join(tmpdir(), 'raftkv-bundle-'))
  try {
    const files: Record<string, number> = {}
    const add = async (name: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> => {
      files[name] = await writeLines(join(staging, name), lines, redact)
    }
    mkdirSync(join(staging, 'nodes'))
    for (const log of [...inputs.nodeLogs].sort((a, b) => a.id - b.id)) {
      await add(`nodes/${log.id}.log`, 'file' in log.source ? fileLines(log.source.file) : log.source.lines)
    }
    await add('events.ndjson', recordLines(inputs.events))
    await add('timeline.ndjson', recordLines(inputs.timeline))
    const workloads: string[] = []
    if (inputs.workloadsDir !== undefined && existsSync(inputs.workloadsDir)) {
      for (const runId of readdirSync(inputs.workloadsDir).sort()) {
        const runDir = join(inputs.workloadsDir, runId)
        if (!statSync(runDir).isDirectory()) continue
        workloads.push(runId)
        mkdirSync(join(staging, 'workloads', runId), { recursive: true })
        for (const name of ['history.ndjson', 'verdict.json']) {
          if (existsSync(join(runDir, name))) await add(`workloads/${runId}/${name}`, fileLines(join(runDir, name)))
        }
      }
    }
    const manifest = {
      ...(redact.value(inputs.manifest) as Record<string, unknown>),
      format: BUNDLE_FORMAT,
      exportedAt: new Date().toISOString(),
      workloads,
      /** Lines per file. */
      files,
    }
    await add('manifest.json', JSON.stringify(manifest, null, 2).split('\n'))
    mkdirSync(dirname(inputs.path), { recursive: true })
    const entries = ['manifest.json', 'nodes', 'events.ndjson', 'timeline.ndjson', ...(workloads.length > 0 ? ['workloads'] : [])]
    await tar.c({ gzip: true, file: inputs.path, cwd: staging, portable: true }, entries)
    return { path: inputs.path, bytes: statSync(inputs.path).size }
  } finally {
    rmSync(staging, { recursive: true, force: true })
  }
}

/** Writes the lines (redacted, one '\n' each) and returns how many there were. */
async function writeLines(path: string, lines: AsyncIterable<string> | Iterable<string>, redact: Redactor): Promise<number> {
  mkdirSync(dirname(path), { recursive: true })
  const out = createWriteStream(path)
  let count = 0
  try {
    for await (const line of lines) {
      count++
      if (!out.write(`${redact.text(line)}\n`)) await once(out, 'drain')
    }
  } finally {
    out.end()
    await once(out, 'close')
  }
  return count
}

async function* fileLines(path: string): AsyncIterable<string> {
  if (!existsSync(path)) return
  const rl = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  for await (const line of rl) yield line
}

async function* recordLines(source: RecordSource): AsyncIterable<string> {
  if ('file' in source) {
    for await (const line of fileLines(source.file)) if (line.trim() !== '') yield line
    return
  }
  for await (const record of source.records) yield JSON.stringify(record)
}
