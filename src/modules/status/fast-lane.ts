import { createHash } from 'node:crypto'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { FastAnswer, FastLane, LaneRequest } from '../../platform/http/fast-lane.js'
import { isLanguage } from '../../platform/i18n/i18n.js'
import { LANGUAGE_COOKIE, languageOf } from '../../platform/views/views.js'
import type { StatusBoard, StatusSnapshot } from './board.js'

/** One way of sending an answer: its headers as a flat name, value list (what writeHead takes fastest). */
interface Variant {
  headers: string[]
  body?: Buffer
}

/**
 * One public status answer as the normal route sent it to an anonymous visitor: its headers and bytes,
 * ready to send as they are: uncompressed, compressed, and as not modified.
 */
interface KeptAnswer {
  headers: Record<string, string>
  body: Buffer
  etag: string
  plain: Variant
  br: Variant
  gzip: Variant
  notModified: Variant
}

type Kind = 'page' | 'json' | 'feed'

/** Per request, not per answer: the normal path's own values for these are worked out afresh. */
const NOT_KEPT = new Set(['x-request-id', 'set-cookie', 'content-length', 'date', 'connection', 'transfer-encoding'])

/**
 * The three answers depend on nothing but the snapshot, the language and (the page) whether the
 * snapshot is stale. Kept in the snapshot's own memo, so they go when the snapshot does.
 */
export function keyFor(kind: Kind, lang = '', stale = false): string {
  return kind === 'json' ? 'fast:json' : kind === 'feed' ? `fast:feed:${lang}` : `fast:page:${lang}:${stale}`
}

/**
 * Keeps what the normal route is about to send (its onSend hook) for the fast lane to serve. Only
 * answers that any anonymous visitor would get: the route decides that and passes the key.
 */
export class KeptAnswers {
  /** The last answer kept under each key: the board reads every few seconds, mostly to find no change. */
  readonly #latest = new Map<string, KeptAnswer>()

  keep(snapshot: StatusSnapshot, key: string, reply: FastifyReply, payload: unknown): void {
    if (reply.statusCode !== 200 || typeof payload !== 'string' || snapshot.memo.has(key)) return
    const headers: Record<string, string> = {}
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (!NOT_KEPT.has(name) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : String(value)
    }
    const body = Buffer.from(payload)
    const previous = this.#latest.get(key)
    // Unchanged since the last snapshot: the same compressed bytes and ETag (a 304 stays a 304).
    if (previous && previous.body.equals(body) && sameHeaders(previous.headers, headers)) {
      snapshot.memo.set(key, previous)
      return
    }
    const etag = `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`
    // Every answer varies by Accept-Encoding, compressed or not.
    const common = [...Object.entries(headers).flat(), 'etag', etag, 'vary', 'Accept-Encoding']
    const variant = (bytes: Buffer, encoding?: string): Variant => ({
      headers: [...common, ...(encoding ? ['content-encoding', encoding] : []), 'content-length', String(bytes.length)],
      body: bytes,
    })
    // Compressed at once, at a middling level (about a millisecond for the page): until compressed
    // bytes exist, a flood would be sent the page uncompressed, ten times the bytes.
    const answer: KeptAnswer = {
      headers,
      body,
      etag,
      plain: variant(body),
      notModified: { headers: common },
      br: variant(brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }), 'br'),
      gzip: variant(gzipSync(body, { level: 6 }), 'gzip'),
    }
    snapshot.memo.set(key, answer)
    this.#latest.set(key, answer)
  }
}

function sameHeaders(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a)
  return names.length === Object.keys(b).length && names.every((name) => a[name] === b[name])
}

/** Accept-Encoding values as browsers send them, few and repeated: each is read once. */
const accepted = new Map<string, { br: boolean; gzip: boolean }>()

/** br, else gzip, else none: the first the client accepts (a q of 0 refuses). */
function variantFor(header: string | string[] | undefined, answer: KeptAnswer): Variant {
  if (typeof header !== 'string') return answer.plain
  let accepts = accepted.get(header)
  if (!accepts) {
    accepts = { br: false, gzip: false }
    for (const part of header.split(',')) {
      const [name = '', ...params] = part.trim().split(';')
      const refused = params.some((param) => /^\s*q=0(\.0*)?\s*$/.test(param))
      const token = name.trim().toLowerCase()
      if (token === 'br' || token === '*') accepts.br ||= !refused
      if (token === 'gzip' || token === '*') accepts.gzip ||= !refused
    }
    if (accepted.size >= 100) accepted.clear()
    accepted.set(header, accepts)
  }
  return accepts.br ? answer.br : accepts.gzip ? answer.gzip : answer.plain
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  // Weak comparison (RFC 9110 13.1.2), as a conditional GET uses.
  const opaque = etag.slice(2)
  return ifNoneMatch.split(',').some((tag) => {
    const given = tag.trim()
    return given === '*' || given === etag || given === opaque
  })
}

/** The paths the lane answers, and which answer each is. */
export const FAST_PATHS: Record<string, Kind> = { '/status': 'page', '/status.json': 'json', '/status/feed.atom': 'feed' }

/**
 * The status answers an anonymous visitor gets, served from the bytes the normal route last sent for
 * the same snapshot, language and staleness: the same body and headers (security headers and CSP,
 * Content-Language, Cache-Control), plus an ETag and, when the client accepts it, compression.
 * Anything else takes the normal way, which also fills what this serves: a signed-in visitor (their
 * own header), a ?lang= choice not yet remembered in the cookie (the normal way sets it), other query
 * parameters, or nothing kept yet for this snapshot.
 */
export function statusFastLane(deps: { board: StatusBoard; isStale: (snapshot: StatusSnapshot) => boolean; sessionCookie: string }): FastLane {
  return (request: LaneRequest): FastAnswer | undefined => {
    const kind = FAST_PATHS[request.url.split('?', 1)[0]!]
    if (!kind) return undefined
    const { query, cookies } = request
    for (const name in query) if (name !== 'lang') return undefined
    if (isLanguage(query.lang) && cookies[LANGUAGE_COOKIE] !== query.lang) return undefined
    if (kind === 'page' && cookies[deps.sessionCookie] !== undefined) return undefined
    const snapshot = deps.board.peek()
    if (!snapshot) return undefined
    // The normal way's own choice of language (?lang=, the cookie, Accept-Language), which reads only
    // these three fields of the request.
    const lang = languageOf(request as unknown as FastifyRequest)
    const answer = snapshot.memo.get(keyFor(kind, lang, kind === 'page' && deps.isStale(snapshot))) as KeptAnswer | undefined
    if (!answer) return undefined
    if (matches(request.headers['if-none-match'], answer.etag)) return { status: 304, ...answer.notModified }
    return { status: 200, ...variantFor(request.headers['accept-encoding'], answer) }
  }
}
