-- Posts that msg_sec_check refused as risky (nothing else of them is stored). They count toward the daily
-- limit of posts, like the wishes posted, so the content check is not a free oracle to probe again and again.
CREATE TABLE wish_post_refusals (
    id                BIGINT       NOT NULL AUTO_INCREMENT,
    wisher_user_id    BIGINT       NOT NULL,
    wisher_member_id  BIGINT       NULL,
    community_id      BIGINT       NOT NULL,
    label             VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NULL,
    refused_at        DATETIME(6)  NOT NULL,
    PRIMARY KEY (id),
    KEY ix_wish_post_refusals_user (wisher_user_id, refused_at),
    KEY ix_wish_post_refusals_member (wisher_member_id, refused_at),
    CONSTRAINT fk_wish_post_refusals_user FOREIGN KEY (wisher_user_id) REFERENCES wechat_users (id),
    CONSTRAINT fk_wish_post_refusals_member FOREIGN KEY (wisher_member_id) REFERENCES members (id),
    CONSTRAINT fk_wish_post_refusals_community FOREIGN KEY (community_id) REFERENCES orgs (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
