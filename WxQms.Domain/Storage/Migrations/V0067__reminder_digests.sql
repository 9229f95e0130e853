-- The 08:00 burst (#25). A round's reminders of one kind to one person go out as one digest: every row of it
-- names the row that carried the message (digest_id; the carrier names itself), so each ends up marked as sent
-- as part of that digest. The senders claim the most urgent rows first: warnings, then the members' T−1, then
-- the rest (urgency, from the kind), through ix_reminders_claim.
ALTER TABLE reminders
    ADD COLUMN digest_id BIGINT NULL,
    ADD COLUMN urgency   TINYINT AS (CASE kind WHEN 'warning' THEN 0 WHEN 'members' THEN 1 ELSE 2 END) STORED,
    ADD KEY ix_reminders_digest (digest_id),
    ADD KEY ix_reminders_claim (status, urgency, due_at, id);
