#!/usr/bin/env node
import os from 'node:os'

// Password hashing (argon2id) runs on libuv's thread pool. More threads than cores only makes the
// hashes fight over them: one thread a core hashes fastest. Set before anything uses the pool.
process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, os.availableParallelism()))

// The TypeScript sources run directly: tsx compiles each module on first load (and caches it).
const { register } = await import('tsx/esm/api')
register()
await import('../src/main.ts')
