-- Revocation (issue #15): a mini-program token carries the member's token_version at issue; unbinding, a role
-- change or leaving the roll adds one, and a token with an older version is refused (checked through a cache
-- of a few seconds, see TokenVersions).
ALTER TABLE members ADD COLUMN token_version INT NOT NULL DEFAULT 0;
