import type { RegistryBusiness, RegistryPerson } from './registry.js'

/**
 * The demo register's fixed people and businesses: always present with these exact details, so tests,
 * the README and someone trying the portal can name them. Fictional. The generated crowd never links
 * to them (no extra children, no extra directorships), so what is written here is all there is.
 */

type Essential = 'kind' | 'firstName' | 'lastName' | 'dateOfBirth' | 'sex' | 'county'

function person(fields: Partial<RegistryPerson> & Pick<RegistryPerson, Essential>): RegistryPerson {
  // Frozen: a test that changed a fixed person would change them for every later test in its file.
  return Object.freeze({
    idNumber: null,
    middleName: null,
    birthCertificateNumber: null,
    parentIdNumber: null,
    nationality: null,
    ...fields,
  })
}

function business(fields: RegistryBusiness): RegistryBusiness {
  return Object.freeze({ ...fields, directorIdNumbers: Object.freeze([...fields.directorIdNumbers]) as string[] })
}

/** A citizen with two young children and two businesses: the everyday journey. */
export const DEMO_WANJIKU = person({
  idNumber: '12345678',
  kind: 'citizen',
  firstName: 'Wanjiku',
  lastName: 'Kamau',
  dateOfBirth: '1990-04-12',
  sex: 'F',
  county: 'Nairobi',
})

export const DEMO_WANJIKU_CHILDREN = [
  person({
    kind: 'minor',
    firstName: 'Wambui',
    middleName: 'Njeri',
    lastName: 'Kamau',
    dateOfBirth: '2016-08-21',
    sex: 'F',
    county: 'Nairobi',
    birthCertificateNumber: '123456789',
    parentIdNumber: '12345678',
  }),
  person({
    kind: 'minor',
    firstName: 'David',
    middleName: 'Mwangi',
    lastName: 'Kamau',
    dateOfBirth: '2019-02-03',
    sex: 'M',
    county: 'Nairobi',
    birthCertificateNumber: '987654321',
    parentIdNumber: '12345678',
  }),
] as const

/** A father with one grown-up child (who has an ID of her own) and one under 18. */
export const DEMO_ODHIAMBO = person({
  idNumber: '23456789',
  kind: 'citizen',
  firstName: 'Peter',
  middleName: 'Otieno',
  lastName: 'Odhiambo',
  dateOfBirth: '1968-09-03',
  sex: 'M',
  county: 'Kisumu',
})

export const DEMO_ODHIAMBO_ADULT_CHILD = person({
  idNumber: '34567890',
  kind: 'citizen',
  firstName: 'Mercy',
  middleName: 'Akinyi',
  lastName: 'Odhiambo',
  dateOfBirth: '2004-05-10',
  sex: 'F',
  county: 'Kisumu',
  birthCertificateNumber: '200405101',
  parentIdNumber: '23456789',
})

export const DEMO_ODHIAMBO_MINOR = person({
  kind: 'minor',
  firstName: 'Brian',
  middleName: 'Ochieng',
  lastName: 'Odhiambo',
  dateOfBirth: '2012-11-30',
  sex: 'M',
  county: 'Kisumu',
  birthCertificateNumber: '201211300',
  parentIdNumber: '23456789',
})

/** A company director. */
export const DEMO_DIRECTOR = person({
  idNumber: '45678901',
  kind: 'citizen',
  firstName: 'Grace',
  middleName: 'Chebet',
  lastName: 'Koech',
  dateOfBirth: '1978-01-25',
  sex: 'F',
  county: 'Uasin Gishu',
})

/** A foreign resident with an alien card, and an accented first name for the name-matching rule. */
export const DEMO_RESIDENT = person({
  idNumber: '654321',
  kind: 'resident',
  firstName: 'Hélène',
  lastName: 'Mbuyi',
  dateOfBirth: '1985-07-14',
  sex: 'F',
  county: 'Nairobi',
  nationality: 'CD',
})

export const DEMO_COMPANY = business({
  registrationNumber: 'PVT-DEMO001',
  name: 'Highland Dairies Limited',
  kind: 'private_company',
  registeredOn: '2015-06-01',
  directorIdNumbers: ['12345678', '45678901'],
})

export const DEMO_BUSINESS_NAME = business({
  registrationNumber: 'BN-DEMO001',
  name: 'Mama Wanjiku Cereals',
  kind: 'business_name',
  registeredOn: '2018-03-15',
  directorIdNumbers: ['12345678'],
})

/** Adults first: a child's parent and a business's directors are always listed before them. */
export const FIXED_PEOPLE: readonly RegistryPerson[] = [
  DEMO_WANJIKU,
  DEMO_ODHIAMBO,
  DEMO_DIRECTOR,
  DEMO_RESIDENT,
  DEMO_ODHIAMBO_ADULT_CHILD,
  ...DEMO_WANJIKU_CHILDREN,
  DEMO_ODHIAMBO_MINOR,
]

export const FIXED_BUSINESSES: readonly RegistryBusiness[] = [DEMO_COMPANY, DEMO_BUSINESS_NAME]
