-- Subscriptions to status updates by email or SMS, for anyone (most subscribers have no account).
-- Opt-in is confirmed: a row is pending until its emailed link or texted code comes back, and a pending
-- row past expires_at counts for nothing. Only hashes of links and codes are kept. Unsubscribing
-- deletes the row, so nothing is kept about a person who left.

create table status_subscriptions (
  id uuid primary key default gen_random_uuid(),
  channel text not null check (channel in ('email', 'sms')),
  -- A lower-case email address, or a Kenyan mobile number in E.164 (+2547..., +2541...).
  address text not null check (length(address) between 3 and 320),
  language text not null check (language in ('en', 'sw')),
  -- The confirmation link's or code's hash while pending; null once confirmed.
  secret_hash text,
  -- Wrong codes entered against the pending code.
  attempts integer not null default 0,
  expires_at timestamptz not null,
  -- When the last link or code went out: one address is sent at most one a minute.
  last_sent_at timestamptz not null default now(),
  confirmed_at timestamptz,
  created_at timestamptz not null default now(),
  unique (channel, address),
  check ((confirmed_at is null) = (secret_hash is not null))
);
-- Each published change reads the confirmed subscribers in id order, a batch at a time.
create index status_subscriptions_confirmed on status_subscriptions (id) where confirmed_at is not null;
create index status_subscriptions_secret on status_subscriptions (secret_hash) where secret_hash is not null;

-- The components a subscriber chose; none means every component.
create table status_subscription_components (
  subscription_id uuid not null references status_subscriptions (id) on delete cascade,
  component text not null check (component ~ '^[a-z0-9-]{1,40}$'),
  primary key (subscription_id, component)
);

-- Every message carries its own unsubscribe link; its token's hash leads back to the subscription.
create table status_subscription_links (
  token_hash text primary key,
  subscription_id uuid not null references status_subscriptions (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index status_subscription_links_subscription on status_subscription_links (subscription_id);
