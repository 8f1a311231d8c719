-- Appointments at offices (Nyayo House, DCI Headquarters, Huduma Centres): biometrics, fingerprints,
-- collection. Each office offers a service in slots with a capacity; a booking takes one place.

create table offices (
  code text primary key check (code ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
  name_en text not null check (length(name_en) between 1 and 120),
  name_sw text not null check (length(name_sw) between 1 and 120),
  county text not null,
  address text not null check (length(address) between 1 and 300),
  -- The agencies with a desk here. Which services each offers is told by the slots it has.
  agencies text[] not null check (cardinality(agencies) > 0),
  updated_at timestamptz not null default now()
);

create table appointment_slots (
  id uuid primary key default gen_random_uuid(),
  office_code text not null references offices (code),
  agency_code text not null references agencies (code),
  service_slug text not null,
  starts_at timestamptz not null,
  ends_at timestamptz not null check (ends_at > starts_at),
  capacity integer not null check (capacity >= 0),
  -- Kept with the slot and changed only by `booked = booked + 1 ... where booked < capacity` in the
  -- transaction that writes the booking: concurrent bookings queue on the row, and the check below makes
  -- overselling impossible even for a query that forgets the condition.
  booked integer not null default 0 check (booked >= 0),
  check (booked <= capacity),
  unique (office_code, service_slug, starts_at)
);

-- Free slots of one service at one office, in time order: the booking page's one query.
create index appointment_slots_by_service on appointment_slots (agency_code, service_slug, office_code, starts_at);

create table appointment_bookings (
  id uuid primary key default gen_random_uuid(),
  -- No cascade: removing an application with a live booking would leave its place taken for ever.
  application_id uuid not null references applications (id),
  slot_id uuid not null references appointment_slots (id),
  -- What the person shows at the office: eight characters without 0/O, 1/I/L, in two groups (ABCD-2345).
  code text not null unique check (code ~ '^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$'),
  status text not null default 'booked' check (status in ('booked', 'cancelled')),
  created_at timestamptz not null default now(),
  changed_at timestamptz not null default now()
);

-- One live appointment per application: a second concurrent booking fails here and rolls back its seat.
create unique index appointment_bookings_one_live on appointment_bookings (application_id) where status = 'booked';
create index appointment_bookings_slot on appointment_bookings (slot_id) where status = 'booked';
