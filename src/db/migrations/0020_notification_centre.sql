-- The notification centre: the in-app copy of every message the portal sends a person through
-- sendToAccount, whatever channels their preferences allow, and those preferences.

create table inbox_messages (
  id bigint generated always as identity primary key,
  account_id uuid not null references accounts (id) on delete cascade,
  -- The cause, as for notifications: the same cause never files two copies.
  idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
  template text not null,
  -- Both languages are kept, so the inbox follows the language the person reads in today.
  title_en text not null,
  title_sw text not null,
  body_en text not null,
  body_sw text not null,
  -- The channels the message also went out on ('email,sms', 'email', or '' for in-app only).
  channels text not null default '',
  read_at timestamptz,
  created_at timestamptz not null default now()
);

-- The inbox pages newest first by id (keyset), one person at a time.
create index inbox_messages_account on inbox_messages (account_id, id desc);
-- The unread count reads only unread rows.
create index inbox_messages_unread on inbox_messages (account_id) where read_at is null;

-- One row per person and kind of message they changed; no row means every channel is on.
create table notification_preferences (
  account_id uuid not null references accounts (id) on delete cascade,
  category text not null check (category in ('applications', 'payments', 'documents')),
  email boolean not null,
  sms boolean not null,
  updated_at timestamptz not null default now(),
  primary key (account_id, category)
);
