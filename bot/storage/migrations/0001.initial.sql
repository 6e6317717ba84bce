-- The PostgreSQL store's first schema (bot/storage/postgres.py tells what each table holds).
-- depends:

CREATE TABLE chats (
    chat_id bigint PRIMARY KEY,
    paused boolean NOT NULL DEFAULT false,
    held_until timestamptz,
    settings jsonb
);

CREATE TABLE follows (
    chat_id bigint NOT NULL REFERENCES chats ON DELETE CASCADE,
    target text NOT NULL,
    position bigserial,
    muted boolean NOT NULL DEFAULT false,
    settings jsonb,
    PRIMARY KEY (chat_id, target)
);
CREATE INDEX follows_by_target ON follows (target);

CREATE TABLE targets (
    target text PRIMARY KEY,
    state jsonb
);

CREATE TABLE deliveries (
    id bigserial PRIMARY KEY,
    chat_id bigint NOT NULL,
    target text NOT NULL,
    key text NOT NULL,
    same_as text[] NOT NULL DEFAULT '{}',
    text text NOT NULL,
    status text NOT NULL,
    unsure boolean NOT NULL DEFAULT false,
    told_topic text,
    told_value text,
    bundle jsonb,
    created_at timestamptz NOT NULL,
    sent_at timestamptz
);
CREATE INDEX deliveries_pending ON deliveries (id) WHERE status = 'pending';
CREATE INDEX deliveries_by_chat ON deliveries (chat_id);

CREATE TABLE sent_keys (
    chat_id bigint NOT NULL,
    target text NOT NULL,
    key text NOT NULL,
    day date NOT NULL,
    PRIMARY KEY (chat_id, key, target)
);
CREATE INDEX sent_keys_by_day ON sent_keys (day);

CREATE TABLE told (
    chat_id bigint NOT NULL,
    target text NOT NULL,
    topic text NOT NULL,
    value text NOT NULL,
    told_at timestamptz NOT NULL,
    PRIMARY KEY (chat_id, target, topic)
);

CREATE TABLE digests (
    chat_id bigint PRIMARY KEY,
    due timestamptz NOT NULL
);

CREATE TABLE history (
    target text NOT NULL,
    at bigint NOT NULL,
    value bigint NOT NULL,
    PRIMARY KEY (target, at)
);
