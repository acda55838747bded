// A plain-text table with padded columns (numbers right-aligned), for terminals.
// (cli-table3 would draw borders; this is all `status` and `load` need.)

export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)))
  const numeric = headers.map((_, c) => rows.length > 0 && rows.every((r) => /^-?[\d.,]*$/.test(r[c] ?? '')))
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (numeric[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd()
  return [line(headers), ...rows.map(line)].join('\n') + '\n'
}
