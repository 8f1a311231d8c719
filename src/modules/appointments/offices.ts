import type { Insertable } from 'kysely'
import type { Db } from '../../platform/db/database.js'
import type { OfficesTable } from './tables.js'

/**
 * Offices from public knowledge (names, towns); which agencies have a desk at each Huduma Centre, and
 * all capacities, are demo values. An office's code is the value a definition offers for the question
 * that names it (`fingerprintCentre` of the police clearance, `passportOffice` of the passport), so an
 * answer names an office and the booking pages can pre-select it. Passports are issued at Nyayo House
 * and the immigration regional offices, the collection points the passport definition offers; the
 * Huduma Centres take fingerprints for DCI but have no passport desk here.
 */
export const DEMO_OFFICES: Insertable<OfficesTable>[] = [
  { code: 'nyayo-house', name_en: 'Nyayo House', name_sw: 'Nyayo House', county: 'Nairobi', address: 'Kenyatta Avenue and Uhuru Highway, Nairobi', agencies: ['DIS'] },
  { code: 'immigration-mombasa', name_en: 'Immigration regional office, Mombasa', name_sw: 'Ofisi ya kanda ya Uhamiaji, Mombasa', county: 'Mombasa', address: 'Mombasa', agencies: ['DIS'] },
  { code: 'immigration-kisumu', name_en: 'Immigration regional office, Kisumu', name_sw: 'Ofisi ya kanda ya Uhamiaji, Kisumu', county: 'Kisumu', address: 'Kisumu', agencies: ['DIS'] },
  { code: 'immigration-eldoret', name_en: 'Immigration regional office, Eldoret', name_sw: 'Ofisi ya kanda ya Uhamiaji, Eldoret', county: 'Uasin Gishu', address: 'Eldoret', agencies: ['DIS'] },
  { code: 'immigration-nakuru', name_en: 'Immigration regional office, Nakuru', name_sw: 'Ofisi ya kanda ya Uhamiaji, Nakuru', county: 'Nakuru', address: 'Nakuru', agencies: ['DIS'] },
  { code: 'immigration-embu', name_en: 'Immigration regional office, Embu', name_sw: 'Ofisi ya kanda ya Uhamiaji, Embu', county: 'Embu', address: 'Embu', agencies: ['DIS'] },
  { code: 'immigration-kisii', name_en: 'Immigration regional office, Kisii', name_sw: 'Ofisi ya kanda ya Uhamiaji, Kisii', county: 'Kisii', address: 'Kisii', agencies: ['DIS'] },
  { code: 'dci-headquarters', name_en: 'DCI Headquarters', name_sw: 'Makao Makuu ya DCI', county: 'Nairobi', address: 'Kiambu Road, Nairobi', agencies: ['DCI'] },
  { code: 'huduma-gpo', name_en: 'Huduma Centre GPO', name_sw: 'Huduma Centre GPO', county: 'Nairobi', address: 'GPO, Kenyatta Avenue, Nairobi', agencies: ['DCI', 'NRB', 'CRS', 'NTSA', 'BRS'] },
  { code: 'huduma-mombasa', name_en: 'Huduma Centre Mombasa', name_sw: 'Huduma Centre Mombasa', county: 'Mombasa', address: 'Mombasa', agencies: ['DCI', 'NRB', 'CRS', 'NTSA'] },
  { code: 'huduma-kisumu', name_en: 'Huduma Centre Kisumu', name_sw: 'Huduma Centre Kisumu', county: 'Kisumu', address: 'Kisumu', agencies: ['DCI', 'NRB', 'CRS', 'NTSA'] },
  { code: 'huduma-nakuru', name_en: 'Huduma Centre Nakuru', name_sw: 'Huduma Centre Nakuru', county: 'Nakuru', address: 'Nakuru', agencies: ['DCI', 'NRB', 'CRS', 'NTSA'] },
  { code: 'huduma-eldoret', name_en: 'Huduma Centre Eldoret', name_sw: 'Huduma Centre Eldoret', county: 'Uasin Gishu', address: 'Eldoret', agencies: ['DCI', 'NRB', 'CRS', 'NTSA'] },
]

