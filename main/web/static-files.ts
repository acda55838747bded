// The static side of web mode: files of one folder (the built dashboard), never
// outside it, with a strict Content-Security-Policy on every answer.
import { createReadStream, existsSync, statSync } from 'node:fs'
import type { ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

/** No inline script or style, nothing from elsewhere; the page talks only to its own origin. */
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

/** The Content-Type of a dashboard file by its extension (the desktop app's app:// protocol uses it too). */
export function contentTypeOf(file: string): string {
  return TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
}

/** Headers every web-mode answer carries. */
export function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin')
}

const FALLBACK_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>RaftKV Manager</title></head>
<body><h1>RaftKV Manager</h1><p>The dashboard is not built (<code>npm run build</code>). The control API is served as JSON-RPC 2.0 over a WebSocket at <code>/control?token=…</code>.</p></body></html>
`

/** Answers GET pathname from dir (index.html for '/'); false when there is no such file. */
export function serveStatic(dir: string | undefined, pathname: string, res: ServerResponse): boolean {
  const root = dir === undefined ? undefined : resolve(dir)
  if (root === undefined || !existsSync(join(root, 'index.html'))) {
    if (pathname !== '/' && pathname !== '/index.html') return false
    res.writeHead(200, { 'Content-Type': TYPES['.html']!, 'Cache-Control': 'no-store' })
    res.end(FALLBACK_PAGE)
    return true
  }
  let relative: string
  try {
    relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname)
  } catch {
    return false
  }
  const file = resolve(root, `.${normalize(relative)}`)
  if (relative.includes('\0') || (file !== root && !file.startsWith(root + sep))) return false
  if (!existsSync(file) || !statSync(file).isFile()) return false
  res.writeHead(200, { 'Content-Type': contentTypeOf(file), 'Cache-Control': extname(file) === '.html' ? 'no-store' : 'max-age=3600' })
  createReadStream(file).pipe(res)
  return true
}
