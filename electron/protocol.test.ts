import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'

vi.mock('electron', () => ({ protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() } }))
const { appResponse, CONTENT_SECURITY_POLICY, contentTypeOf, resolveAppPath } = await import('./protocol.js')

const root = mkdtempSync(join(tmpdir(), 'raftkv-protocol-'))
mkdirSync(join(root, 'assets'))
writeFileSync(join(root, 'index.html'), '<!doctype html><title>x</title>')
writeFileSync(join(root, 'assets', 'index-abc.js'), 'console.log(1)')
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('app:// protocol', () => {
  it('resolves paths inside the renderer folder only', () => {
    expect(resolveAppPath(root, 'app://raftkv/')).toBe(join(root, 'index.html'))
    expect(resolveAppPath(root, 'app://raftkv/assets/index-abc.js?v=1#x')).toBe(join(root, 'assets', 'index-abc.js'))
    // Dot segments cannot climb out of the root, encoded or not.
    expect(resolveAppPath(root, 'app://raftkv/../../etc/passwd')).toBe(join(root, 'etc', 'passwd'))
    expect(resolveAppPath(root, 'app://raftkv/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc', 'passwd'))
    expect(resolveAppPath(root, 'app://raftkv/assets/%00.js')).toBeNull()
    expect(resolveAppPath(root, 'app://raftkv/%E0%A4%A')).toBeNull()
    expect(resolveAppPath(root, 'app://other/index.html')).toBeNull()
    expect(resolveAppPath(root, 'file:///etc/passwd')).toBeNull()
  })

  it('serves files with their type and the CSP header; anything else is a 404 with the CSP too', async () => {
    const ok = await appResponse(root, 'app://raftkv/index.html')
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    expect(ok.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await ok.text()).toContain('<title>x</title>')
    const js = await appResponse(root, 'app://raftkv/assets/index-abc.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    for (const url of ['app://raftkv/missing.js', 'app://evil/index.html']) {
      const missing = await appResponse(root, url)
      expect(missing.status).toBe(404)
      expect(missing.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY)
    }
    expect(contentTypeOf('x.unknown')).toBe('application/octet-stream')
  })

  it('the policy allows nothing inline, no eval and no other origin', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/)
      return [name!, values]
    }))
    expect(directives.get('default-src')).toEqual(["'none'"])
    expect(directives.get('script-src')).toEqual(["'self'"])
    expect(directives.get('style-src')).toEqual(["'self'"])
    expect(directives.get('connect-src')).toEqual(["'self'"])
    expect(directives.get('object-src')).toEqual(["'none'"])
    expect(directives.get('frame-ancestors')).toEqual(["'none'"])
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|\*|https?:|ws:/)
  })
})
