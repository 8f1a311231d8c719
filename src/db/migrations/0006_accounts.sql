-- People and staff who sign in. Citizens and residents are tied to the population registry by ID
-- number; visitors by passport. One account per ID number, per email and per phone.
create table accounts (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('citizen', 'resident', 'visitor', 'staff')),
  id_number text unique,
  passport_number text,
  nationality text,
  first_name text not null,
  last_name text not null,
  email text not null,
  email_verified_at timestamptz,
  phone text not null check (phone ~ '^\+[1-9][0-9]{7,14}$'),
  phone_verified_at timestamptz,
  password_hash text not null,
  second_factor text not null default 'sms' check (second_factor in ('sms', 'email', 'totp', 'passkey')),
  role text not null default 'citizen'
    check (role in ('citizen', 'agency_officer', 'agency_supervisor', 'agency_admin', 'support_agent', 'platform_admin')),
  agency_code text references agencies (code),
  language text not null default 'en' check (language in ('en', 'sw')),
  failed_sign_ins integer not null default 0,
  locked_until timestamptz,
  created_at timestamptz not null default now(),
  -- Agency staff belong to exactly one agency; nobody else belongs to one.
  check ((role in ('agency_officer', 'agency_supervisor', 'agency_admin')) = (agency_code is not null)),
  check (kind <> 'visitor' or (passport_number is not null and nationality is not null)),
  check (kind not in ('citizen', 'resident') or id_number is not null)
);
create unique index accounts_email on accounts (lower(email));
create unique index accounts_phone on accounts (phone);
create unique index accounts_passport on accounts (passport_number, nationality) where passport_number is not null;

-- Server-side sessions. The cookie holds a 256-bit random token; only its SHA-256 is stored, so a copy
-- of this table cannot be used to sign in.
create table sessions (
  token_hash text primary key,
  account_id uuid not null references accounts (id) on delete cascade,
  stage text not null check (stage in ('second-factor', 'signed-in')),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text,
  user_agent text,
  revoked_at timestamptz
);
create index sessions_account on sessions (account_id) where revoked_at is null;

-- Single-use codes (SMS/email, six digits) and link tokens, stored as hashes, each for one purpose.
create table one_time_codes (
  id bigint generated always as identity primary key,
  account_id uuid not null references accounts (id) on delete cascade,
  purpose text not null check (purpose in ('sign-in', 'verify-phone', 'verify-email', 'reset-password')),
  channel text not null check (channel in ('sms', 'email')),
  secret_hash text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  attempts integer not null default 0,
  created_at timestamptz not null default now()
);
create index one_time_codes_open on one_time_codes (account_id, purpose) where used_at is null;
create index one_time_codes_secret on one_time_codes (secret_hash);
