// A stand-in for a module that loads the real one on first use. The node bundle
// (scripts/build-node.mjs) puts one in place of built-ins that packages require at load
// time but a node never touches, so that Node does not compile them at every start.
export function lazyModule<T extends object>(load: () => T): T {
  let real: T | undefined
  const target = (): T => (real ??= load())
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(target(), key),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const d = Reflect.getOwnPropertyDescriptor(target(), key)
      // The proxy's own target is empty: a descriptor it reports must be configurable.
      if (d) d.configurable = true
      return d
    },
  })
}
