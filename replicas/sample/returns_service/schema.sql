CREATE TABLE IF NOT EXISTS drivers (
    id          serial PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    active      boolean NOT NULL DEFAULT true
);

CREATE TABLE IF NOT EXISTS orders (
    id              bigserial PRIMARY KEY,
    customer        text NOT NULL,
    pickup_address  text NOT NULL,
    items           integer NOT NULL CHECK (items > 0),
    status          text NOT NULL DEFAULT 'pending',
    driver_id       integer REFERENCES drivers (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);

INSERT INTO drivers (name, active) VALUES
    ('Ada', true), ('Grace', true), ('Linus', true), ('Barbara', false), ('Ken', true)
ON CONFLICT (name) DO NOTHING;

-- Payments the provider could not take while the fallback was on, completed later.
CREATE TABLE IF NOT EXISTS payment_queue (
    order_id    bigint PRIMARY KEY REFERENCES orders (id),
    queued_at   timestamptz NOT NULL DEFAULT now()
);
