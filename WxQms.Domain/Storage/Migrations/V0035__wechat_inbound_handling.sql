-- The delivery being handled holds the row until handling_until. A retried delivery that finds no reply
-- and the hold run out (the first handler failed, or its process died mid-way) handles the message itself,
-- so a push is never left acknowledged with "success" and no effect. Failed handling releases the hold
-- instead of deleting the row, which rows written meanwhile (chat photos, downloads) may reference.
ALTER TABLE wechat_inbound ADD COLUMN handling_until DATETIME(6) NULL AFTER received_at;
