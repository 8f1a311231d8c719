-- Automatic detection for the status page. Worker processes probe the whole deployment every few
-- seconds; a breach that lasts marks a component degraded and opens a draft incident that only
-- administrators see until one of them publishes it.

-- Requests and failures each web process saw, per component, added up per short time slot. A process
-- writes one statement per flush; the probe sums the slots of the last window across every process, so
-- it sees the deployment rather than the one process it runs in. `source` says what was counted: the
-- portal's own answers (http) or the M-Pesa gateway's answers to the portal (gateway).
create table status_traffic (
  process_id text not null check (length(process_id) between 1 and 100),
  source text not null check (source in ('http', 'gateway')),
  component text not null check (component ~ '^[a-z0-9-]{1,40}$'),
  slot timestamptz not null,
  requests integer not null check (requests >= 0),
  failures integer not null check (failures >= 0 and failures <= requests),
  primary key (process_id, source, component, slot)
);
-- The probe reads, and prunes, by time.
create index status_traffic_slot on status_traffic (slot);

-- What detection concluded for each component it watches. `round` is the probe round that last wrote
-- the row: a round writes only over an older one, so two workers (or a slow round overtaken by the next)
-- never count the same round twice.
create table status_detections (
  component text primary key check (component ~ '^[a-z0-9-]{1,40}$'),
  state text not null check (state in ('operational', 'degraded')),
  -- Rounds in a row that breached (while operational) or passed (while degraded).
  streak integer not null check (streak >= 0),
  round bigint not null,
  -- What the last breach measured, in both languages (shown to administrators with the draft).
  reason_en text,
  reason_sw text,
  changed_at timestamptz not null default now()
);

-- One row: the probe round last claimed. Every worker runs the loop; the first to claim a round probes it.
create table status_detection_rounds (
  id boolean primary key default true check (id),
  round bigint not null,
  claimed_at timestamptz not null default now()
);
insert into status_detection_rounds (round) values (0);

-- A draft incident is opened by detection and hidden from the public page, its JSON, feed and banner
-- until an administrator publishes it. `detected_for` names the component detection opened it for.
alter table status_incidents add column draft boolean not null default false;
alter table status_incidents add column detected_for text check (detected_for ~ '^[a-z0-9-]{1,40}$');
-- At most one open incident per component from detection, however many workers race to open it.
create unique index status_incidents_one_detected on status_incidents (detected_for) where resolved_at is null;
