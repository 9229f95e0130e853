-- The community showcase (最in社区, issue #20 item 3): a community's introduction as the office writes it, and its 3D
-- panoramas: equirectangular photos (2:1) named as scenes (党群服务中心 大厅, 会议室 …) and the hotspots that link them.
CREATE TABLE community_profiles (
    org_id                BIGINT        NOT NULL,
    introduction          TEXT          NOT NULL,
    updated_at            DATETIME(6)   NOT NULL,
    updated_by_member_id  BIGINT        NULL,
    PRIMARY KEY (org_id),
    CONSTRAINT fk_community_profiles_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

CREATE TABLE panorama_scenes (
    id            BIGINT        NOT NULL AUTO_INCREMENT,
    org_id        BIGINT        NOT NULL,
    name          VARCHAR(30)   NOT NULL,
    sha256        CHAR(64)      CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    size_bytes    BIGINT        NOT NULL,
    content_type  VARCHAR(32)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    storage_path  VARCHAR(255)  NOT NULL,
    width         INT           NOT NULL,
    height        INT           NOT NULL,
    created_at    DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY ux_panorama_scenes_name (org_id, name),
    CONSTRAINT fk_panorama_scenes_org FOREIGN KEY (org_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;

-- A hotspot of a scene: where it sits (pitch −90…90, yaw −180…180 degrees) and the scene of the same community it opens.
CREATE TABLE panorama_hotspots (
    id               BIGINT        NOT NULL AUTO_INCREMENT,
    scene_id         BIGINT        NOT NULL,
    target_scene_id  BIGINT        NOT NULL,
    pitch            DECIMAL(5,2)  NOT NULL,
    yaw              DECIMAL(5,2)  NOT NULL,
    label            VARCHAR(30)   NOT NULL,
    created_at       DATETIME(6)   NOT NULL,
    PRIMARY KEY (id),
    KEY ix_panorama_hotspots_scene (scene_id),
    CONSTRAINT fk_panorama_hotspots_scene FOREIGN KEY (scene_id) REFERENCES panorama_scenes (id),
    CONSTRAINT fk_panorama_hotspots_target FOREIGN KEY (target_scene_id) REFERENCES panorama_scenes (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
