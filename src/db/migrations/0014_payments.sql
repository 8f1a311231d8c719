-- Payments: invoices raised for applications, M-Pesa prompts sent, payments received (each M-Pesa
-- receipt credited once), refunds, and a double-entry ledger that must balance.

create table invoices (
  id uuid primary key default gen_random_uuid(),
  application_id uuid not null references applications (id),
  account_id uuid not null references accounts (id),
  agency_code text not null references agencies (code),
  -- The paybill account number the payer types: compact, upper case, at most 12 characters (Daraja's
  -- AccountReference limit), ending in a check character (services/reference.ts).
  bill_reference text not null unique check (bill_reference ~ '^[A-Z0-9]{6,12}$'),
  currency text not null check (currency in ('KES', 'USD')),
  total_cents bigint not null check (total_cents > 0),
  -- Everything received for the invoice (overpayments included) and everything refunded.
  paid_cents bigint not null default 0 check (paid_cents >= 0),
  refunded_cents bigint not null default 0 check (refunded_cents >= 0 and refunded_cents <= paid_cents),
  status text not null default 'pending' check (status in ('pending', 'partly-paid', 'paid', 'cancelled', 'refunded')),
  due_at timestamptz not null,
  paid_at timestamptz,
  created_at timestamptz not null default now(),
  check ((status in ('paid', 'refunded')) = (paid_at is not null))
);
-- One invoice per application while fees are only charged before submission.
create unique index invoices_application on invoices (application_id);
create index invoices_account on invoices (account_id, created_at desc);

create table invoice_lines (
  id uuid primary key default gen_random_uuid(),
  invoice_id uuid not null references invoices (id) on delete cascade,
  position integer not null,
  kind text not null check (kind in ('government', 'convenience')),
  fee_id text not null,
  label_en text not null,
  label_sw text not null,
  amount_cents bigint not null check (amount_cents > 0),
  unique (invoice_id, position)
);

-- STK push prompts we sent: a callback or query result is accepted only for one of these.
create table mpesa_prompts (
  checkout_request_id text primary key,
  merchant_request_id text not null,
  invoice_id uuid not null references invoices (id),
  phone text not null,
  amount_cents bigint not null check (amount_cents > 0),
  status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed', 'cancelled', 'timeout', 'unknown')),
  result_code integer,
  result_desc text,
  created_at timestamptz not null default now(),
  settled_at timestamptz,
  check ((status = 'pending') = (settled_at is null))
);
-- The reconciliation job reads the pending ones, oldest first.
create index mpesa_prompts_pending on mpesa_prompts (created_at) where status = 'pending';
create index mpesa_prompts_invoice on mpesa_prompts (invoice_id, created_at desc);

create table payments (
  id uuid primary key default gen_random_uuid(),
  invoice_id uuid not null references invoices (id),
  source text not null check (source in ('stk', 'c2b', 'query')),
  -- M-Pesa's receipt (STK MpesaReceiptNumber, C2B TransID): the deduplication key of every claim.
  mpesa_receipt text not null unique check (length(mpesa_receipt) between 1 and 40),
  amount_cents bigint not null check (amount_cents > 0),
  currency text not null check (currency in ('KES', 'USD')),
  phone text,
  paid_at timestamptz not null,
  -- A prompt is paid at most once: a query's answer (which carries no receipt) and the callback (which
  -- does) for the same prompt make one payment.
  checkout_request_id text unique references mpesa_prompts (checkout_request_id),
  bill_reference text,
  -- The claim as it came (callback body, query answer), for audit.
  raw jsonb not null,
  -- Our own receipt number, printed on the receipt and checked at /verify.
  receipt_number text not null unique,
  -- The part of this payment beyond what the invoice still owed: held for refund.
  overpaid_cents bigint not null default 0 check (overpaid_cents >= 0 and overpaid_cents <= amount_cents),
  flagged_reason text check (flagged_reason in ('underpayment', 'overpayment', 'amount-mismatch', 'currency-mismatch', 'invoice-closed')),
  created_at timestamptz not null default now()
);
create index payments_invoice on payments (invoice_id, paid_at);
create index payments_paid_at on payments (paid_at);
create index payments_flagged on payments (created_at) where flagged_reason is not null;

create table refunds (
  id uuid primary key default gen_random_uuid(),
  invoice_id uuid not null references invoices (id),
  amount_cents bigint not null check (amount_cents > 0),
  reason text not null check (length(reason) between 1 and 1000),
  actor_account_id uuid references accounts (id),
  created_at timestamptz not null default now()
);
create index refunds_invoice on refunds (invoice_id);

-- Double entry: each entry's lines debit and credit the same total (checked at commit, below).
create table ledger_entries (
  id uuid primary key default gen_random_uuid(),
  invoice_id uuid not null references invoices (id),
  payment_id uuid references payments (id),
  refund_id uuid references refunds (id),
  kind text not null check (kind in ('payment-received', 'revenue-recognised', 'refund')),
  created_at timestamptz not null default now()
);
create index ledger_entries_invoice on ledger_entries (invoice_id);

create table ledger_lines (
  id uuid primary key default gen_random_uuid(),
  entry_id uuid not null references ledger_entries (id),
  -- mpesa-paybill, customer-clearing, agency-revenue:<AGENCY>, platform-convenience-fees, refunds-payable
  account text not null check (account ~ '^[a-z-]+(:[A-Z]{2,5})?$'),
  currency text not null check (currency in ('KES', 'USD')),
  debit_cents bigint not null default 0 check (debit_cents >= 0),
  credit_cents bigint not null default 0 check (credit_cents >= 0),
  check ((debit_cents = 0) <> (credit_cents = 0))
);
create index ledger_lines_entry on ledger_lines (entry_id);
create index ledger_lines_account on ledger_lines (account);

-- Checked when the transaction commits, after all of an entry's lines are in: an entry that does not
-- balance in every currency, or has no lines, aborts the whole transaction.
create function ledger_entry_balances() returns trigger language plpgsql as $$
begin
  if exists (
    select 1 from ledger_lines where entry_id = new.entry_id
    group by currency having sum(debit_cents) <> sum(credit_cents)
  ) then
    raise exception 'ledger entry % does not balance', new.entry_id using errcode = '23514';
  end if;
  return null;
end $$;

create constraint trigger ledger_lines_balance after insert or update on ledger_lines
  deferrable initially deferred for each row execute function ledger_entry_balances();

-- The ledger is append-only: a correction is a new entry.
create function ledger_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'the ledger is append-only' using errcode = '42501';
end $$;
create trigger ledger_entries_append_only before update or delete on ledger_entries for each row execute function ledger_append_only();
create trigger ledger_lines_append_only before update or delete on ledger_lines for each row execute function ledger_append_only();
