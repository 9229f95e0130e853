-- Member points of a month and of a year are sums over entries booked in a time range; covering index.
CREATE INDEX ix_points_ledger_assess_time ON points_ledger (subject_type, created_at, subject_id, points);
