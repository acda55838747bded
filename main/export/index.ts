// main/export: the .tar.gz bundle of a session (see bundle.ts for its layout).
export { writeBundle, BUNDLE_FORMAT } from './bundle.js'
export type { BundleInputs, BundleResult, NodeLogSource, RecordSource } from './bundle.js'
export { Redactor, REDACTED } from './redact.js'
export { managerVersion, runtimeVersions } from './versions.js'
