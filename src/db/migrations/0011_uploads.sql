-- Files people upload with their applications (identity documents, certificates, photos). The bytes live
-- in a file store outside the web root (DATA_DIR/uploads, later perhaps an S3-compatible bucket); this
-- table is the only way to find them, and says who may fetch them.
create table uploads (
  id uuid primary key default gen_random_uuid(),
  -- A discarded application takes its rows with it; the bytes stay in the store until a sweep removes
  -- keys no row names (UploadService.remove deletes both when it is the one removing).
  application_id uuid not null references applications (id) on delete cascade,
  question_id text not null check (question_id ~ '^[A-Za-z][A-Za-z0-9]{0,63}$'),
  -- As the person's device named it (shown back to them); never used as a path or a header value.
  original_name text not null check (char_length(original_name) between 1 and 255),
  -- ASCII only: what the download's Content-Disposition carries for clients that ignore filename*.
  safe_name text not null check (safe_name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$'),
  media_type text not null check (media_type in ('application/pdf', 'image/jpeg', 'image/png')),
  size_bytes integer not null check (size_bytes > 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  storage_key text not null unique,
  uploaded_by uuid not null references accounts (id),
  created_at timestamptz not null default now()
);

create index uploads_application on uploads (application_id, question_id);
