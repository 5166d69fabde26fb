-- Porter schema version 11: office devices (scanners/MFPs, Internet fax machines, RFC 821 clients) with
-- the SMTP profile that applies to connections from their address or subnet, and the capabilities of
-- Internet fax recipients (an RFC 2533 feature expression, returned for RCPT TO ... CONNEG, RFC 4141).

CREATE TABLE devices (
    name          VARCHAR(64) NOT NULL PRIMARY KEY,
    -- a Cidr in its normal form (192.168.1.0/24, 10.0.0.7/32, 2001:db8::/32)
    network       VARCHAR(64) NOT NULL UNIQUE,
    may_relay     SMALLINT NOT NULL,
    max_size      BIGINT NOT NULL,
    lenient_eol   SMALLINT NOT NULL,
    port          INT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE fax_capabilities (
    address       VARCHAR(320) NOT NULL PRIMARY KEY,
    expression    VARCHAR(4000) NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
