-- Agency administration: staff invited by their agency's admin, accounts that can be switched off, the
-- record of deadlines met or missed, and the indexes the agency reports read by.

-- A deactivated account cannot sign in and is signed out everywhere (sign-in and the lookup of a
-- signed-in cookie both check this); reactivating clears it. The row stays: the audit log and past
-- decisions refer to it.
alter table accounts add column deactivated_at timestamptz;

-- An invitation to join an agency's staff, sent by email. Only the SHA-256 of the link's token is kept,
-- so a copy of this table cannot be used to accept one. Accepting is an update that only succeeds on an
-- open, unexpired row, so a link works once even when two requests race.
create table staff_invitations (
  id uuid primary key default gen_random_uuid(),
  agency_code text not null references agencies (code),
  email text not null check (length(email) between 3 and 320),
  role text not null check (role in ('agency_officer', 'agency_supervisor', 'agency_admin')),
  token_hash text not null unique,
  invited_by uuid not null references accounts (id),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  account_id uuid references accounts (id),
  cancelled_at timestamptz,
  created_at timestamptz not null default now(),
  check ((accepted_at is null) = (account_id is null)),
  check (accepted_at is null or cancelled_at is null)
);
-- One open invitation per address and agency: a new one replaces (cancels) the open one.
create unique index staff_invitations_open on staff_invitations (agency_code, lower(email))
  where accepted_at is null and cancelled_at is null;

-- Agency reports: applications submitted in a period, timeline events in a period, and the ledger
-- entries of each payment (the settlement page sums them per day).
create index agency_reports_applications on applications (agency_code, submitted_at) where submitted_at is not null;
create index agency_reports_events on application_events (at);
create index agency_reports_ledger_payment on ledger_entries (payment_id) where payment_id is not null;

-- Each time an application leaves a stage that had a deadline (applications.expected_by), the deadline
-- in force at that moment, for the SLA report. The deadline is not otherwise kept: the next stage
-- overwrites it, and a paused clock resumes with the days that were left, so it cannot be worked out
-- again from the definitions. A trigger records it whatever code moves the application.
create table sla_moves (
  id bigint generated always as identity primary key,
  application_id uuid not null references applications (id) on delete cascade,
  agency_code text not null,
  service_slug text not null,
  stage_from text not null,
  stage_to text,
  expected_by date not null,
  -- The outcome the move led to, if it ended the application (a withdrawal is the applicant's move).
  outcome text,
  moved_at timestamptz not null default now()
);
create index sla_moves_agency on sla_moves (agency_code, moved_at);

create function record_sla_move() returns trigger language plpgsql as $$
begin
  insert into sla_moves (application_id, agency_code, service_slug, stage_from, stage_to, expected_by, outcome)
  values (new.id, new.agency_code, new.service_slug, old.stage, new.stage, old.expected_by, new.outcome);
  return null;
end $$;

create trigger applications_sla_moves after update of stage on applications
  for each row when (old.stage is distinct from new.stage and old.expected_by is not null)
  execute function record_sla_move();
