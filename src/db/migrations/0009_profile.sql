-- Profile: re-authentication, contact changes awaiting confirmation, and businesses a person acts for.

-- When the person last proved it was them (password at sign-in or on the confirm-password page).
-- Changing email, phone, password or second factor needs this to be recent.
alter table sessions add column reauthenticated_at timestamptz;

-- A new email or phone waiting for its link or code. The current one stays in force until then; the
-- unique indexes on email and phone are checked again when the new value is confirmed.
alter table accounts
  add column pending_email text,
  add column pending_phone text check (pending_phone ~ '^\+[1-9][0-9]{7,14}$');

alter table one_time_codes drop constraint one_time_codes_purpose_check;
alter table one_time_codes add constraint one_time_codes_purpose_check
  check (purpose in ('sign-in', 'verify-phone', 'verify-email', 'reset-password', 'change-email', 'change-phone'));

-- Businesses a person has linked. Directorship is checked in the business registry at linking and again
-- every time the person acts for the business, so this row alone never grants anything.
create table account_businesses (
  account_id uuid not null references accounts (id) on delete cascade,
  registration_number text not null,
  linked_at timestamptz not null default now(),
  primary key (account_id, registration_number)
);
