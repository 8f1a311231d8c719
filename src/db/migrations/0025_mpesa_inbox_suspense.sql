-- Money you can prove. What M-Pesa tells us is a claim: it is written to the inbox (one insert) before it
-- is acknowledged, then processed exactly once: verified against the prompt we sent (or Daraja's query),
-- credited to an invoice, or posted to the suspense account for a person to match or refund.

create table mpesa_inbox (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('stk-result', 'c2b-validation', 'c2b-confirmation', 'transaction-status')),
  -- The path it came to (the secret segment masked) and the address it came from.
  path text not null check (length(path) <= 300),
  source_ip text not null check (length(source_ip) <= 64),
  -- The body exactly as parsed from the request's JSON.
  body jsonb not null,
  received_at timestamptz not null default now(),
  -- Refused at the door (a wrong or old secret segment, an address not allowed, a malformed body):
  -- recorded, answered 4xx, never processed.
  refused_reason text check (length(refused_reason) <= 200),
  processed_at timestamptz,
  outcome text check (length(outcome) <= 60),
  -- Tries that ended without an outcome (Daraja's query unreachable, say): processing is asked again.
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  check (refused_reason is null or processed_at is not null)
);
-- The processors read what is left to do, oldest first.
create index mpesa_inbox_unprocessed on mpesa_inbox (id) where processed_at is null;
create index mpesa_inbox_received on mpesa_inbox (received_at);

-- Money that could not be matched to what it was meant for, or a claim we could not believe. `held`:
-- M-Pesa confirmed the money and the ledger holds it in the suspense account until a person matches it
-- to an invoice or refunds it; not held: a claim that moved no money (forged, or never confirmed).
create table payment_suspense (
  id uuid primary key default gen_random_uuid(),
  reason text not null check (reason in (
    'unknown-reference', 'unknown-prompt', 'late-result', 'amount-mismatch', 'overpayment', 'invoice-closed',
    'currency-mismatch', 'conflicting-result', 'unconfirmed-claim', 'not-our-shortcode'
  )),
  held boolean not null,
  amount_cents bigint not null check (amount_cents >= 0),
  currency text not null default 'KES' check (currency in ('KES', 'USD')),
  phone text check (length(phone) <= 20),
  payer_name text check (length(payer_name) <= 200),
  mpesa_receipt text check (length(mpesa_receipt) <= 40),
  bill_reference text check (length(bill_reference) <= 40),
  checkout_request_id text check (length(checkout_request_id) <= 100),
  -- The invoice it was meant for, where that is known (an overpayment, a cancelled invoice).
  invoice_id uuid references invoices (id),
  agency_code text references agencies (code),
  inbox_id bigint references mpesa_inbox (id),
  paid_at timestamptz,
  details jsonb,
  status text not null default 'open' check (status in ('open', 'proposed', 'matched', 'refunded', 'dismissed')),
  -- Four eyes: one person proposes (match to an invoice, or refund), another approves.
  proposed_action text check (proposed_action in ('match', 'refund', 'dismiss')),
  proposed_invoice_id uuid references invoices (id),
  proposed_by uuid references accounts (id),
  proposed_at timestamptz,
  proposal_note text check (length(proposal_note) <= 1000),
  resolved_by uuid references accounts (id),
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  check (held or amount_cents = 0 or reason in ('unconfirmed-claim', 'conflicting-result', 'not-our-shortcode')),
  check ((status in ('matched', 'refunded', 'dismissed')) = (resolved_at is not null))
);
create index payment_suspense_open on payment_suspense (created_at) where status in ('open', 'proposed');
create index payment_suspense_receipt on payment_suspense (mpesa_receipt);
-- One item per inbox message and reason: reprocessing cannot add a second.
create unique index payment_suspense_inbox on payment_suspense (inbox_id, reason);

-- Every M-Pesa receipt is accounted for once: credited to a payment, or held in suspense.
create table mpesa_receipts (
  receipt text primary key check (receipt ~ '^[A-Z0-9]{6,40}$'),
  amount_cents bigint not null check (amount_cents > 0),
  payment_id uuid unique references payments (id) deferrable initially deferred,
  suspense_id uuid references payment_suspense (id) deferrable initially deferred,
  created_at timestamptz not null default now(),
  check (payment_id is not null or suspense_id is not null)
);

-- A payment confirmed by Daraja's query carries no receipt: "confirmed, receipt to follow" until the
-- callback or the statement brings it. Only such a payment may lack one.
alter table payments alter column mpesa_receipt drop not null;
alter table payments add constraint payments_receipt_to_follow
  check (mpesa_receipt is not null or (source = 'query' and checkout_request_id is not null));
alter table payments add column inbox_id bigint references mpesa_inbox (id);
create index payments_receipt_to_follow on payments (created_at) where mpesa_receipt is null;

-- Suspense entries belong to no invoice (yet).
alter table ledger_entries alter column invoice_id drop not null;
alter table ledger_entries add column suspense_id uuid references payment_suspense (id);
alter table ledger_entries drop constraint ledger_entries_kind_check;
alter table ledger_entries add constraint ledger_entries_kind_check
  check (kind in ('payment-received', 'revenue-recognised', 'refund', 'suspense-received', 'suspense-matched', 'suspense-refunded'));
alter table ledger_entries add constraint ledger_entries_owner check (invoice_id is not null or suspense_id is not null);
create index ledger_entries_suspense on ledger_entries (suspense_id) where suspense_id is not null;

-- Prompts: how often Daraja's query was asked without a final answer; a prompt Daraja does not know is
-- marked 'unknown' after a bounded number of tries and no longer asked about.
alter table mpesa_prompts add column query_attempts integer not null default 0;
alter table mpesa_prompts add column last_queried_at timestamptz;

-- A prompt whose sending timed out may still have reached the phone: its result can come later for a
-- CheckoutRequestID we never saw. Each such attempt is kept, and a late result is matched to it when the
-- phone and the amount fit exactly one.
create table mpesa_push_timeouts (
  id bigint generated always as identity primary key,
  invoice_id uuid not null references invoices (id),
  phone text not null,
  amount_cents bigint not null check (amount_cents > 0),
  sent_at timestamptz not null default now(),
  matched_checkout_request_id text unique
);
create index mpesa_push_timeouts_open on mpesa_push_timeouts (phone, amount_cents, sent_at) where matched_checkout_request_id is null;

-- C2B confirmations checked with Daraja's Transaction Status API (when the operator turns it on): the
-- request we sent, and the answer that comes back to the result URL.
create table mpesa_status_checks (
  originator_conversation_id text primary key,
  conversation_id text,
  inbox_id bigint not null references mpesa_inbox (id),
  receipt text not null,
  status text not null default 'pending' check (status in ('pending', 'confirmed', 'refuted')),
  asked_at timestamptz not null default now(),
  answered_at timestamptz
);
create unique index mpesa_status_checks_inbox on mpesa_status_checks (inbox_id);

-- Statement reconciliation: each imported M-Pesa organisation statement, and each difference found.
create table mpesa_statement_imports (
  id uuid primary key default gen_random_uuid(),
  file_name text not null check (length(file_name) <= 200),
  day date,
  rows_read integer not null,
  differences integer not null,
  imported_by uuid references accounts (id),
  created_at timestamptz not null default now()
);

create table mpesa_statement_differences (
  id bigint generated always as identity primary key,
  import_id uuid not null references mpesa_statement_imports (id) on delete cascade,
  kind text not null check (kind in ('not-credited', 'not-in-statement', 'amount-differs', 'receipt-completed')),
  receipt text,
  statement_amount_cents bigint,
  credited_amount_cents bigint,
  payment_id uuid references payments (id),
  suspense_id uuid references payment_suspense (id),
  details jsonb
);
create index mpesa_statement_differences_import on mpesa_statement_differences (import_id);
