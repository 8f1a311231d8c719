-- The agencies that offer services through the portal. Codes are short and stable (DIS, NTSA, ...):
-- service definitions, staff accounts and ledger accounts refer to them.
create table agencies (
  code text primary key check (code ~ '^[A-Z][A-Z0-9]{1,15}$'),
  name_en text not null,
  name_sw text not null,
  summary_en text not null default '',
  summary_sw text not null default '',
  created_at timestamptz not null default now()
);
