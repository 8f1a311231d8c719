-- The support desk: a person's requests for help ("tickets"), the conversation on each, and the files
-- sent with it. Support agents see every ticket; a person only their own (checked by the service).

create table support_tickets (
  id uuid primary key default gen_random_uuid(),
  -- SUP-7K4M-9QX3: the application reference format, so it is read aloud and typed the same way.
  reference text not null unique check (reference ~ '^SUP-[2-9A-Z]{4}-[2-9A-Z]{4}$'),
  account_id uuid not null references accounts (id),
  topic text not null check (topic in ('payment-not-showing', 'application', 'account', 'document', 'other')),
  -- What the ticket is about, when the person chose one of their own records.
  application_id uuid references applications (id),
  invoice_id uuid references invoices (id),
  status text not null default 'open' check (status in ('open', 'closed')),
  -- The opening form's key: a double click or a retry opens one ticket.
  idempotency_key uuid not null unique,
  created_at timestamptz not null default now(),
  -- The first-response SLA: due when opened, met by the first agent reply.
  first_response_due_at timestamptz not null,
  first_responded_at timestamptz,
  closed_at timestamptz,
  closed_by uuid references accounts (id),
  check (application_id is null or invoice_id is null),
  check ((status = 'closed') = (closed_at is not null))
);
create index support_tickets_account on support_tickets (account_id, created_at desc);
-- The console lists open tickets by when their first answer is due.
create index support_tickets_open on support_tickets (first_response_due_at) where status = 'open';

create table support_messages (
  id uuid primary key default gen_random_uuid(),
  ticket_id uuid not null references support_tickets (id),
  -- 'system': what the portal itself found (the payment check), written in no language: `notice` names
  -- the locale text and `notice_params` fills it, so each reader sees it in their own language.
  author text not null check (author in ('person', 'agent', 'system')),
  author_id uuid references accounts (id),
  body text not null default '' check (char_length(body) <= 5000),
  notice text check (notice ~ '^[a-z-]{1,40}$'),
  notice_params jsonb not null default '{}',
  created_at timestamptz not null default now(),
  -- The conversation's order: a ticket's opening message and its payment check are written in one
  -- transaction, with the same created_at.
  seq bigint generated always as identity,
  check ((author = 'system') = (author_id is null)),
  check ((author = 'system') = (notice is not null)),
  check (author = 'system' or char_length(body) >= 1)
);
create index support_messages_ticket on support_messages (ticket_id, seq);

-- Checked as application uploads are (uploads module); the bytes live in the same file store.
create table support_attachments (
  id uuid primary key default gen_random_uuid(),
  message_id uuid not null references support_messages (id),
  original_name text not null check (char_length(original_name) between 1 and 255),
  safe_name text not null check (safe_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$'),
  media_type text not null check (media_type in ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key text not null unique,
  created_at timestamptz not null default now()
);
create index support_attachments_message on support_attachments (message_id);
