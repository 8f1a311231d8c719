/**
 * Summarises a V8 CPU profile (node --cpu-prof; BENCH_PROFILE=dir npm run bench writes one for the
 * portal): where the samples landed, by package or source file and by function, self and total time.
 *   node --import tsx bench/profile-summary.ts DIR/CPU.….cpuprofile [top=25]
 */
import fs from 'node:fs'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}

const file = process.argv[2]
if (!file) {
  console.error('usage: profile-summary.ts FILE.cpuprofile [top]')
  process.exit(2)
}
const top = Number(process.argv[3] ?? 25)
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples?: number[] }
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
// Node's --cpu-prof lists the samples rather than counting hits on the nodes.
if (profile.samples?.length && !profile.nodes.some((node) => node.hitCount)) {
  for (const id of profile.samples) {
    const node = byId.get(id)
    if (node) node.hitCount = (node.hitCount ?? 0) + 1
  }
}
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
const total = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0)

/** node_modules/<package>, src/<path>, node:<module>, or the V8 pseudo-frames ((garbage collector), (idle)…). */
function placeOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native)'
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (modules) return modules[1]!
  if (url.startsWith('node:')) return url
  const source = /\/(src|bench|bin)\/(.*)$/.exec(url)
  return source ? `${source[1]}/${source[2]}` : url
}

const frameKey = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${placeOf(node.callFrame.url, node.callFrame.functionName)}:${node.callFrame.lineNumber + 1}`

const selfByPlace = new Map<string, number>()
const selfByFrame = new Map<string, number>()
const totalByFrame = new Map<string, number>()
for (const node of profile.nodes) {
  const hits = node.hitCount ?? 0
  if (!hits) continue
  const place = placeOf(node.callFrame.url, node.callFrame.functionName)
  selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + hits)
  selfByFrame.set(frameKey(node), (selfByFrame.get(frameKey(node)) ?? 0) + hits)
  // Inclusive: every distinct frame on the stack above this sample, once.
  const seen = new Set<string>()
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const key = frameKey(byId.get(id)!)
    if (seen.has(key)) continue
    seen.add(key)
    totalByFrame.set(key, (totalByFrame.get(key) ?? 0) + hits)
  }
}

const share = (hits: number) => `${((hits / total) * 100).toFixed(1).padStart(5)}%`
const print = (title: string, entries: Map<string, number>) => {
  console.log(`\n${title}`)
  for (const [key, hits] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${share(hits)}  ${key}`)
}
console.log(`${total} samples`)
print('self time by package or file', selfByPlace)
print('self time by function', selfByFrame)
print('total time by function (including callees)', totalByFrame)
