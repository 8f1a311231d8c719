import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { RegistryProtocolError } from './errors.js'
import type { RegistryBusiness, RegistryPerson } from './registry.js'

/**
 * The JSON shapes of the registry HTTP API (docs/REGISTRY-API.md). Properties we do not know are
 * ignored, so a registry may add fields without breaking us; a value that may be null may also be left
 * out.
 */
const Maybe = <T extends TSchema>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]))
const DateText = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' })
const Text = Type.String({ minLength: 1 })

export const PersonJson = Type.Object({
  idNumber: Maybe(Text),
  kind: Type.Union([Type.Literal('citizen'), Type.Literal('resident'), Type.Literal('minor')]),
  firstName: Text,
  middleName: Maybe(Type.String()),
  lastName: Text,
  dateOfBirth: DateText,
  sex: Type.Union([Type.Literal('F'), Type.Literal('M')]),
  county: Type.String(),
  birthCertificateNumber: Maybe(Text),
  parentIdNumber: Maybe(Text),
  nationality: Maybe(Type.String({ pattern: '^[A-Z]{2}$' })),
})

export const ChildrenJson = Type.Object({ children: Type.Array(PersonJson) })

export const BusinessJson = Type.Object({
  registrationNumber: Text,
  name: Text,
  kind: Type.Union([
    Type.Literal('business_name'),
    Type.Literal('private_company'),
    Type.Literal('public_company'),
    Type.Literal('guarantee_company'),
    Type.Literal('llp'),
  ]),
  registeredOn: DateText,
  directorIdNumbers: Type.Array(Text),
})

export const BusinessesJson = Type.Object({ businesses: Type.Array(BusinessJson) })

function read<T extends TSchema>(schema: T, body: unknown, what: string): Static<T> {
  // The message names the first wrong field, never its value: values are personal data.
  if (!Value.Check(schema, body)) {
    const first = Value.Errors(schema, body).First()
    throw new RegistryProtocolError(`registry sent ${what} of the wrong shape (at "${first?.path ?? ''}")`)
  }
  return body
}

function toPerson(json: Static<typeof PersonJson>): RegistryPerson {
  return {
    idNumber: json.idNumber ?? null,
    kind: json.kind,
    firstName: json.firstName,
    middleName: json.middleName || null,
    lastName: json.lastName,
    dateOfBirth: json.dateOfBirth,
    sex: json.sex,
    county: json.county,
    birthCertificateNumber: json.birthCertificateNumber ?? null,
    parentIdNumber: json.parentIdNumber ?? null,
    nationality: json.nationality ?? null,
  }
}

function toBusiness(json: Static<typeof BusinessJson>): RegistryBusiness {
  return {
    registrationNumber: json.registrationNumber,
    name: json.name,
    kind: json.kind,
    registeredOn: json.registeredOn,
    directorIdNumbers: [...json.directorIdNumbers].sort(),
  }
}

export const readPerson = (body: unknown): RegistryPerson => toPerson(read(PersonJson, body, 'a person'))
export const readChildren = (body: unknown): RegistryPerson[] => read(ChildrenJson, body, 'children').children.map(toPerson)
export const readBusiness = (body: unknown): RegistryBusiness => toBusiness(read(BusinessJson, body, 'a business'))
export const readBusinesses = (body: unknown): RegistryBusiness[] =>
  read(BusinessesJson, body, 'businesses').businesses.map(toBusiness)
