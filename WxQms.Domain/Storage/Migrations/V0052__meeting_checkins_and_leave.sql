-- Members' own part of a meeting (#18): the check-in codes a secretary shows (one row per 30-second code: its
-- official-account scene and the url its QR image encodes, so WeChat's scanner and wx.scanCode both find it), the
-- check-ins (one per member and meeting; late when after the planned start and its grace; by scan or by hand),
-- and the leave requests (请假: one per member and meeting, pending until the secretary approves or refuses).
CREATE TABLE checkin_codes (
    scene       VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    task_id     BIGINT        NOT NULL,
    url         VARCHAR(255)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    issued_at   DATETIME(6)   NOT NULL,
    issued_by   BIGINT        NOT NULL,
    PRIMARY KEY (scene),
    KEY ix_checkin_codes_url (url),
    KEY ix_checkin_codes_task (task_id, issued_at),
    CONSTRAINT fk_checkin_codes_task FOREIGN KEY (task_id) REFERENCES tasks (id),
    CONSTRAINT fk_checkin_codes_member FOREIGN KEY (issued_by) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE meeting_checkins (
    task_id        BIGINT       NOT NULL,
    member_id      BIGINT       NOT NULL,
    checked_in_at  DATETIME(6)  NOT NULL,
    late           BOOL         NOT NULL,
    via            VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    marked_by      BIGINT       NULL,
    PRIMARY KEY (task_id, member_id),
    KEY ix_meeting_checkins_member (member_id, checked_in_at),
    CONSTRAINT fk_meeting_checkins_task FOREIGN KEY (task_id) REFERENCES tasks (id),
    CONSTRAINT fk_meeting_checkins_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE leave_requests (
    id            BIGINT        NOT NULL AUTO_INCREMENT,
    task_id       BIGINT        NOT NULL,
    member_id     BIGINT        NOT NULL,
    reason        VARCHAR(200)  NOT NULL,
    state         VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    requested_at  DATETIME(6)   NOT NULL,
    decided_at    DATETIME(6)   NULL,
    decided_by    BIGINT        NULL,
    note          VARCHAR(200)  NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_leave_requests_task_member (task_id, member_id),
    KEY ix_leave_requests_member (member_id, requested_at),
    CONSTRAINT fk_leave_requests_task FOREIGN KEY (task_id) REFERENCES tasks (id),
    CONSTRAINT fk_leave_requests_member FOREIGN KEY (member_id) REFERENCES members (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
