-- Porter schema version 2: what POP3 (issue 4) needs.
-- Per-user mailbox quota in octets; 0 means no quota.
ALTER TABLE users ADD COLUMN quota_octets BIGINT DEFAULT 0 NOT NULL;

-- APOP secrets (RFC 1939 section 7), only for users the admin enabled APOP for. APOP needs the
-- secret itself, so it is stored apart from the login hash, encrypted (AES-GCM) with the box's key
-- file (DATA/keys/apop.key), never in the clear; the user's address is the cipher's associated
-- data, so a row copied to another user does not decrypt.
CREATE TABLE apop_secrets (
    user_id     BIGINT NOT NULL PRIMARY KEY REFERENCES users (id),
    secret      VARCHAR(1000) NOT NULL
);
