import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  amountToCents, darajaPhone, darajaTimestamp, MalformedCallback, parseDarajaTimestamp, readC2bPayment, readStkCallback, readTransactionStatusResult, resultMessageKey,
  stkPassword,
} from './protocol.js'

const SUCCESS = {
  Body: {
    stkCallback: {
      MerchantRequestID: '96657-188398728-1',
      CheckoutRequestID: 'ws_CO_10122023133400273768130105',
      ResultCode: 0,
      ResultDesc: 'The service request is processed successfully.',
      CallbackMetadata: {
        Item: [
          { Name: 'Amount', Value: 1 },
          { Name: 'MpesaReceiptNumber', Value: 'RLA0R69NXM' },
          { Name: 'Balance' },
          { Name: 'TransactionDate', Value: 20231210133416 },
          { Name: 'PhoneNumber', Value: 254768130105 },
        ],
      },
    },
  },
}

const C2B = {
  TransactionType: '', TransID: 'LGR219G3EY', TransTime: '20170727104247', TransAmount: '10.00', BusinessShortCode: '600134',
  BillRefNumber: 'xyz', InvoiceNumber: '', OrgAccountBalance: '49197.00', ThirdPartyTransID: '1234567890', MSISDN: '254708374149',
  FirstName: 'John', MiddleName: 'Doe', LastName: '',
}

const STATUS = {
  Result: {
    ResultType: 0,
    ResultCode: 0,
    ResultDesc: 'The service request is processed successfully.',
    OriginatorConversationID: '6618-1387084-1',
    ConversationID: 'AG_20231210_00004e1e2c7d4fc0a1b2',
    TransactionID: 'RLA0R69NXM',
    ResultParameters: {
      ResultParameter: [
        { Key: 'DebitPartyName', Value: '254712345678 - John Doe' },
        { Key: 'CreditPartyName', Value: '600000 - Org' },
        { Key: 'ReceiptNo', Value: 'RLA0R69NXM' },
        { Key: 'TransactionStatus', Value: 'Completed' },
        { Key: 'FinalisedTime', Value: 20231210133416 },
        { Key: 'Amount', Value: 100 },
        { Key: 'ReasonType', Value: 'Pay Bill Online' },
      ],
    },
    ReferenceData: { ReferenceItem: { Key: 'Occasion', Value: 'Reconciliation' } },
  },
}

