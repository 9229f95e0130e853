-- Wrong answers in the binding dialogue (issue #15), one row per answer, with the member of the code's branch
-- whose name it gave (the first of namesakes; NULL when it named nobody there). The dialogue's own limit counts a user's
-- rows, so scanning again starts no fresh count; the rows of a member and of a code limit guessing from many
-- WeChat users at once. Kept in MySQL, so the limits hold whatever happens to Redis.
CREATE TABLE bind_attempts (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    app_id        VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    openid        VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    code_id       BIGINT       NOT NULL,
    member_id     BIGINT       NULL,
    attempted_at  DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_bind_attempts_user (app_id, openid, attempted_at),
    KEY ix_bind_attempts_code (code_id, attempted_at),
    KEY ix_bind_attempts_member (member_id, attempted_at),
    CONSTRAINT fk_bind_attempts_code FOREIGN KEY (code_id) REFERENCES bind_codes (id),
    CONSTRAINT fk_bind_attempts_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
