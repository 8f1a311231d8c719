import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { DemoRegistry } from './demo-population.js'

/**
 * A registry HTTP API for tests (docs/REGISTRY-API.md), answering from demo data held in memory, on
 * 127.0.0.1 and a port of the system's choosing. `misbehave` may take over any request first, to play
 * a registry that is down, slow or wrong.
 */
export interface FakeRegistry {
  baseUrl: string
  token: string
  requests: { path: string; authorization: string | undefined; accept: string | undefined }[]
  close(): Promise<void>
}

export type Misbehaviour = (path: string, response: http.ServerResponse) => boolean

const PREFIX = '/api/v1/'

export async function startFakeRegistry(data: DemoRegistry, misbehave: Misbehaviour = () => false): Promise<FakeRegistry> {
  const token = 'test-registry-token'
  const requests: FakeRegistry['requests'] = []
  const byId = new Map(data.people.filter((p) => p.idNumber).map((p) => [p.idNumber, p]))
  const byCertificate = new Map(data.people.filter((p) => p.birthCertificateNumber).map((p) => [p.birthCertificateNumber, p]))
  const byNumber = new Map(data.businesses.map((b) => [b.registrationNumber, b]))

  const answer = (path: string): unknown => {
    const parts = path.slice(PREFIX.length).split('/').map(decodeURIComponent)
    const [collection, key = '', sub] = parts
    if (parts.length > 3) return undefined
    if (collection === 'people' && sub === undefined) return byId.get(key)
    if (collection === 'people' && sub === 'children') {
      // As the contract allows, every linked child, grown up or not: the client keeps the under-18s.
      return byId.has(key) ? { children: data.people.filter((p) => p.parentIdNumber === key) } : undefined
    }
    if (collection === 'birth-certificates' && sub === undefined) return byCertificate.get(key)
    if (collection === 'businesses' && sub === undefined) return byNumber.get(key)
    if (collection === 'directors' && sub === 'businesses') {
      return { businesses: data.businesses.filter((b) => b.directorIdNumbers.includes(key)) }
    }
    return undefined
  }

  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://fake').pathname
    requests.push({ path, authorization: request.headers.authorization, accept: request.headers.accept })
    if (misbehave(path, response)) return
    const json = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (request.headers.authorization !== `Bearer ${token}`) return json(401, { error: 'unauthorized' })
    const body = request.method === 'GET' && path.startsWith(PREFIX) ? answer(path) : undefined
    return body === undefined ? json(404, { error: 'not_found' }) : json(200, body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}${PREFIX}`,
    token,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Requests left hanging on purpose (timeouts) would otherwise keep the server open for ever.
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