describe('the Daraja protocol', () => {
  it("computes the reference document's STK password exactly", () => {
    assert.equal(
      stkPassword('174379', 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919', '20160216165627'),
      'MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMTYwMjE2MTY1NjI3',
    )
  })

  it('writes timestamps in Nairobi time and reads them back', () => {
    assert.equal(darajaTimestamp(new Date('2016-02-16T13:56:27Z')), '20160216165627')
    assert.equal(darajaTimestamp(new Date('2023-12-31T22:00:00Z')), '20240101010000')
    assert.equal(parseDarajaTimestamp(20231210133416)?.toISOString(), '2023-12-10T10:34:16.000Z')
    assert.equal(parseDarajaTimestamp('20230230120000'), undefined)
    assert.equal(parseDarajaTimestamp('2023'), undefined)
  })

  it('turns amounts into cents without floating point', () => {
    assert.equal(amountToCents('10.00'), 1000)
    assert.equal(amountToCents('1050.5'), 105050)
    assert.equal(amountToCents(1), 100)
    assert.equal(amountToCents('0.29'), 29)
    for (const bad of ['-1', '1e3', '10.001', '', 'ten', Number.NaN]) assert.equal(amountToCents(bad), undefined, String(bad))
  })

  it('takes Kenyan mobiles only for a prompt', () => {
    assert.equal(darajaPhone('+254712345678'), '254712345678')
    assert.equal(darajaPhone('+254112345678'), '254112345678')
    assert.equal(darajaPhone('+254212345678'), undefined)
    assert.equal(darajaPhone('+447700900123'), undefined)
  })

  it('reads a successful STK result by item name', () => {
    const result = readStkCallback(SUCCESS)
    assert.equal(result.checkoutRequestId, 'ws_CO_10122023133400273768130105')
    assert.deepEqual(result.paid, { amountCents: 100, receipt: 'RLA0R69NXM', paidAt: new Date('2023-12-10T10:34:16Z'), phone: '+254768130105' })
    // Order does not matter.
    const shuffled = structuredClone(SUCCESS)
    shuffled.Body.stkCallback.CallbackMetadata.Item.reverse()
    assert.deepEqual(readStkCallback(shuffled), result)
  })

  it('reads a failed STK result without metadata', () => {
    const result = readStkCallback({ Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'c', ResultCode: 1032, ResultDesc: 'Request cancelled by user' } } })
    assert.equal(result.resultCode, 1032)
    assert.equal(result.paid, undefined)
  })

  const broken: [string, (body: typeof SUCCESS) => unknown][] = [
    ['no Body', () => ({})],
    ['an array', () => []],
    ['ResultCode as a string', (b) => ((b.Body.stkCallback as Record<string, unknown>).ResultCode = '0', b)],
    ['no CheckoutRequestID', (b) => ((b.Body.stkCallback as Record<string, unknown>).CheckoutRequestID = undefined, b)],
    ['success without metadata', (b) => ((b.Body.stkCallback as Record<string, unknown>).CallbackMetadata = undefined, b)],
    ['no receipt', (b) => (b.Body.stkCallback.CallbackMetadata.Item.splice(1, 1), b)],
    ['two amounts', (b) => (b.Body.stkCallback.CallbackMetadata.Item.push({ Name: 'Amount', Value: 1000 }), b)],
    ['amount as a string', (b) => ((b.Body.stkCallback.CallbackMetadata.Item[0] as { Value: unknown }).Value = '1', b)],
    ['a negative amount', (b) => ((b.Body.stkCallback.CallbackMetadata.Item[0] as { Value: unknown }).Value = -5, b)],
    ['date as a string', (b) => ((b.Body.stkCallback.CallbackMetadata.Item[3] as { Value: unknown }).Value = '20231210133416', b)],
  ]
  for (const [what, spoil] of broken) {
    it(`refuses an STK result with ${what}`, () => {
      assert.throws(() => readStkCallback(spoil(structuredClone(SUCCESS))), MalformedCallback)
    })
  }

  it('reads a C2B payment and compacts the bill reference', () => {
    const payment = readC2bPayment({ ...C2B, BillRefNumber: ' dis-7k4m 9qx3 ' })
    assert.equal(payment.transId, 'LGR219G3EY')
    assert.equal(payment.amountCents, 1000)
    assert.equal(payment.billReference, 'DIS7K4M9QX3')
    assert.equal(payment.phone, '+254708374149')
    assert.equal(payment.transTime.toISOString(), '2017-07-27T07:42:47.000Z')
    assert.equal(readC2bPayment({ ...C2B, MSISDN: '2547 ***** 149' }).phone, undefined)
    for (const spoil of [{ TransID: '' }, { TransAmount: 10 }, { TransAmount: '-1' }, { TransTime: 'yesterday' }, { BusinessShortCode: undefined }]) {
      assert.throws(() => readC2bPayment({ ...C2B, ...spoil }), MalformedCallback, JSON.stringify(spoil))
    }
  })

  it('explains the result codes a person can act on', () => {
    assert.equal(resultMessageKey(1032), 'mpesa.results.r1032')
    assert.equal(resultMessageKey(17), 'mpesa.results.other')
    assert.equal(resultMessageKey(null), 'mpesa.results.other')
  })

  it('reads a Transaction Status result by parameter key', () => {
    const expected = {
      originatorConversationId: '6618-1387084-1', conversationId: 'AG_20231210_00004e1e2c7d4fc0a1b2', resultCode: 0,
      resultDesc: 'The service request is processed successfully.', receipt: 'RLA0R69NXM', amountCents: 10000, status: 'Completed', debitParty: '254712345678 - John Doe',
    }
    assert.deepEqual(readTransactionStatusResult(STATUS), expected)
    const shuffled = structuredClone(STATUS)
    shuffled.Result.ResultParameters.ResultParameter.reverse()
    assert.deepEqual(readTransactionStatusResult(shuffled), expected)
    const stringAmount = structuredClone(STATUS)
    ;(stringAmount.Result.ResultParameters.ResultParameter[5] as { Value: unknown }).Value = '100.50'
    assert.equal(readTransactionStatusResult(stringAmount).amountCents, 10050)
  })

  it('reads a Transaction Status failure without parameters', () => {
    const failure = { Result: { ResultType: 0, ResultCode: 2001, ResultDesc: 'The initiator information is invalid.', OriginatorConversationID: 'o', ConversationID: 'c', TransactionID: 'X', ReferenceData: { ReferenceItem: { Key: 'Occasion', Value: 'x' } } } }
    assert.deepEqual(readTransactionStatusResult(failure), { originatorConversationId: 'o', conversationId: 'c', resultCode: 2001, resultDesc: 'The initiator information is invalid.' })
  })

  const parameter = (b: typeof STATUS, key: string) => b.Result.ResultParameters.ResultParameter.find((p) => p.Key === key) as { Key: string; Value: unknown }
  const brokenStatus: [string, (body: typeof STATUS) => unknown][] = [
    ['no Result', () => ({ Body: {} })],
    ['ResultCode as a string', (b) => ((b.Result as Record<string, unknown>).ResultCode = '0', b)],
    ['no ConversationID', (b) => ((b.Result as Record<string, unknown>).ConversationID = undefined, b)],
    ['success without parameters', (b) => ((b.Result as Record<string, unknown>).ResultParameters = undefined, b)],
    ['parameters that are not a list', (b) => ((b.Result.ResultParameters as Record<string, unknown>).ResultParameter = 'ReceiptNo', b)],
    ['no receipt', (b) => (b.Result.ResultParameters.ResultParameter = b.Result.ResultParameters.ResultParameter.filter((p) => p.Key !== 'ReceiptNo'), b)],
    ['two receipts', (b) => (b.Result.ResultParameters.ResultParameter.push({ Key: 'ReceiptNo', Value: 'OTHER12345' }), b)],
    ['a parameter without a Key', (b) => ((b.Result.ResultParameters.ResultParameter as unknown[]).push({ Value: 1 }), b)],
    ['a receipt that is not a receipt', (b) => ((parameter(b, 'ReceiptNo').Value = 'rla0 r69'), b)],
    ['a zero amount', (b) => ((parameter(b, 'Amount').Value = 0), b)],
    ['a negative amount', (b) => ((parameter(b, 'Amount').Value = -100), b)],
    ['no TransactionStatus', (b) => ((parameter(b, 'TransactionStatus').Value = undefined), b)],
  ]
  for (const [what, spoil] of brokenStatus) {
    it(`refuses a Transaction Status result with ${what}`, () => {
      assert.throws(() => readTransactionStatusResult(spoil(structuredClone(STATUS))), MalformedCallback)
    })
  }
})
