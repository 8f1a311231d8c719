-- Authenticator apps (TOTP, RFC 6238) as a second factor, with single-use recovery codes.
alter table accounts
  add column totp_secret text,
  add column totp_pending_secret text,
  -- The last 30-second step accepted: a code cannot be used twice, even within its window.
  add column totp_last_step bigint;

alter table accounts add constraint accounts_totp_needs_secret check (second_factor <> 'totp' or totp_secret is not null);

create table recovery_codes (
  id bigint generated always as identity primary key,
  account_id uuid not null references accounts (id) on delete cascade,
  code_hash text not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);
create index recovery_codes_account on recovery_codes (account_id) where used_at is null;
