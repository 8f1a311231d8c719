-- Passkeys (WebAuthn) as a second factor. Only the public key is kept: nothing here can sign in.
create table passkeys (
  id uuid primary key default gen_random_uuid(),
  account_id uuid not null references accounts (id) on delete cascade,
  -- base64url, as browsers send it; a credential belongs to one account only.
  credential_id text not null unique,
  public_key bytea not null,
  -- The authenticator's signature counter: a value that does not grow betrays a cloned authenticator.
  counter bigint not null default 0 check (counter >= 0),
  -- Hints for the browser ('internal', 'hybrid', 'usb', ...), offered back when asking for the passkey.
  transports text[] not null default '{}',
  name text not null check (length(name) between 1 and 60),
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index passkeys_account on passkeys (account_id);

-- The challenge a session is waiting to see signed: one per session and purpose (a new one replaces
-- it), taken with `delete … returning` so it can be used once only, and refused after expires_at.
create table passkey_challenges (
  session_hash text not null references sessions (token_hash) on delete cascade,
  purpose text not null check (purpose in ('register', 'sign-in')),
  challenge text not null,
  expires_at timestamptz not null,
  primary key (session_hash, purpose)
);
create index passkey_challenges_expiry on passkey_challenges (expires_at);
