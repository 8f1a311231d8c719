-- The public status page: incidents staff open and update, and maintenance they schedule. A component's
-- state is not stored: it is derived from the open incidents and active maintenance that name it, so it
-- cannot drift from what the page says happened. Components are short codes (portal, sign-in, sms,
-- agency-dis, ...) rather than rows: most are fixed, and agencies already have their table.

create table status_incidents (
  id uuid primary key default gen_random_uuid(),
  impact text not null check (impact in ('degraded', 'partial-outage', 'major-outage')),
  title_en text not null check (length(title_en) between 1 and 200),
  title_sw text not null check (length(title_sw) between 1 and 200),
  status text not null check (status in ('investigating', 'identified', 'monitoring', 'resolved')),
  started_at timestamptz not null default now(),
  resolved_at timestamptz,
  opened_by uuid references accounts (id),
  check ((status = 'resolved') = (resolved_at is not null))
);
-- The page reads open incidents and those of the last 90 days.
create index status_incidents_recent on status_incidents (started_at desc);
create index status_incidents_open on status_incidents (started_at) where resolved_at is null;

create table status_incident_components (
  incident_id uuid not null references status_incidents (id),
  component text not null check (component ~ '^[a-z0-9-]{1,40}$'),
  primary key (incident_id, component)
);

-- The timeline: the first update carries the message the incident was opened with.
create table status_incident_updates (
  id uuid primary key default gen_random_uuid(),
  incident_id uuid not null references status_incidents (id),
  status text not null check (status in ('investigating', 'identified', 'monitoring', 'resolved')),
  message_en text not null check (length(message_en) between 1 and 2000),
  message_sw text not null check (length(message_sw) between 1 and 2000),
  posted_by uuid references accounts (id),
  posted_at timestamptz not null default now()
);
create index status_incident_updates_incident on status_incident_updates (incident_id, posted_at);

create table status_maintenance (
  id uuid primary key default gen_random_uuid(),
  message_en text not null check (length(message_en) between 1 and 2000),
  message_sw text not null check (length(message_sw) between 1 and 2000),
  starts_at timestamptz not null,
  ends_at timestamptz not null,
  cancelled_at timestamptz,
  scheduled_by uuid references accounts (id),
  created_at timestamptz not null default now(),
  check (ends_at > starts_at)
);
create index status_maintenance_ends on status_maintenance (ends_at);

create table status_maintenance_components (
  maintenance_id uuid not null references status_maintenance (id),
  component text not null check (component ~ '^[a-z0-9-]{1,40}$'),
  primary key (maintenance_id, component)
);
