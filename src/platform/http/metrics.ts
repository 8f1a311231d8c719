import type { FastifyInstance } from 'fastify'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { allow } from '../access/access.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's registry: modules add their own gauges (payments' gateway health, for one). */
    metricsRegistry: Registry
  }
}

/**
 * Prometheus metrics. Each app has its own registry (tests build many apps in one process). Routes are
 * labelled by their pattern, never the raw URL, so the number of series stays bounded.
 */
export function registerMetrics(app: FastifyInstance, queueDepth: () => Promise<number>): Registry {
  const registry = new Registry()
  app.decorate('metricsRegistry', registry)
  // Includes nodejs_eventloop_lag_seconds and its percentiles.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 })

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  new Gauge({
    name: 'job_queue_depth',
    help: 'Background jobs waiting to run (created or awaiting retry)',
    registers: [registry],
    async collect() {
      try {
        this.set(await queueDepth())
      } catch {
        // The database being away shows in /readyz; the metric keeps its last value.
      }
    },
  })

  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    }
    requests.inc(labels)
    duration.observe(labels, reply.elapsedTime / 1000)
    done()
  })

  app.get('/metrics', allow('public', { rateLimit: false }), async (_request, reply) => {
    reply.type(registry.contentType).header('Cache-Control', 'no-store')
    return registry.metrics()
  })
  return registry
}
