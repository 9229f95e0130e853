-- The trail of every action (痕迹化管理). Append-only: the store only inserts, and the triggers in
-- the next migration refuse UPDATE and DELETE for everyone, the application included.
CREATE TABLE audit_log (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    occurred_at  DATETIME(6)  NOT NULL,
    actor        VARCHAR(64)  NOT NULL,
    actor_member_id BIGINT    NULL,
    action       VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    entity_type  VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    entity_id    BIGINT       NULL,
    org_id       BIGINT       NULL,
    data         TEXT         NULL,
    PRIMARY KEY (id),
    KEY ix_audit_entity (entity_type, entity_id, id),
    KEY ix_audit_org (org_id, occurred_at),
    KEY ix_audit_time (occurred_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
