// Mounting for the part-two views: the fake cluster with its extras (timeline, logs,
// workloads, checkHistory, export), a fresh Pinia, and uPlot's chart stubbed out
// (happy-dom has no canvas; the charts are tested in Chromium).
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Component } from 'vue'
import { installApi } from '../api'
import { useClusterStore } from '../stores/cluster'
import { addExtras, type FakeExtras } from './fake-extras'
import { createFakeCluster, type FakeCluster } from './fake-cluster'

export interface MountedExtras {
  wrapper: VueWrapper
  fake: FakeCluster
  extras: FakeExtras
  tick(n?: number): Promise<void>
}

export async function mountExtras(component: Component, options: { launched?: boolean; nodes?: number } = { launched: true }): Promise<MountedExtras> {
  const fake = createFakeCluster(options)
  const extras = addExtras(fake)
  installApi(fake.api)
  const pinia = createPinia()
  setActivePinia(pinia)
  useClusterStore().connect()
  const wrapper = mount(component, { global: { plugins: [pinia], stubs: { TimeChart: true } }, attachTo: document.body })
  const tick = async (n = 1): Promise<void> => {
    for (let i = 0; i < n; i++) fake.tick()
    await flushPromises()
  }
  await flushPromises()
  return { wrapper, fake, extras, tick }
}
