#!/usr/bin/env node
// The TypeScript sources run directly: tsx compiles each module on first load (and caches it).
import { register } from 'tsx/esm/api'

register()
await import('../src/main.ts')
