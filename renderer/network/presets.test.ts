import { describe, expect, it } from 'vitest'
import { bridge, groupsOf, isolateLeader, majorityMinority } from './presets'

describe('partition presets', () => {
  it('isolates the leader from everyone else', () => {
    expect(isolateLeader([1, 2, 3, 4, 5], 3)).toEqual({ kind: 'groups', groups: [[3], [1, 2, 4, 5]] })
  })

  it('puts the leader in a minority so the majority must elect another', () => {
    expect(majorityMinority([1, 2, 3, 4, 5], 4)).toEqual({ kind: 'groups', groups: [[1, 4], [2, 3, 5]] })
    expect(majorityMinority([1, 2, 3], 2)).toEqual({ kind: 'groups', groups: [[2], [1, 3]] })
  })

  it('bridges two halves through one node that is not the leader', () => {
    expect(bridge([1, 2, 3, 4, 5], 1)).toEqual({ kind: 'cuts', bridge: 3, cuts: [[1, 4], [1, 5], [2, 4], [2, 5]] })
    expect(bridge([1, 2, 3, 4, 5], 3).kind === 'cuts' && bridge([1, 2, 3, 4, 5], 3)).toMatchObject({ bridge: 2 })
    expect(bridge([1, 2, 3], 1)).toEqual({ kind: 'cuts', bridge: 2, cuts: [[1, 3]] })
  })

  it('turns an assignment into groups, empty groups dropped', () => {
    expect(groupsOf(new Map([[3, 2], [1, 0], [2, 2]]))).toEqual([[1], [2, 3]])
  })
})