/** A service that books appointments, and how many people each half hour takes at each office. */
export interface BookableService {
  agency: string
  slug: string
  capacity: { default: number } & Record<string, number>
}

/** The demo services whose workflow has an appointment stage (biometrics; fingerprints). */
export const DEMO_APPOINTMENT_SERVICES: BookableService[] = [
  { agency: 'DIS', slug: 'ordinary-passport', capacity: { default: 2, 'nyayo-house': 6 } },
  { agency: 'DCI', slug: 'certificate-of-good-conduct', capacity: { default: 3, 'dci-headquarters': 8 } },
]

/** Inserts the offices or refreshes their details; running it twice changes nothing the second time. */
export async function seedOffices(db: Db, offices = DEMO_OFFICES): Promise<void> {
  await db
    .insertInto('offices')
    .values(offices)
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name_en: eb.ref('excluded.name_en'),
        name_sw: eb.ref('excluded.name_sw'),
        county: eb.ref('excluded.county'),
        address: eb.ref('excluded.address'),
        agencies: eb.ref('excluded.agencies'),
        updated_at: new Date(),
      })),
    )
    .execute()
}

/** Kenya keeps East Africa Time all year (UTC+3, no daylight saving): a fixed offset is exact. */
export const NAIROBI_OFFSET_HOURS = 3
export const OPENING = { firstHour: 8, lastHour: 16, minutes: 30 }

/** Today's date in Nairobi, `YYYY-MM-DD`. */
export function nairobiDate(at = new Date()): string {
  return new Date(at.getTime() + NAIROBI_OFFSET_HOURS * 3_600_000).toISOString().slice(0, 10)
}

/** The instant a Nairobi wall-clock time happens. */
export function nairobiTime(date: string, hour: number, minute: number): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d, hour - NAIROBI_OFFSET_HOURS, minute))
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10)
}

/**
 * Slots for every office that serves each service: weekdays, 08:00 to 16:00 every 30 minutes, from
 * `fromDate` for `days` calendar days. Slots that exist already are left alone (their bookings stand),
 * so this can run every day to keep a few weeks open. Public holidays are not known here yet.
 * Returns how many slots were added.
 */
export async function generateSlots(
  db: Db,
  options: { fromDate: string; days: number; services?: BookableService[] },
): Promise<number> {
  const services = options.services ?? DEMO_APPOINTMENT_SERVICES
  const offices = await db.selectFrom('offices').select(['code', 'agencies']).execute()
  const rows: { office_code: string; agency_code: string; service_slug: string; starts_at: Date; ends_at: Date; capacity: number }[] = []
  for (let day = 0; day < options.days; day++) {
    const date = addDays(options.fromDate, day)
    const weekday = new Date(`${date}T00:00:00Z`).getUTCDay()
    if (weekday === 0 || weekday === 6) continue
    for (const service of services) {
      for (const office of offices.filter((o) => o.agencies.includes(service.agency))) {
        const capacity = service.capacity[office.code] ?? service.capacity.default
        for (let minutes = OPENING.firstHour * 60; minutes < OPENING.lastHour * 60; minutes += OPENING.minutes) {
          const startsAt = nairobiTime(date, Math.floor(minutes / 60), minutes % 60)
          rows.push({
            office_code: office.code,
            agency_code: service.agency,
            service_slug: service.slug,
            starts_at: startsAt,
            ends_at: new Date(startsAt.getTime() + OPENING.minutes * 60_000),
            capacity,
          })
        }
      }
    }
  }
  let added = 0
  for (let i = 0; i < rows.length; i += 500) {
    const result = await db
      .insertInto('appointment_slots')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['office_code', 'service_slug', 'starts_at']).doNothing())
      .executeTakeFirst()
    added += Number(result.numInsertedOrUpdatedRows ?? 0)
  }
  return added
}
