import { randomInt } from 'node:crypto'

/** No 0/O, 1/I/L: read aloud at a counter or typed from a phone screen, nothing is mistaken for another. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'
const SHAPE = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/

/** A new booking code: eight characters from 31 (about 40 bits), in two groups: `K7QM-3XPA`. */
export function newBookingCode(): string {
  let code = ''
  for (let i = 0; i < 8; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  return `${code.slice(0, 4)}-${code.slice(4)}`
}

/** A code as someone typed it (any case, with or without spaces or the dash) in the stored shape, or undefined. */
export function normaliseBookingCode(input: string): string | undefined {
  const plain = input.toUpperCase().replace(/[\s-]/g, '')
  if (plain.length !== 8) return undefined
  const code = `${plain.slice(0, 4)}-${plain.slice(4)}`
  return SHAPE.test(code) ? code : undefined
}
