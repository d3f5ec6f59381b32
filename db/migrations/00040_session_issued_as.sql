-- How a session's token was handed out, so that over HTTPS the session
-- cookie's old name (familyhub_session) lets in only the sessions that
-- were handed out under it before the cookie had its __Host- name
-- (http/cookie.go). A lone familyhub_session cookie over HTTPS may be
-- planted: a sibling subdomain sets it for Domain=example.org, a network
-- on the way sets it in a plain-http answer. Let in, it signed the member
-- into the planter's account (login CSRF) and was moved into the
-- __Host- name.
--   legacy  made before this migration: its cookie, if it had one, was
--           familyhub_session whatever the scheme. The only sessions let
--           in under the old name over HTTPS (and then moved); they are
--           gone one session lifetime after the upgrade (a refresh makes
--           a new session, which is not legacy).
--   host    cookie __Host-familyhub_session (an HTTPS answer, or
--           FAMILYHUB_SECURE_COOKIES).
--   plain   cookie familyhub_session over plain HTTP. Not let in under
--           that name over HTTPS: anyone who reaches the app over plain
--           HTTP can make one for their own account and plant it.
--   none    no cookie: the token went in the answer's body (return_token,
--           the apps), or the row was inserted by hand.
-- Every row there is becomes 'legacy' without a rewrite (a constant
-- default is kept in the catalog); new rows default to 'none', and the
-- app always says which. The CHECK reads the table once, under the lock.
--
-- Down keeps the column and only makes its default 'legacy' again: what
-- the previous release hands out meanwhile is the old name's cookie
-- (legacy, as every session before the first Up was). Up adds the column
-- only where it is missing. So going down and up again keeps what each
-- session was: dropping the column and adding it anew made every session
-- there was legacy again, sessions made over HTTPS, over plain HTTP or
-- as bearer tokens since the first Up included, and so plantable under
-- the old name for another session lifetime (30 days). The previous
-- release neither reads nor writes the column (a rolling deploy runs it
-- on this schema anyway).

-- +goose Up
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS issued_as text NOT NULL DEFAULT 'legacy'
    CHECK (issued_as IN ('legacy', 'host', 'plain', 'none'));
ALTER TABLE sessions ALTER COLUMN issued_as SET DEFAULT 'none';

-- +goose Down
ALTER TABLE sessions ALTER COLUMN issued_as SET DEFAULT 'legacy';
