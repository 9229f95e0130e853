-- The upload sweep (issue 15): unused uploads past their 24 hours are found by (used_at, created_at), and a
-- photo file is deleted only when no row of any table names its hash, so each table that keeps a photo can
-- be asked by sha256 (wish_photos and inbound_media have such an index already).
ALTER TABLE uploads ADD KEY ix_uploads_unused (used_at, created_at), ADD KEY ix_uploads_sha (sha256);
ALTER TABLE evidence_photos ADD KEY ix_evidence_photos_sha (sha256);
ALTER TABLE task_chat_photos ADD KEY ix_task_chat_photos_sha (sha256);
