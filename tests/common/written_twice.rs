//! Schemas written twice: the same objects as a first migration writes them
//! and as production got them, shared by the tests that compare them
//! (tests/compare.rs, tests/check_production.rs) and the pg_dump oracle.

/// Written the way a first migration might: constraints and indexes unnamed,
/// defaults without casts (tests/compare.rs, tests/pg_dump_oracle.rs).
pub const COMPARE_LOCAL: &str = r#"
CREATE TYPE user_role AS ENUM ('admin', 'member');
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(255) NOT NULL UNIQUE,
    status varchar(20) NOT NULL DEFAULT 'pending',
    role user_role NOT NULL DEFAULT 'member',
    active boolean NOT NULL DEFAULT false,
    CHECK (status IN ('pending', 'active'))
);
CREATE INDEX ON users (lower(email));
CREATE TABLE events (id bigint NOT NULL, created_at timestamp NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('20251230_1643');
"#;

/// …and the same schema as production got it (names spelled out or with a
/// collision digit, casts, columns in another order, one more partition).
pub const COMPARE_PRODUCTION: &str = r#"
CREATE TYPE user_role AS ENUM ('admin', 'member');
CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY,
    active boolean NOT NULL DEFAULT (false),
    email varchar(255) NOT NULL,
    role user_role NOT NULL DEFAULT 'member'::user_role,
    status varchar(20) NOT NULL DEFAULT ('pending'::text),
    CONSTRAINT users_pkey PRIMARY KEY (id),
    UNIQUE (email),
    CONSTRAINT users_status_check1 CHECK (status::text = ANY (ARRAY['pending'::text, 'active'::text]))
);
CREATE INDEX users_lower_idx1 ON users (lower(email));
CREATE TABLE events (id bigint NOT NULL, created_at timestamp NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num));
INSERT INTO alembic_version VALUES ('20251230_1900');
"#;

/// What the newer migrations did locally (tests/compare.rs, tests/pg_dump_oracle.rs).
pub const COMPARE_DRIFT_LOCAL: &str = "
ALTER TYPE user_role ADD VALUE 'superuser';
ALTER TABLE users ADD COLUMN email_bounced boolean NOT NULL DEFAULT false;
CREATE TABLE audit_log (id bigserial PRIMARY KEY, message text NOT NULL);
CREATE INDEX ix_audit_log_message ON audit_log (message);
";

/// The same notes table written two ways: columns in another order, unnamed vs
/// explicitly named (same as the generated name) constraints, another cast
/// spelling in a default (tests/check_production.rs, tests/pg_dump_oracle.rs).
pub const NOTES_LOCAL: &str = "
CREATE TYPE ticket_status AS ENUM ('open', 'closed');
CREATE TABLE notes (
    id integer PRIMARY KEY,
    body text NOT NULL,
    n integer CHECK (n > 0),
    label varchar(20) DEFAULT 'x',
    status ticket_status
);
";
pub const NOTES_PRODUCTION: &str = "
CREATE TYPE ticket_status AS ENUM ('open', 'closed');
CREATE TABLE notes (
    status ticket_status,
    label varchar(20) DEFAULT ('x'::text),
    n integer,
    body text NOT NULL,
    id integer,
    CONSTRAINT notes_pkey PRIMARY KEY (id),
    CONSTRAINT notes_n_check CHECK ((n > 0))
);
";
