/**
 * Messages about payments, in English and Kiswahili; included by templates.ts. The receipt message
 * carries our receipt number (checkable at /verify) beside M-Pesa's. GSM characters only.
 */
export const PAYMENT_TEMPLATES = {
  'payment-received': {
    en: {
      subject: 'Payment received: {amount} for bill {bill}',
      text: 'We received {amount} for bill {bill} (M-Pesa {mpesa}). Receipt {receipt}. Still to pay: {balance}. Details: {link}',
    },
    sw: {
      subject: 'Malipo yamepokelewa: {amount} kwa bili {bill}',
      text: 'Tumepokea {amount} kwa bili {bill} (M-Pesa {mpesa}). Risiti {receipt}. Kiasi kilichobaki: {balance}. Maelezo: {link}',
    },
  },
  'payment-refunded': {
    en: {
      subject: 'Refund of {amount} for bill {bill}',
      text: 'A refund of {amount} for bill {bill} has been approved: {reason}. It will be sent to the number that paid. Details: {link}',
    },
    sw: {
      subject: 'Kurejeshewa {amount} kwa bili {bill}',
      text: 'Kurejeshewa {amount} kwa bili {bill} kumeidhinishwa: {reason}. Pesa zitatumwa kwa nambari iliyolipa. Maelezo: {link}',
    },
  },
} as const
