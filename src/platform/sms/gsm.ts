/**
 * The GSM 03.38 alphabet. A text written only in it costs one 160-character SMS part; one character
 * outside it (a curly quote, an emoji) turns the whole message into UCS-2 with 70 characters a part.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
/** Characters of the extension table: each takes two places (an escape and the character). */
const EXTENDED = '^{}\\[~]|€\f'

const basic = new Set(BASIC)
const extended = new Set(EXTENDED)

/** How many GSM 7-bit places the text takes, or undefined when it cannot be written in that alphabet. */
export function gsmLength(text: string): number | undefined {
  let length = 0
  for (const character of text) {
    if (basic.has(character)) length += 1
    else if (extended.has(character)) length += 2
    else return undefined
  }
  return length
}

/** The most a single-part SMS holds in the GSM alphabet. */
export const SINGLE_SMS_LENGTH = 160
