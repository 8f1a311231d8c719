-- Agency finance staff: they match their agency's unmatched M-Pesa money to an invoice, or refund it,
-- with four eyes (the suspense account). Like the other agency roles they belong to exactly one agency.
-- Both checks of 0006_accounts.sql were unnamed: PostgreSQL named them accounts_role_check (the column's)
-- and accounts_check (the first table check); they are replaced, and the second now has a name of its own.
alter table accounts drop constraint accounts_role_check;
alter table accounts add constraint accounts_role_check
  check (role in ('citizen', 'agency_officer', 'agency_supervisor', 'agency_admin', 'agency_finance', 'support_agent', 'platform_admin'));

alter table accounts drop constraint accounts_check;
alter table accounts add constraint accounts_agency_staff
  check ((role in ('agency_officer', 'agency_supervisor', 'agency_admin', 'agency_finance')) = (agency_code is not null));
