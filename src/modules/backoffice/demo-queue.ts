import { DEMO_ACCOUNTS } from '../accounts/demo-accounts.js'
import { statusRecorder } from '../applications/status.js'
import { insertApplication, type Executor } from '../applications/store.js'
import { creditIn } from '../payments/credit.js'
import { raiseInvoiceFor } from '../payments/invoices.js'
import { SeededRandom } from '../registry/random.js'
import type { ServiceCatalogue } from '../services/catalogue.js'
import { newReference } from '../services/reference.js'
import { sampleAnswers } from '../services/sample-answers.js'

const SERVICE = 'certificate-of-good-conduct'
/** How many paid applications wait in DCI's demo queue. */
export const DEMO_QUEUE_SIZE = 4

/**
 * Demo history is written, not lived: its messages go to the outbox (readable at /dev/outbox) but no
 * delivery job is queued, so seeding never emails or texts anyone.
 */
const NO_DELIVERY = { enqueue: async () => null, enqueueMany: async () => {} }

/**
 * A few certificate-of-good-conduct applications by the demo citizens, paid with M-Pesa and so
 * submitted to DCI, for the demo back-office queue. They go through the real code: the invoice is
 * raised and the payment credited by the payments module, which submits each one (timeline, ledger,
 * receipt). The same references and receipts every time: what is there already is left alone.
 */
export async function seedDemoQueue(trx: Executor, catalogue: ServiceCatalogue, publicUrl: string): Promise<number> {
  const definition = catalogue.latest(SERVICE)
  if (!definition) return 0
  const emails = DEMO_ACCOUNTS.filter((account) => account.role === 'citizen' && account.kind !== 'visitor').map((account) => account.email)
  const people = await trx.selectFrom('accounts').select(['id', 'first_name', 'last_name']).where('email', 'in', emails).orderBy('email').execute()
  if (people.length === 0) return 0
  const random = new SeededRandom(2041)
  const recordStatusChange = statusRecorder({ catalogue, jobs: NO_DELIVERY, publicUrl })
  let added = 0
  for (let i = 0; i < DEMO_QUEUE_SIZE; i++) {
    const reference = newReference('DCI', (max) => random.int(0, max - 1))
    const person = people[i % people.length]!
    const exists = await trx.selectFrom('applications').select('id').where('reference', '=', reference).executeTakeFirst()
    if (exists) continue
    const application = await insertApplication(trx, {
      reference,
      account_id: person.id,
      party_kind: 'self',
      party_id: null,
      party_name: `${person.first_name} ${person.last_name}`,
      service_slug: definition.slug,
      agency_code: definition.agency,
      definition_version: definition.version,
      answers: JSON.stringify({ ...sampleAnswers(definition, { seed: i + 1 }), surname: person.last_name, otherNames: person.first_name }),
      current_page: null,
      status: 'awaiting-payment',
      declaration_accepted_at: new Date(),
    })
    const invoice = await raiseInvoiceFor(trx, catalogue, application)
    await creditIn(trx, { catalogue, recordStatusChange, jobs: NO_DELIVERY, publicUrl }, {
      source: 'c2b',
      receipt: `DEMODCI00${i + 1}`,
      amountCents: invoice.totalCents,
      currency: 'KES',
      paidAt: new Date(),
      billReference: invoice.billReference,
      raw: { demo: true },
    })
    added++
  }
  return added
}
