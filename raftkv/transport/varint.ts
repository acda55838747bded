// Protobuf varints for the frames the transport encodes by hand (values up to 2^53:
// division, not 32-bit shifts).

/** Bytes the varint of n takes. */
export function varintLength(n: number): number {
  let len = 1
  while (n >= 0x80) {
    n = Math.floor(n / 0x80)
    len++
  }
  return len
}

/** Writes the varint of n at pos; returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n % 0x80) | 0x80
    n = Math.floor(n / 0x80)
  }
  out[pos++] = n
  return pos
}
