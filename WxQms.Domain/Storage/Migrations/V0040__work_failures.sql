-- How often a worker failed on a row (an exception while handling it, not a refusal by WeChat). A worker catches
-- the failure, counts it here and goes on with the rest of its batch; its claim skips rows that failed too often,
-- so one row with data the code cannot handle neither blocks a batch nor is claimed forever.
-- (wechat_inbound counts its attempts already.)
ALTER TABLE tasks ADD COLUMN overdue_failures INT NOT NULL DEFAULT 0, ADD COLUMN reminder_failures INT NOT NULL DEFAULT 0;
ALTER TABLE reminders ADD COLUMN failures INT NOT NULL DEFAULT 0;
ALTER TABLE wishes ADD COLUMN confirm_failures INT NOT NULL DEFAULT 0;
