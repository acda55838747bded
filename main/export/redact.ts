// Secrets never leave in a bundle: every occurrence of a secret string is replaced,
// and in objects any field named like a credential is replaced whatever it holds.
export const REDACTED = '[redacted]'

const SECRET_FIELDS = /^(token|clusterToken|sessionToken|authorization|password|secret)$/i

export class Redactor {
  private readonly secrets: string[]

  constructor(secrets: readonly string[]) {
    // Longest first, so that a secret containing another is replaced whole.
    this.secrets = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length)
  }

  text(value: string): string {
    let out = value
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED)
    return out
  }

  /** A deep copy with secret fields and secret substrings replaced. */
  value(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value)
    if (Array.isArray(value)) return value.map((v) => this.value(v))
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), SECRET_FIELDS.test(k) && v !== null && v !== undefined ? REDACTED : this.value(v)]))
    }
    return value
  }
}
