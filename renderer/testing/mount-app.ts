// Mounting helpers for component tests: a fresh Pinia and a fake cluster behind the API.
import { mount, flushPromises, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { Component } from 'vue'
import { installApi } from '../api'
import { createFakeCluster, type FakeCluster } from './fake-cluster'

export interface Mounted {
  wrapper: VueWrapper
  fake: FakeCluster
  /** Advance the fake cluster `n` status intervals and let Vue render. */
  tick(n?: number): Promise<void>
}

export async function mountWithFake(component: Component, options: { launched?: boolean; nodes?: number } = {}): Promise<Mounted> {
  const fake = createFakeCluster(options)
  installApi(fake.api)
  const pinia = createPinia()
  setActivePinia(pinia)
  const wrapper = mount(component, { global: { plugins: [pinia] }, attachTo: document.body })
  await flushPromises()
  return {
    wrapper,
    fake,
    async tick(n = 1) {
      for (let i = 0; i < n; i++) fake.tick()
      await flushPromises()
    },
  }
}

/** The element of the region (card, panel) whose accessible name is `name`. */
export function region(wrapper: VueWrapper, name: string): Element {
  for (const el of wrapper.element.ownerDocument.querySelectorAll('[role="region"], section[aria-labelledby]')) {
    const id = el.getAttribute('aria-labelledby')
    const label = id ? el.ownerDocument.getElementById(id)?.textContent?.trim() : el.getAttribute('aria-label')
    if (label === name) return el
  }
  throw new Error(`no region named ${name}`)
}

/** The button inside `root` whose text is exactly `name`. */
export function button(root: Element, name: string): HTMLButtonElement {
  const found = [...root.querySelectorAll('button')].find((b) => (b.getAttribute('aria-label') ?? b.textContent?.trim()) === name)
  if (found === undefined) throw new Error(`no button named ${name}`)
  return found
}
