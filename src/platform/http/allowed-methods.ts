import type { FastifyInstance } from 'fastify'
import Router from 'find-my-way'

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

/**
 * Fastify answers 404 for a known path asked with the wrong method; HTTP says 405 with an Allow
 * header. This keeps a copy of the route table (Fastify's own router) to tell the two apart.
 */
export function trackAllowedMethods(app: FastifyInstance): (url: string) => string[] {
  const router = Router()
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method]
    for (const method of methods) {
      if ((METHODS as readonly string[]).includes(method) && !router.hasRoute(method as 'GET', route.url)) {
        router.on(method as 'GET', route.url, () => {})
      }
    }
  })
  return (url) => {
    const path = url.split('?')[0] ?? '/'
    return METHODS.filter((method) => router.find(method, path) !== null)
  }
}
