// The renderer is served from app://raftkv/ (a privileged custom scheme) rather than
// file://: one origin the IPC sender check can name, and every response carries the
// Content-Security-Policy header. Paths resolve inside out/renderer only.
import { readFile } from 'node:fs/promises'
import { join, normalize, sep } from 'node:path'
import { protocol } from 'electron'
import { contentTypeOf } from '../main/index.js'

// One table of content types for the app:// protocol and web mode's HTTP server.
export { contentTypeOf }

export const APP_SCHEME = 'app'
export const APP_HOST = 'raftkv'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/** No inline script or style, no eval, nothing from elsewhere; the page talks only to main over IPC. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ')

/** The file under `rootDir` an app:// URL names, or null (other host, or a path that leaves rootDir). */
export function resolveAppPath(rootDir: string, url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null
  let path: string
  try {
    path = decodeURIComponent(u.pathname)
  } catch {
    return null
  }
  if (path.includes('\0')) return null
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^[/\\]+/, '')
  const file = join(rootDir, rel)
  return file.startsWith(normalize(rootDir) + sep) ? file : null
}


/** Must run before app 'ready'. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ])
}

export async function appResponse(rootDir: string, url: string): Promise<Response> {
  const file = resolveAppPath(rootDir, url)
  const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' }
  if (!file) return new Response('not found', { status: 404, headers })
  try {
    const body = await readFile(file)
    return new Response(body, { status: 200, headers: { ...headers, 'content-type': contentTypeOf(file) } })
  } catch {
    return new Response('not found', { status: 404, headers })
  }
}

/** Serves `rootDir` (out/renderer) on app://raftkv/. After app 'ready'. */
export function serveRenderer(rootDir: string): void {
  protocol.handle(APP_SCHEME, (request) => appResponse(rootDir, request.url))
}
