import type { FastifyReply, FastifyRequest } from 'fastify'

/** For pages that need a person fully signed in (both factors): others are sent to sign in. */
export async function requireSignedIn(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.session?.stage !== 'signed-in') {
    await reply.redirect('/sign-in', 303)
  }
}
