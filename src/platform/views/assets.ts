import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import zlib from 'node:zlib'

/**
 * Static assets, fingerprinted: each file is served under a name carrying a hash of its content, so it
 * can be cached for a year and a new release is never masked by an old copy. The stylesheet is compiled
 * from govuk-frontend's Sass with our brand (colours, system font stack) and kept until its inputs change.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const SOURCES = path.join(ROOT, 'src/platform/views/assets')
const GOVUK = path.join(ROOT, 'node_modules/govuk-frontend')
export const ASSETS_DIR = path.join(ROOT, '.build/assets')

export type AssetManifest = Record<string, string>

/** Bump when the build itself changes (not only its inputs), so old builds are not reused. */
const BUILD_FORMAT = 2

function hash(content: string | Buffer, length = 12): string {
  return createHash('sha256').update(content).digest('hex').slice(0, length)
}

function fingerprinted(name: string, content: string | Buffer): string {
  const ext = path.extname(name)
  return `${path.basename(name, ext)}.${hash(content)}${ext}`
}

function writeAtomically(file: string, content: string | Buffer): void {
  const temp = `${file}.${process.pid}.${hash(String(Math.random()), 6)}.tmp`
  fs.writeFileSync(temp, content)
  fs.renameSync(temp, file)
}

function inputsKey(): string {
  const govukVersion = (JSON.parse(fs.readFileSync(path.join(GOVUK, 'package.json'), 'utf8')) as { version: string }).version
  const parts = fs
    .readdirSync(SOURCES)
    .sort()
    .map((file) => `${file}:${hash(fs.readFileSync(path.join(SOURCES, file)))}`)
  return hash([BUILD_FORMAT, govukVersion, ...parts].join('\n'))
}

/** Builds the assets when their inputs changed (or were never built) and returns the manifest. */
export async function buildAssets(outDir = ASSETS_DIR): Promise<AssetManifest> {
  const key = inputsKey()
  const manifestFile = path.join(outDir, `manifest.${key}.json`)
  if (fs.existsSync(manifestFile)) return JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as AssetManifest

  fs.mkdirSync(outDir, { recursive: true })
  const manifest: AssetManifest = {}
  const emit = (logical: string, content: string | Buffer) => {
    const name = fingerprinted(logical, content)
    writeAtomically(path.join(outDir, name), content)
    // Pre-compressed copies: slow mobile networks get the smallest bytes, at no cost per request.
    if (/\.(css|js|svg)$/.test(name)) {
      writeAtomically(path.join(outDir, `${name}.br`), zlib.brotliCompressSync(content))
      writeAtomically(path.join(outDir, `${name}.gz`), zlib.gzipSync(content, { level: 9 }))
    }
    manifest[logical] = name
  }

  // Loaded only when a build is needed: the compiler is large and most starts reuse the last build.
  const sass = await import('sass')
  const css = sass.compile(path.join(SOURCES, 'app.scss'), {
    loadPaths: [path.join(ROOT, 'node_modules')],
    style: 'compressed',
    quietDeps: true,
  }).css
  emit('app.css', css)
  emit('govuk-frontend.js', fs.readFileSync(path.join(GOVUK, 'dist/govuk/govuk-frontend.min.js')))
  const script = fs
    .readFileSync(path.join(SOURCES, 'app.js'), 'utf8')
    .replace('__GOVUK_FRONTEND__', `./${manifest['govuk-frontend.js']}`)
  emit('app.js', script)
  // Only the pages with a passkey ceremony load it (WebAuthn needs script; those pages work without it).
  emit('passkeys.js', fs.readFileSync(path.join(SOURCES, 'passkeys.js')))
  for (const file of fs.readdirSync(SOURCES).filter((f) => /\.(svg|ico|png)$/.test(f))) {
    emit(file, fs.readFileSync(path.join(SOURCES, file)))
  }
  writeAtomically(manifestFile, JSON.stringify(manifest, null, 2))
  return manifest
}
