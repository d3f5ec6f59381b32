-- Accounts: families, users, memberships, invites, sessions.
--
-- Conventions every later migration follows:
--   * ids are UUIDs from gen_random_uuid() (built into PostgreSQL 13+);
--   * every family-owned row carries family_id, indexed, with ON DELETE CASCADE;
--   * created_at/updated_at are timestamptz maintained by the database
--     (familyhub_touch_updated_at below), never by the application.

-- +goose Up
-- +goose StatementBegin
-- An UPDATE that changes nothing keeps updated_at, so that it is no news
-- for the event triggers either (they skip rows whose OLD equals NEW).
CREATE FUNCTION familyhub_touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.updated_at := now();
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd

CREATE TABLE families (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    -- IANA zone name; "today" for tasks and the daily generator is computed in it.
    time_zone  text NOT NULL DEFAULT 'UTC' CHECK (char_length(time_zone) BETWEEN 1 AND 64),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER families_touch BEFORE UPDATE ON families
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    -- Stored lower-cased by the application; the CHECK keeps psql edits honest.
    email         text NOT NULL CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    -- argon2id in PHC string form: $argon2id$v=19$m=...,t=...,p=...$salt$hash
    password_hash text NOT NULL,
    display_name  text NOT NULL CHECK (char_length(display_name) BETWEEN 1 AND 100),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE TRIGGER users_touch BEFORE UPDATE ON users
    FOR EACH ROW EXECUTE FUNCTION familyhub_touch_updated_at();

-- A user belongs to exactly one family (unique user_id). Removing the row
-- removes the user from the family and ends the authority of their sessions,
-- which are resolved through this table on every request.
CREATE TABLE memberships (
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'member')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (family_id, user_id)
);
CREATE UNIQUE INDEX memberships_user_id_key ON memberships (user_id);

-- Single-use invite codes. Only a SHA-256 of the code is stored: a database
-- dump does not hand out family access.
CREATE TABLE invites (
    id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id  uuid NOT NULL REFERENCES families (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    used_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX invites_code_hash_key ON invites (code_hash);
CREATE INDEX invites_family_id_idx ON invites (family_id);

-- Sessions: an opaque random token is handed to the client; only its
-- SHA-256 is stored. Revocation sets revoked_at (kept for audit until pruned).
CREATE TABLE sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash   bytea NOT NULL,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    user_agent   text NOT NULL DEFAULT '' CHECK (char_length(user_agent) <= 512),
    client_addr  text NOT NULL DEFAULT '' CHECK (char_length(client_addr) <= 64)
);
CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

-- Failed login attempts, counted per account and per client address over a
-- sliding window so that the limit holds across every replica.
CREATE TABLE auth_failures (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email       text NOT NULL,
    client_addr text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_email_at_idx ON auth_failures (email, at);
CREATE INDEX auth_failures_client_addr_at_idx ON auth_failures (client_addr, at);
CREATE INDEX auth_failures_at_idx ON auth_failures (at);

-- +goose Down
DROP TABLE auth_failures;
DROP TABLE sessions;
DROP TABLE invites;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE families;
DROP FUNCTION familyhub_touch_updated_at();
