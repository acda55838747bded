// Draws the app icons from build/icon.svg with Debian's Chromium (playwright-core):
// build/icon.png (1024 px: macOS, Windows, the window) and build/icons/NxN.png (Linux).
// Run: npx tsx scripts/draw-icons.ts  (the PNGs are committed; rerun after editing the SVG).
import { readFileSync } from 'node:fs'
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'

const root = join(import.meta.dirname, '..')
const svg = readFileSync(join(root, 'build', 'icon.svg'), 'utf8')
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512]

const profile = await mkdtemp(join(tmpdir(), 'raftkv-icons-'))
const context = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
})
try {
  const page = await context.newPage()
  await mkdir(join(root, 'build', 'icons'), { recursive: true })
  const draw = async (size: number, path: string): Promise<void> => {
    await page.setViewportSize({ width: size, height: size })
    await page.setContent(`<!doctype html><html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`)
    await page.screenshot({ path, omitBackground: true, clip: { x: 0, y: 0, width: size, height: size } })
  }
  for (const size of LINUX_SIZES) await draw(size, join(root, 'build', 'icons', `${size}x${size}.png`))
  await draw(1024, join(root, 'build', 'icon.png'))
} finally {
  await context.close()
  await rm(profile, { recursive: true, force: true })
}
console.log(`drew build/icon.png (1024 px) and ${LINUX_SIZES.length} sizes into build/icons`)
