/** A run of a message's text, or a link within it. */
export type MessagePart = { text: string; href?: string }

/**
 * Splits a plain-text paragraph so that the portal's own addresses become links (as a path, so they
 * work whichever address the portal is reached by). Other addresses stay text: a message must never
 * turn into a way to send people elsewhere.
 */
export function linkParts(paragraph: string, publicUrl: string): MessagePart[] {
  const base = publicUrl.replace(/\/$/, '')
  const parts: MessagePart[] = []
  let rest = paragraph
  for (;;) {
    const at = rest.indexOf(`${base}/`)
    if (at < 0) break
    const end = at + (/^\S+/.exec(rest.slice(at))?.[0].replace(/[.,;:)]+$/, '').length ?? 0)
    if (at > 0) parts.push({ text: rest.slice(0, at) })
    const address = rest.slice(at, end)
    parts.push({ text: address, href: address.slice(base.length) })
    rest = rest.slice(end)
  }
  if (rest) parts.push({ text: rest })
  return parts
}
