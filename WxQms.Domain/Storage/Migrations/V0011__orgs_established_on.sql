-- When an organisation was set up, as a date (it may predate the system by years). The yearly plan
-- gives an org only the periods that end after it: NULL means "when it was entered" (created_at).
ALTER TABLE orgs ADD COLUMN established_on DATE NULL AFTER sort_order;
