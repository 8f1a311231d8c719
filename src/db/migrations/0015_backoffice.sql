-- The agency back-office: who works each case, the agency's SLA clock while the applicant has the
-- application, internal notes, and the indexes the queue reads.

alter table applications
  -- The staff member working the case (claimed by an officer or assigned by a supervisor); null: nobody yet.
  add column assignee_id uuid references accounts (id),
  -- While the applicant has the application (a question to answer, an appointment), the agency's clock
  -- stops: the stage whose SLA was running, the working days it had left, and since when. Returning to
  -- that stage gives back exactly what was left.
  add column sla_paused_stage text,
  add column sla_remaining_days integer check (sla_remaining_days >= 0),
  add column sla_paused_at timestamptz,
  add constraint applications_sla_pause check (
    (sla_paused_stage is null) = (sla_remaining_days is null) and (sla_paused_stage is null) = (sla_paused_at is null)
  );

-- The queue reads open cases of one agency, soonest deadline first (cases without one, waiting for the
-- applicant, last: ascending order puts nulls last), a page at a time by keyset on (expected_by, id).
-- Each filter has a range of its own: the whole queue; one service and stage (a service alone is read
-- as one range per stage, merged); one assignee; nobody yet (its own index: the cases nearest their
-- deadline are the ones being worked, so skipping assigned ones in the whole queue's order could read
-- thousands of rows for a page). The SLA filters are a range on expected_by inside any of them.
-- Partial: the millions of completed applications and drafts are not in them.
create index applications_queue on applications (agency_code, expected_by, id)
  where status in ('in-progress', 'action-needed');
create index applications_queue_stage on applications (agency_code, service_slug, stage, expected_by, id)
  where status in ('in-progress', 'action-needed');
create index applications_queue_assignee on applications (agency_code, assignee_id, expected_by, id)
  where status in ('in-progress', 'action-needed') and assignee_id is not null;
create index applications_queue_unassigned on applications (agency_code, expected_by, id)
  where status in ('in-progress', 'action-needed') and assignee_id is null;
-- Completed cases, most recently finished first.
create index applications_queue_completed on applications (agency_code, updated_at, id)
  where status = 'completed';

-- An agency's staff (who a case may be assigned to, which supervisors get the SLA digest): a few rows
-- among millions of citizens' accounts.
create index accounts_agency_staff on accounts (agency_code, role) where agency_code is not null;

-- What staff write to one another about a case. Never shown to the applicant.
create table case_notes (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null references applications (id) on delete cascade,
  author_id uuid not null references accounts (id),
  body text not null check (length(body) between 1 and 2000),
  -- The form's hidden key: a double click or a retry adds the note once.
  idempotency_key uuid not null unique,
  created_at timestamptz not null default now()
);
create index case_notes_by_application on case_notes (application_id, created_at, id);
