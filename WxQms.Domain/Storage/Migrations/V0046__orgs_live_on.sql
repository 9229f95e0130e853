-- Go-live: the day an organisation starts using the system (NULL: as its nearest ancestor with a date; NULL all the
-- way up: no limit). Unlike established_on (when the org was set up, a fact of its history), live_on says from when the
-- system plans, reminds, warns, marks overdue and scores its duties: no task is planned whose due time is before it.
ALTER TABLE orgs ADD COLUMN live_on DATE NULL AFTER established_on;
