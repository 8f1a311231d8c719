/**
 * Account scenarios: signing in (bounded by argon2id by design) and a signed-in page (one indexed
 * session query). They sign the demo citizen in first, reading the code from the developer outbox.
 */
import os from 'node:os'
import { Algorithm, hash } from '@node-rs/argon2'
import { DEMO_ACCOUNTS } from '../src/modules/accounts/demo-accounts.js'
import type { Scenario } from './scenarios.js'

const demo = DEMO_ACCOUNTS[0]!

function cookiesOf(response: Response): string[] {
  return response.headers.getSetCookie().map((cookie) => cookie.split(';')[0]!)
}

function merge(jar: Map<string, string>, cookies: string[]): string {
  for (const cookie of cookies) {
    const [name, ...value] = cookie.split('=')
    jar.set(name!, value.join('='))
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
}

async function form(base: string, url: string, cookie: string, fields: Record<string, string>) {
  return fetch(`${base}${url}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  })
}

/** Sequential argon2id hashes at the portal's parameters: the time one sign-in must spend. */
async function hashSeconds(): Promise<number> {
  const runs = 20
  const start = performance.now()
  for (let i = 0; i < runs; i++) {
    await hash(`bench password ${i}`, { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 })
  }
  return (performance.now() - start) / 1000 / runs
}

export async function accountScenarios(base: string): Promise<Scenario[]> {
  const jar = new Map<string, string>()
  const page = await fetch(`${base}/sign-in`)
  let cookie = merge(jar, cookiesOf(page))
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1]
  if (!token) throw new Error('no sign-in form')
  const signInBody = new URLSearchParams({ _csrf: token, name: demo.idNumber!, password: demo.password }).toString()
  const signInCookie = cookie

  const first = await form(base, '/sign-in', cookie, { _csrf: token, name: demo.idNumber!, password: demo.password })
  if (first.status !== 303) throw new Error(`sign-in answered ${first.status}`)
  cookie = merge(jar, cookiesOf(first))
  const outbox = await (await fetch(`${base}/dev/outbox`)).text()
  const code = /sign-in code is (\d{6})/.exec(outbox)?.[1]
  if (!code) throw new Error('no sign-in code in the outbox')
  const second = await form(base, '/sign-in/code', cookie, { _csrf: token, code })
  if (second.headers.get('location') !== '/dashboard') throw new Error('the code was refused')
  cookie = merge(jar, cookiesOf(second))

  const ceiling = os.cpus().length / (await hashSeconds())
  return [
    { name: 'signed-in page /dashboard (session lookup)', path: '/dashboard', headers: { cookie } },
    {
      name: `sign-in POST (argon2id; ceiling ${ceiling.toFixed(0)}/s = cores ÷ one hash)`,
      path: '/sign-in',
      method: 'POST',
      headers: { cookie: signInCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: signInBody,
      expect: [303],
      ceiling,
    },
  ]
}
