-- The audit trail grows for years and is never updated or deleted (#22 item 2): it is partitioned by month, so that
-- a month's entries sit together (an export of an old month reads one partition) and the table can grow without its
-- indexes slowing every insert. Partitioning needs the month's column in every unique key: the key becomes
-- (id, occurred_at); id stays AUTO_INCREMENT and unique in practice. The `retention` job adds the coming months'
-- partitions (AuditPartitions) by splitting p_future; everything before 2026 sits in p_before.
ALTER TABLE audit_log DROP PRIMARY KEY, ADD PRIMARY KEY (id, occurred_at);

ALTER TABLE audit_log PARTITION BY RANGE COLUMNS (occurred_at) (
    PARTITION p_before VALUES LESS THAN ('2026-01-01'),
    PARTITION p202601 VALUES LESS THAN ('2026-02-01'),
    PARTITION p202602 VALUES LESS THAN ('2026-03-01'),
    PARTITION p202603 VALUES LESS THAN ('2026-04-01'),
    PARTITION p202604 VALUES LESS THAN ('2026-05-01'),
    PARTITION p202605 VALUES LESS THAN ('2026-06-01'),
    PARTITION p202606 VALUES LESS THAN ('2026-07-01'),
    PARTITION p202607 VALUES LESS THAN ('2026-08-01'),
    PARTITION p202608 VALUES LESS THAN ('2026-09-01'),
    PARTITION p202609 VALUES LESS THAN ('2026-10-01'),
    PARTITION p202610 VALUES LESS THAN ('2026-11-01'),
    PARTITION p202611 VALUES LESS THAN ('2026-12-01'),
    PARTITION p202612 VALUES LESS THAN ('2027-01-01'),
    PARTITION p202701 VALUES LESS THAN ('2027-02-01'),
    PARTITION p_future VALUES LESS THAN (MAXVALUE)
);
