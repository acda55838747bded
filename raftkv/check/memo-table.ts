// The search's memo of configurations already explored: (register state, 96-bit
// Zobrist hash of the set of linearized ops), kept in one open-addressing table of
// Int32Arrays instead of a Set of strings, so that a step allocates nothing.

const EMPTY = 0
const FULL = 1

export class MemoTable {
  private slots: Int32Array
  private used: Uint8Array
  private mask: number
  private count = 0

  constructor(initialCapacity = 1024) {
    let capacity = 16
    while (capacity < initialCapacity * 2) capacity *= 2
    this.slots = new Int32Array(capacity * 4)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
  }

  get size(): number {
    return this.count
  }

  /** Adds the configuration; false when it was already there. */
  add(state: number, h0: number, h1: number, h2: number): boolean {
    if (this.count * 2 >= this.used.length) this.grow()
    return this.insert(state, h0, h1, h2)
  }

  private insert(state: number, h0: number, h1: number, h2: number): boolean {
    const slots = this.slots
    const used = this.used
    let i = (Math.imul(h0 ^ state, 0x9e3779b1) >>> 0) & this.mask
    for (;;) {
      if (used[i] === EMPTY) {
        used[i] = FULL
        const at = i * 4
        slots[at] = state
        slots[at + 1] = h0
        slots[at + 2] = h1
        slots[at + 3] = h2
        this.count++
        return true
      }
      const at = i * 4
      if (slots[at] === state && slots[at + 1] === h0 && slots[at + 2] === h1 && slots[at + 3] === h2) return false
      i = (i + 1) & this.mask
    }
  }

  private grow(): void {
    const oldSlots = this.slots
    const oldUsed = this.used
    const capacity = oldUsed.length * 2
    this.slots = new Int32Array(capacity * 4)
    this.used = new Uint8Array(capacity)
    this.mask = capacity - 1
    this.count = 0
    for (let i = 0; i < oldUsed.length; i++) {
      if (oldUsed[i] === FULL) this.insert(oldSlots[i * 4]!, oldSlots[i * 4 + 1]!, oldSlots[i * 4 + 2]!, oldSlots[i * 4 + 3]!)
    }
  }
}
