-- Porter schema version 16 (issue 18): a message body on PostgreSQL is kept in pieces of at most 256 KiB,
-- one row each, written and read one piece at a time. PostgreSQL's driver reads a BYTEA value whole into
-- memory (a 25 MB message was a 25 MB array, twice over while decoded), where Derby streams its BLOB: on
-- PostgreSQL messages.body stays NULL and the body is here. Derby keeps writing messages.body as before and
-- leaves this table empty. No foreign key: the store deletes a message's pieces with the message itself, as
-- it does the attempt history (V15), so a delete on Derby never scans a dependent table.

CREATE TABLE message_chunks (
    message_id BIGINT NOT NULL,
    seq        INT NOT NULL,
    data       ${BLOB} NOT NULL,
    PRIMARY KEY (message_id, seq)
);

ALTER TABLE messages ALTER COLUMN body ${DROP_NOT_NULL};
