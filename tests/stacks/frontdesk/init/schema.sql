CREATE TABLE tickets (
    id bigserial PRIMARY KEY,
    title text NOT NULL,
    priority smallint NOT NULL CHECK (priority BETWEEN 1 AND 3),
    opened timestamptz NOT NULL DEFAULT now()
);
