-- Applications: a person's draft or submitted request for a service, its timeline, and the in-app copy
-- of the messages sent about it.

create table applications (
  id uuid primary key default gen_random_uuid(),
  -- Read aloud over the phone: DIS-7K4M-9QX3 (see services/reference.ts); unique across agencies.
  reference text not null unique,
  -- Who acts: the signed-in person. Applications for a child or a business are theirs too.
  account_id uuid not null references accounts (id),
  -- Whom the application is for. party_id is the child's birth certificate number or the business's
  -- registration number; party_name is the registry's name when the application was started.
  party_kind text not null check (party_kind in ('self', 'dependant', 'business')),
  party_id text check (length(party_id) between 1 and 40),
  party_name text not null check (length(party_name) between 1 and 300),
  service_slug text not null,
  agency_code text not null references agencies (code),
  -- The definition version the application started on: it is always read back with this version, so
  -- publishing a new one never changes a draft or a submitted application.
  definition_version integer not null check (definition_version > 0),
  answers jsonb not null default '{}',
  -- Where the person is in the form (a page id of the pinned definition); null once at "check answers".
  current_page text,
  -- The coarse state the dashboard groups by. The workflow's own state is `stage`.
  status text not null default 'draft'
    check (status in ('draft', 'awaiting-payment', 'in-progress', 'action-needed', 'completed')),
  stage text,
  outcome text check (outcome in ('issued', 'rejected', 'withdrawn')),
  declaration_accepted_at timestamptz,
  submitted_at timestamptz,
  -- When the agency should have moved the application on: the stage's SLA in Kenyan working days.
  expected_by date,
  -- The hidden key of the check-answers form: a double click or a retry finds the same submission.
  submission_key uuid unique,
  -- The hidden key of the start form, when it has one: a double click starts one draft.
  start_key uuid unique,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((party_kind = 'self') = (party_id is null)),
  check ((status = 'completed') = (outcome is not null)),
  -- Only an application in the agency's workflow has a stage, and it entered the workflow when submitted.
  check ((status in ('draft', 'awaiting-payment')) = (stage is null)),
  check ((stage is null) = (submitted_at is null)),
  check ((status = 'draft') = (declaration_accepted_at is null))
);

-- The dashboard reads each group as one range of this index, newest first, a page at a time
-- (keyset on updated_at, id).
create index applications_dashboard on applications (account_id, status, updated_at, id);

-- What happened, in order: the timeline on the application page.
create table application_events (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null references applications (id) on delete cascade,
  at timestamptz not null default now(),
  actor_kind text not null check (actor_kind in ('applicant', 'agency', 'system')),
  actor_account_id uuid references accounts (id),
  event_type text not null check (event_type in ('started', 'submitted', 'awaiting-payment', 'stage-changed', 'withdrawn')),
  stage_from text,
  stage_to text,
  -- A reason the agency wrote for the applicant (a return for correction, a rejection).
  note text check (length(note) <= 2000)
);
create index application_events_timeline on application_events (application_id, at, id);

-- The in-app copy of each message about an application, in both languages (the person may switch).
create table application_messages (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id) on delete cascade,
  application_id uuid references applications (id) on delete cascade,
  -- The same cause (an event) never writes two messages.
  idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
  title_en text not null,
  title_sw text not null,
  body_en text not null,
  body_sw text not null,
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index application_messages_inbox on application_messages (account_id, created_at, id);
create index application_messages_by_application on application_messages (application_id, created_at);
