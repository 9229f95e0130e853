-- Administration (#16): the duty catalogue as data. One row per version of a duty, every field of a TaskTemplate
-- plus the regulation or document clause it cites (source), who added it and when. A version is in force from
-- effective_from until the next version of the same code; tasks keep (template_code, template_version), so a row
-- that tasks use is never changed. The built-in catalogue (TaskCatalogue.Default) is written as version 1 of each
-- duty by DutyStore the first time the catalogue is read (idempotent: INSERT IGNORE on the key).
CREATE TABLE duty_versions (
    code                   VARCHAR(48)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    version                INT           NOT NULL,
    effective_from         DATE          NOT NULL,
    name                   VARCHAR(64)   NOT NULL,
    source                 VARCHAR(500)  NOT NULL,
    recurrence_kind        VARCHAR(16)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    within_quarter         INT           NULL,
    per_party_group        BOOL          NOT NULL,
    applies_kind           VARCHAR(24)   CHARACTER SET ascii COLLATE ascii_bin NULL,
    committee_only         BOOL          NOT NULL,
    community_level_only   BOOL          NOT NULL,
    plan_required          BOOL          NOT NULL,
    plan_days_ahead        INT           NOT NULL,
    min_photos             INT           NOT NULL,
    attendance_required    BOOL          NOT NULL,
    quorum                 VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    minutes_required       BOOL          NOT NULL,
    place_required         BOOL          NOT NULL,
    topic_required         BOOL          NOT NULL,
    record_label           VARCHAR(64)   NOT NULL,
    points                 DECIMAL(8,2)  NOT NULL,
    late_deduction         DECIMAL(8,2)  NOT NULL,
    overdue_deduction      DECIMAL(8,2)  NOT NULL,
    organiser_days_before  INT           NOT NULL,
    members_day_before     BOOL          NOT NULL,
    same_day_warning       BOOL          NOT NULL,
    escalate_after_days    INT           NULL,
    plan_report_after_days INT           NOT NULL,
    added_by               VARCHAR(64)   NOT NULL,
    added_by_member_id     BIGINT        NULL,
    added_at               DATETIME(6)   NOT NULL,
    PRIMARY KEY (code, version),
    UNIQUE KEY ux_duty_versions_effective (code, effective_from)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
