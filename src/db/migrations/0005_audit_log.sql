-- Who did what, to what, from where, and how it ended. Append-only: the database itself refuses to
-- change or remove an entry, so not even a bug in the application can rewrite history.
create table audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  actor_id text,
  actor_role text,
  action text not null check (action ~ '^[a-z][a-z0-9_.-]*$'),
  subject_type text,
  subject_id text,
  outcome text not null check (outcome in ('success', 'failure', 'denied')),
  ip text,
  request_id text,
  details jsonb not null default '{}'::jsonb
);

create index audit_log_subject on audit_log (subject_type, subject_id, occurred_at desc);
create index audit_log_actor on audit_log (actor_id, occurred_at desc);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only';
end
$$;

create trigger audit_log_append_only
  before update or delete on audit_log
  for each row execute function audit_log_is_append_only();
