-- The service catalogue as people search it: one row per service (its latest version), rebuilt from the
-- definition files at every start by syncCatalogue. The files stay the source of truth; the table exists
-- so that PostgreSQL's text search ranks and filters thousands of services without loading them all.
-- No foreign key to agencies: the loader already checks agency codes, and a fresh database gets its
-- agencies from the seed, which may run after the catalogue is synced.
create table catalogue_entries (
  slug text primary key check (slug ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$'),
  agency text not null,
  version integer not null check (version > 0),
  name_en text not null,
  name_sw text not null,
  summary_en text not null,
  summary_sw text not null,
  categories text[] not null default '{}',
  -- English is stemmed ("applying" finds "apply"); PostgreSQL has no Kiswahili configuration, so the
  -- Kiswahili words are kept as they are ('simple'). Names weigh more than summaries.
  search_en tsvector generated always as (
    setweight(to_tsvector('english', name_en), 'A') || setweight(to_tsvector('english', summary_en), 'B')
  ) stored,
  search_sw tsvector generated always as (
    setweight(to_tsvector('simple', name_sw), 'A') || setweight(to_tsvector('simple', summary_sw), 'B')
  ) stored,
  -- Unstemmed words of both languages, for the prefix fallback: a stem ('passport') cannot be matched
  -- by a partial word reliably once stemmed, a plain word can ('passp:*').
  search_words tsvector generated always as (
    setweight(to_tsvector('simple', name_en || ' ' || name_sw), 'A')
      || setweight(to_tsvector('simple', summary_en || ' ' || summary_sw), 'B')
  ) stored,
  synced_at timestamptz not null default now()
);
create index catalogue_entries_search_en on catalogue_entries using gin (search_en);
create index catalogue_entries_search_sw on catalogue_entries using gin (search_sw);
create index catalogue_entries_search_words on catalogue_entries using gin (search_words);
create index catalogue_entries_categories on catalogue_entries using gin (categories);
create index catalogue_entries_agency on catalogue_entries (agency);
