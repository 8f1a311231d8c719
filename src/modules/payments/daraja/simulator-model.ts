/**
 * What the Daraja simulator keeps and exposes: prompts, the receipts it issued, its options and control
 * API, and the context its route files share. The routes live in simulator-*.ts; startSimulator in
 * simulator.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'

export type PromptOutcome = 'approved' | 'cancelled' | 'timeout' | 'insufficient' | 'wrong-pin'

export const OUTCOMES: Record<PromptOutcome, { code: number; desc: string }> = {
  approved: { code: 0, desc: 'The service request is processed successfully.' },
  insufficient: { code: 1, desc: 'The balance is insufficient for the transaction.' },
  cancelled: { code: 1032, desc: 'Request cancelled by user' },
  timeout: { code: 1037, desc: 'DS timeout user cannot be reached' },
  'wrong-pin': { code: 2001, desc: 'The initiator information is invalid.' },
}

export type TransactionType = 'CustomerPayBillOnline' | 'CustomerBuyGoodsOnline'

export interface SimulatedPrompt {
  checkoutRequestId: string
  merchantRequestId: string
  shortcode: string
  /** Who is paid: the shortcode itself for a paybill, the till for Buy Goods. */
  partyB: string
  transactionType: TransactionType
  phone: string
  amount: number
  accountReference: string
  description: string
  callbackUrl: string
  createdAt: Date
  result?: { code: number; desc: string; receipt?: string }
}

/** A payment M-Pesa completed: one line of the organisation's statement. */
export interface SimulatedTransaction {
  receipt: string
  /** stk: an approved prompt; c2b: paid from the phone menu (control.payBill or /mpesa/c2b/v1/simulate). */
  kind: 'stk' | 'c2b'
  transactionType: TransactionType
  /** The shortcode or till credited. */
  shortcode: string
  /** KES, as paid. */
  amount: number
  /** 12 digits, 2547… */
  phone: string
  /** The bill reference: AccountReference of a prompt, BillRefNumber of a C2B payment. */
  billReference: string
  at: Date
  checkoutRequestId?: string
}

/** Posts a JSON body to a URL and returns the JSON answer (the portal's ack). */
export type Deliver = (url: string, body: unknown) => Promise<unknown>

export interface SimulatorOptions {
  port?: number
  host?: string
  /** When given, OAuth and STK passwords are checked against them, as Daraja does. */
  consumerKey?: string
  consumerSecret?: string
  passkey?: string
  /** When given, a Transaction Status query with others gets ResultCode 2001, as M-Pesa answers. */
  initiatorName?: string
  securityCredential?: string
  /** How callbacks reach the portal; real HTTP by default. */
  deliver?: Deliver
  tokenSeconds?: number
}

/** How Daraja refuses a token: HTTP 401, HTTP 404 with 404.001.03, or a 400 naming the bearer token. */
export type TokenErrorStyle = '401' | '404.001.03' | '400'

export interface PayBillResult {
  transId: string
  accepted: boolean
  validation: unknown
  confirmation?: unknown
}

export interface SimulatorControl {
  prompts(): SimulatedPrompt[]
  pending(): SimulatedPrompt[]
  /** The person answers the prompt; `lose` keeps the callback from arriving, as happens in real life. */
  resolve(checkoutRequestId: string, outcome: PromptOutcome, options?: { lose?: boolean }): Promise<{ callback: unknown; answer: unknown }>
  payBill(payment: { phone: string; billReference: string; amount: number | string; shortcode?: string }): Promise<PayBillResult>
  /** The next `count` API requests fail: 503, or no answer at all (`hang`) until the caller gives up. */
  breakNext(count: number, mode?: 'error' | 'hang'): void
  /**
   * Every token issued so far stops working (refused in `style`), and the next `count` bearer requests
   * are refused in `style` whatever their token; a token fetched afterwards works once those are used.
   */
  tokenErrorsNext(count: number, style: TokenErrorStyle): void
  /** The receipts M-Pesa issued, oldest first: what it would confirm and put on the statement. */
  transactions(): SimulatedTransaction[]
  /** Resolves once the callbacks still being posted in the background have been answered. */
  settled(): Promise<void>
  readonly stats: { tokensIssued: number; requests: number; deliveryFailures: number }
}

export interface RunningSimulator {
  url: string
  control: SimulatorControl
  stop(): Promise<void>
}

export interface C2bRegistration {
  confirmation: string
  validation: string
  responseType: string
}

/** What the simulator's route files share. */
export interface SimulatorContext {
  app: FastifyInstance
  options: SimulatorOptions
  deliver: Deliver
  prompts: Map<string, SimulatedPrompt>
  registered: Map<string, C2bRegistration>
  /** By receipt. */
  transactions: Map<string, SimulatedTransaction>
  /** Daraja's error shape: `{requestId, errorCode, errorMessage}`. */
  fault(reply: FastifyReply, status: number, errorCode: string, errorMessage: string): FastifyReply
  /** Checks the bearer token; when false, the refusal has been sent. */
  authorised(request: FastifyRequest, reply: FastifyReply): boolean
  /** Runs after the answer has gone, as Daraja's callbacks do; failures are counted, never thrown. */
  later(task: () => Promise<unknown>): void
}

/** Daraja's answer to a request with a missing or wrong field. */
export const badRequest = (context: SimulatorContext, reply: FastifyReply, problem: string) =>
  context.fault(reply, 400, '400.002.02', `Bad Request - ${problem}`)

export const isUrl = (value: unknown): value is string => typeof value === 'string' && /^https?:\/\/\S+$/.test(value)

export const bodyOf = (request: FastifyRequest): Record<string, unknown> =>
  typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {}

/** A string or number made only of digits, e.g. a shortcode sent either way. */
export const digits = (value: unknown, pattern: RegExp): string | undefined =>
  (typeof value === 'string' || typeof value === 'number') && pattern.test(String(value)) ? String(value) : undefined
