-- The portal-wide maintenance switch: while on, new submissions and payments are refused with the
-- message below, and everything else (sign-in, dashboards, the status page, downloads) keeps working.
-- One row at most (id is always true), read by every web process with the status board.
create table status_maintenance_mode (
  id boolean primary key default true check (id),
  message_en text not null check (length(message_en) between 1 and 2000),
  message_sw text not null check (length(message_sw) between 1 and 2000),
  switched_on_by uuid references accounts (id),
  switched_on_at timestamptz not null default now()
);
