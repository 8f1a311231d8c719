-- Every email and text message the portal sends: the record of what was sent to whom, and the outbox the
-- delivery job works from. A row is written in the same transaction as the business change that causes
-- it, together with its delivery job, so a message exists if and only if that change commits.
--
-- Without an SMTP server or SMS gateway configured, messages stop here (the local outbox) and the
-- developer outbox page shows them.
create table notifications (
  id bigint generated always as identity primary key,
  -- Chosen by the cause (for example "sign-in-code:<code id>"): the same cause never sends twice.
  idempotency_key text not null unique check (length(idempotency_key) between 1 and 200),
  channel text not null check (channel in ('email', 'sms')),
  -- An email address, or a phone number in E.164 form (+2547...).
  recipient text not null check (length(recipient) between 3 and 320),
  language text not null check (language in ('en', 'sw')),
  template text not null,
  -- Rendered once when the message is queued; a retry sends exactly these words. SMS has no subject.
  subject text,
  body text not null,
  -- queued: waiting or being retried; sent: the provider accepted it; failed: every attempt failed.
  status text not null default 'queued' check (status in ('queued', 'sent', 'failed')),
  attempts integer not null default 0 check (attempts >= 0),
  provider_message_id text,
  -- What the provider or connection said about the last failure. Never credentials.
  last_error text,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  check ((channel = 'email') = (subject is not null)),
  check ((status = 'sent') = (sent_at is not null))
);

-- The outbox page and support staff read the newest messages first.
create index notifications_created_at on notifications (created_at desc, id desc);
