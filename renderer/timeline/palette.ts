// Colours of the Timeline's charts: one per node (the same on every chart), one per
// fault lane. Canvas cannot read CSS variables, so the theme's are read once here.
import type { FaultLane } from './fault-bands'

const NODE_COLOURS = ['#2563eb', '#d97706', '#16a34a', '#9333ea', '#db2777', '#0891b2', '#65a30d', '#dc2626', '#475569']

export function nodeColour(id: number): string {
  return NODE_COLOURS[(id - 1) % NODE_COLOURS.length]!
}

export const LANE_COLOURS: Record<FaultLane, string> = {
  kill: '#dc2626',
  pause: '#7c3aed',
  partition: '#ea580c',
  'link faults': '#ca8a04',
}

export function themeColour(name: string, fallback: string): string {
  if (typeof getComputedStyle !== 'function') return fallback
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim()
  return v === '' ? fallback : v
}
