/** Tests only: an incident form as an admin fills it in, for the status module's tests. */
export const PAYMENTS_INCIDENT = {
  components: ['payments-prompt'],
  impact: 'major-outage',
  titleEn: 'M-Pesa prompts delayed',
  titleSw: 'Maombi ya M-Pesa yamechelewa',
  messageEn: 'Prompts are not reaching phones.',
  messageSw: 'Maombi hayafiki kwenye simu.',
}
