// The baseline: a bare Fastify answering "hello world", run in its own process like the portal.
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/', async () => 'hello world')
const port = Number(process.env.PORT ?? 3999)
await app.listen({ host: '127.0.0.1', port })
process.stdout.write(`listening on ${port}\n`)
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
