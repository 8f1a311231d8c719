-- Restoration notices: when an incident is resolved, the people whose work it interrupted are told the
-- service is back and where to continue. Saved drafts and failed payment prompts are already on record;
-- a request refused outright (maintenance mode, or a failure while sending) leaves nothing behind, so it
-- is written here.

create table status_interruptions (
  id bigint generated always as identity primary key,
  account_id uuid not null references accounts (id) on delete cascade,
  -- The component the refused request needed (a status component id).
  component text not null check (length(component) between 1 and 40),
  -- What the person was doing, and what it was about (a bill reference), as the notice words it.
  work text not null check (work in ('payment', 'submission')),
  subject text check (length(subject) <= 80),
  -- Where the person continues: a path on the portal, never a full address.
  resume_path text not null check (resume_path like '/%' and length(resume_path) <= 200),
  occurred_at timestamptz not null default now()
);

-- Each resolution reads the interruptions of its window.
create index status_interruptions_occurred on status_interruptions (occurred_at);

-- People choose the channels of service notices as they do for the other kinds.
alter table notification_preferences drop constraint notification_preferences_category_check;
alter table notification_preferences add constraint notification_preferences_category_check
  check (category in ('applications', 'payments', 'documents', 'service'));

-- A resolution reads the drafts saved, and the prompts sent, during its incident's window.
create index applications_drafts_updated on applications (updated_at) where status = 'draft';
create index mpesa_prompts_created on mpesa_prompts (created_at);
