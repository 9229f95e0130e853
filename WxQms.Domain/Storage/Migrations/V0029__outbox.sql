-- The reminder rows become the outbox of every notice, not only a task's reminders: a row names its
-- subject (a task, a wish…) and its recipient (a member, or a WeChat user without a member record, such
-- as a resident), and a notice that is not a task reminder carries its rendered content.
ALTER TABLE reminders
    MODIFY task_id BIGINT NULL,
    MODIFY member_id BIGINT NULL,
    ADD COLUMN subject_type   VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'task' AFTER id,
    ADD COLUMN subject_id     BIGINT       NULL AFTER subject_type,
    ADD COLUMN wechat_user_id BIGINT       NULL AFTER member_id,
    ADD COLUMN recipient      VARCHAR(24)  CHARACTER SET ascii COLLATE ascii_bin NULL AFTER wechat_user_id,
    ADD COLUMN template_key   VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    ADD COLUMN content        TEXT         NULL;

UPDATE reminders SET subject_id = task_id, recipient = CONCAT('m:', member_id) WHERE subject_id IS NULL;

ALTER TABLE reminders
    MODIFY recipient VARCHAR(24) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    MODIFY subject_id BIGINT NOT NULL,
    ADD UNIQUE KEY ux_reminders_notice (subject_type, subject_id, kind, recipient),
    ADD CONSTRAINT fk_reminders_wechat_user FOREIGN KEY (wechat_user_id) REFERENCES wechat_users (id);
