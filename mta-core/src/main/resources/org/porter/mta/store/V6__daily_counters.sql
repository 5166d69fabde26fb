-- Porter schema version 6: daily counters for the admin's statistics (messages in/out/local/rejected,
-- calls, connected time, bytes on the line), kept as mail and calls happen, in the same transaction
-- as the event where there is one, so they survive restarts and log rotation. Each counter is split
-- over a few stripes (rows) so that concurrent transactions rarely wait for each other's row lock.

CREATE TABLE daily_counters (
    count_day DATE NOT NULL,
    counter   VARCHAR(32) NOT NULL,
    stripe    SMALLINT NOT NULL,
    amount    BIGINT NOT NULL,
    PRIMARY KEY (count_day, counter, stripe)
);
