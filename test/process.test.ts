import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, describe, it } from 'node:test'

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

interface Started {
  child: ChildProcess
  output: () => string
  exited: Promise<number | null>
}

async function startPortal(env: Record<string, string>): Promise<Started> {
  let output = ''
  const child = spawn(process.execPath, ['bin/ecitizen.js', 'start'], {
    env: { PATH: process.env.PATH, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const deadline = Date.now() + 60_000
  while (!output.includes('eCitizen is running')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`portal did not start:\n${output}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, output: () => output, exited }
}

/**
 * The home page, asked again while the portal sheds load: right after start-up on a busy machine the
 * event loop's measured delay still includes the start-up work, and a 503 with Retry-After is the
 * correct answer then.
 */
async function homePage(port: number): Promise<Response> {
  const deadline = Date.now() + 30_000
  for (;;) {
    const response = await fetch(`http://127.0.0.1:${port}/`)
    if (response.status !== 503 || Date.now() > deadline) return response
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

describe('the portal as a process (embedded database)', () => {
  const children: ChildProcess[] = []
  // A failed assertion must not leave a portal running: the test run would wait for it for ever.
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  })

  it('starts on an empty DATA_DIR with demo data, stops cleanly on SIGTERM, and keeps its data', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecitizen-data-'))
    const port = await freePort()
    const env = { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }

    const first = await startPortal(env)
    children.push(first.child)
    assert.match(first.output(), /migrations applied/)
    assert.match(first.output(), /demo data seeded/)
    const home = await homePage(port)
    assert.equal(home.status, 200)
    assert.match(await home.text(), /Department of Immigration Services/)

    first.child.kill('SIGTERM')
    assert.equal(await first.exited, 0)
    assert.match(first.output(), /"msg":"stopped"/)
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'no longer listening')

    // Second start: same data, nothing migrated or seeded again.
    const second = await startPortal(env)
    children.push(second.child)
    assert.doesNotMatch(second.output(), /migrations applied|demo data seeded/)
    assert.match(await (await homePage(port)).text(), /Department of Immigration Services/)
    second.child.kill('SIGTERM')
    assert.equal(await second.exited, 0)
    fs.rmSync(dataDir, { recursive: true, force: true })
  })
})
