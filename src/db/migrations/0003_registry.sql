-- The embedded population and business registries: a stand-in for the national registers (population
-- register, business registry) that registration checks identities against. A deployment connected to
-- the real registers reads them over HTTP instead and leaves these tables empty.
--
-- Identifier shapes are checked loosely on purpose: the published shapes are soft (national ID 7–8
-- digits, alien card numbers unpublished, business numbers of several generations), and a register
-- must never refuse a real record because our guess at its shape was too narrow.

create table registry_people (
  -- Minors have no ID number yet, so the key is our own; people are found by their numbers.
  id bigint generated always as identity primary key,
  -- National ID number (citizens) or alien card number (foreign residents); none for minors.
  id_number text unique check (id_number ~ '^[0-9]{6,12}$'),
  kind text not null check (kind in ('citizen', 'resident', 'minor')),
  first_name text not null check (length(trim(first_name)) between 1 and 100),
  middle_name text check (length(trim(middle_name)) between 1 and 100),
  last_name text not null check (length(trim(last_name)) between 1 and 100),
  date_of_birth date not null check (date_of_birth >= date '1900-01-01'),
  sex text not null check (sex in ('F', 'M')),
  county text not null check (county in (
    'Mombasa', 'Kwale', 'Kilifi', 'Tana River', 'Lamu', 'Taita-Taveta', 'Garissa', 'Wajir', 'Mandera',
    'Marsabit', 'Isiolo', 'Meru', 'Tharaka-Nithi', 'Embu', 'Kitui', 'Machakos', 'Makueni', 'Nyandarua',
    'Nyeri', 'Kirinyaga', 'Murang''a', 'Kiambu', 'Turkana', 'West Pokot', 'Samburu', 'Trans Nzoia',
    'Uasin Gishu', 'Elgeyo-Marakwet', 'Nandi', 'Baringo', 'Laikipia', 'Nakuru', 'Narok', 'Kajiado',
    'Kericho', 'Bomet', 'Kakamega', 'Vihiga', 'Bungoma', 'Busia', 'Siaya', 'Kisumu', 'Homa Bay', 'Migori',
    'Kisii', 'Nyamira', 'Nairobi'
  )),
  -- Birth-certificate entry number. Every minor has one; an adult keeps theirs when it is known.
  birth_certificate_number text unique check (birth_certificate_number ~ '^[0-9]{6,12}$'),
  -- The parent a child is registered to. Kept after the child grows up: "under 18" is a question of the
  -- date of birth on the day it is asked, never a stored flag that goes stale.
  parent_id_number text references registry_people (id_number),
  -- ISO 3166-1 alpha-2 code of a foreign resident's nationality.
  nationality text check (nationality ~ '^[A-Z]{2}$' and nationality <> 'KE'),
  check (parent_id_number is distinct from id_number),
  check (case kind
    when 'minor' then id_number is null and birth_certificate_number is not null and parent_id_number is not null
      and nationality is null
    when 'citizen' then id_number is not null and nationality is null
    when 'resident' then id_number is not null and nationality is not null
  end)
);

-- childrenOf: a parent's children, youngest first.
create index registry_people_parent on registry_people (parent_id_number, date_of_birth desc)
  where parent_id_number is not null;

create table registry_businesses (
  -- BN-XXXXXXX (business name), PVT-XXXXXXX (private company), CLG-, PLC-, LLP-, and older forms such
  -- as C.123456 or CPR/2015/123: upper case, trimmed, no spaces.
  registration_number text primary key check (registration_number ~ '^[A-Z0-9][A-Z0-9./-]{2,39}$'),
  name text not null check (length(trim(name)) between 1 and 200),
  kind text not null check (kind in ('business_name', 'private_company', 'public_company', 'guarantee_company', 'llp')),
  registered_on date not null check (registered_on >= date '1900-01-01')
);

-- Directors of a company; for a business name, its proprietors or partners.
create table registry_business_directors (
  business_number text not null references registry_businesses (registration_number) on delete cascade,
  director_id_number text not null references registry_people (id_number),
  primary key (business_number, director_id_number)
);

-- businessesDirectedBy: the businesses one person directs.
create index registry_business_directors_director on registry_business_directors (director_id_number);
