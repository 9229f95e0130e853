-- A community (社区): the org residents name when they post a wish, whatever its kind. Most communities are 社区党委,
-- but a small one may be a 党总支 or even a 党支部 right under the subdistrict, and not every org there is a community
-- (the subdistrict office's own branch is not). Until now "right under the subdistrict" stood for it; those orgs and
-- every 社区党委 start as communities, and office staff change the flag in the console.
ALTER TABLE orgs ADD COLUMN is_community BOOLEAN NOT NULL DEFAULT FALSE AFTER kind;
UPDATE orgs SET is_community = TRUE WHERE (depth = 1 OR kind = 'community_committee') AND dissolved_on IS NULL;
