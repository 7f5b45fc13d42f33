//! Read-only access to PostgreSQL: connect safely, read the Alembic version
//! table and a schema snapshot of the catalog, all in one read-only transaction.
//!
//! Safety (design contract): every session starts with
//! `default_transaction_read_only=on`, statement/lock/idle timeouts and
//! `application_name=driftcheck` as startup parameters; every read of one
//! database happens inside a single `REPEATABLE READ READ ONLY` transaction;
//! nothing here ever sends a statement that writes, nor runs code stored in
//! the database: after the first query the search_path is empty, every
//! function and operator in `sql/` is `pg_catalog`-qualified (`sql_audit`
//! checks it) and the version table is read only when it is a plain table.

pub mod connect;
pub mod introspect;
pub mod key_columns;
pub mod service;
pub mod version_table;

#[cfg(test)]
mod sql_audit;

pub use connect::{connect, parse_target, ConnectTarget, Role, Timeouts};
pub use introspect::{read_database, ReadOptions};
pub use version_table::VersionTableName;

use crate::exit::ExitCode;

/// Everything that can go wrong talking to a database. Every message names the
/// target through [`ConnectTarget::describe`], never the URL or the password.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("invalid database URL: {reason} (expected postgresql://[user[:password]@][host][:port]/database[?host=/socket/dir&sslmode=...])")]
    InvalidUrl { reason: String },

    /// A `pg_service.conf` problem: the message names the file and line, or the missing service.
    #[error("{reason}")]
    Service { reason: String },

    #[error("cannot reach {target}: {reason}; check that the server is running and that the host and port (or the socket directory) are right")]
    Unreachable { target: String, reason: String },

    #[error("authentication failed for {target}; check the user name and password (the password is not shown)")]
    AuthFailed { target: String },

    #[error("{target} refused the connection: {reason}; the server's pg_hba.conf has no entry for this host, user, database and encryption — if it requires TLS, use sslmode=require or stricter")]
    Rejected { target: String, reason: String },

    #[error("{target} does not exist; check the database name in the URL")]
    DatabaseMissing { target: String },

    #[error("{target} did not answer within {seconds} s; check the network path to the server and whether it is overloaded")]
    Timeout { target: String, seconds: u64 },

    #[error("the connection to {target} was lost while reading {what}: {reason}; the server ended the session or the network dropped it (a restart or failover, pg_terminate_backend, a proxy's idle timeout): run again once the server is back")]
    ConnectionLost {
        target: String,
        what: String,
        reason: String,
    },

    #[error("TLS failed for {target}: {reason}; if the server has no TLS, add sslmode=disable (or prefer) to the URL")]
    Tls { target: String, reason: String },

    #[error("reading {what} from {target} failed: {reason}")]
    Query {
        target: String,
        what: String,
        reason: String,
    },
}

impl DbError {
    /// Exit code of the design contract: a bad URL is an input error (2),
    /// everything else means the database could not be read (3).
    pub fn exit_code(&self) -> ExitCode {
        match self {
            DbError::InvalidUrl { .. } | DbError::Service { .. } => ExitCode::Input,
            _ => ExitCode::Unreachable,
        }
    }

    /// Convert into the error `main` reports, carrying [`DbError::exit_code`].
    pub fn into_exit_error(self) -> anyhow::Error {
        match self.exit_code() {
            ExitCode::Input => crate::exit::input_error(self.to_string()),
            _ => crate::exit::unreachable_error(self.to_string()),
        }
    }
}
