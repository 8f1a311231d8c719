-- "Report a problem with this page": what people tell us, in their own words. No account needed.
create table feedback (
  id bigint generated always as identity primary key,
  idempotency_key uuid not null unique,
  page text not null default '',
  what_doing text not null default '',
  what_wrong text not null,
  language text not null check (language in ('en', 'sw')),
  created_at timestamptz not null default now()
);
