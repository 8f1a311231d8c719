-- Issued documents: what an application ends in when the agency issues it, with a signed credential
-- anyone can check at /verify, and the keys that signed them.

-- Every key that has signed a document (or is about to): its public half stays here, and in
-- /.well-known/jwks.json while documents it signed are still valid, so a new key never invalidates
-- earlier documents.
create table document_signing_keys (
  -- The RFC 7638 thumbprint of the public key, shortened: the same key always gets the same id, so
  -- processes sharing DOCUMENT_SIGNING_KEY agree on it without asking each other.
  kid text primary key check (kid ~ '^[A-Za-z0-9_-]{8,64}$'),
  -- { kty: OKP, crv: Ed25519, x }: what the JWKS publishes.
  public_jwk jsonb not null,
  -- 'setting': the private key lives in DOCUMENT_SIGNING_KEY and is never written here.
  -- 'generated': made by the portal for itself (no setting), its PKCS8 PEM kept below.
  source text not null check (source in ('setting', 'generated')),
  private_pkcs8 text,
  created_at timestamptz not null default now(),
  -- Rotated out: signs nothing more, verifies what it signed.
  retired_at timestamptz,
  check ((source = 'generated') = (private_pkcs8 is not null))
);
-- At most one generated key signs at a time: two processes making the first key at once keep one.
create unique index document_signing_keys_current on document_signing_keys ((true)) where source = 'generated' and retired_at is null;

create table issued_documents (
  id uuid primary key default gen_random_uuid(),
  -- LIC-7K4M-9QX3: a prefix for the kind, then the same alphabet and check character as references.
  number text not null unique check (number ~ '^[A-Z]{3}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$'),
  -- One document per application: an application reaches an issued end once.
  application_id uuid not null unique references applications (id),
  agency_code text not null references agencies (code),
  kind text not null check (kind in ('passport', 'certificate', 'licence', 'permit', 'authorisation', 'reservation', 'letter', 'card')),
  title_en text not null,
  title_sw text not null,
  holder_name text not null check (length(holder_name) between 1 and 300),
  -- What the document shows, as issued: [{ id, label: { en, sw }, value: { en, sw } | null }].
  fields jsonb not null,
  valid_from date not null,
  -- The last day it is valid; null: it does not expire.
  valid_until date,
  issued_at timestamptz not null default now(),
  issued_by uuid not null references accounts (id),
  signing_key_id text not null references document_signing_keys (kid),
  -- The compact JWS in the QR code.
  credential text not null,
  revoked_at timestamptz,
  revoked_by uuid references accounts (id),
  -- A category, shown on the public check; the note is for the holder and the audit log.
  revocation_reason text check (revocation_reason in ('issued-in-error', 'fraud', 'replaced', 'holder-request', 'other')),
  revocation_note text check (length(revocation_note) between 1 and 1000),
  check (valid_until is null or valid_until >= valid_from),
  check ((revoked_at is null) = (revoked_by is null)),
  check ((revoked_at is null) = (revocation_reason is null)),
  check ((revoked_at is null) = (revocation_note is null))
);
-- The agency's list, newest first, a page at a time (keyset on issued_at, id).
create index issued_documents_agency on issued_documents (agency_code, issued_at, id);
-- Which keys still have valid documents to vouch for (the JWKS).
create index issued_documents_signing_key on issued_documents (signing_key_id, valid_until);
