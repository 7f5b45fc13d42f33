//! Observe: read every database of the plan at once and say, per target,
//! what was seen or why it could not be. A required target that cannot be
//! read ends the run (exit 3, or exit 2 for a bad snapshot file); any other
//! degrades to "unreachable" in the report.

use crate::check::Observed;
use crate::database::{self, ConnectTarget, ReadOptions, Role};
use crate::exit::{input_error, unreachable_error};
use crate::plan::{Source, Target};
use crate::schema::{SharedInterner, Snapshot};
use crate::secrets;

/// Read every target, all at once on the one runtime: a slow or dead database
/// costs its own timeout, not the sum. In the targets' order.
/// The snapshots share one interner: a name both databases hold is stored
/// once, and matching their rows compares it by pointer.
pub fn observe_all(targets: &[Target]) -> anyhow::Result<Vec<(String, Observed)>> {
    let names = SharedInterner::default();
    let results = crate::commands::block_on(futures_util::future::join_all(
        targets
            .iter()
            .map(|t| observe(&t.name, &t.source, &t.options, &names)),
    ));
    targets
        .iter()
        .zip(results)
        .map(|(target, result)| Ok((target.name.clone(), settle(target, result)?)))
        .collect()
}

/// One result, judged: fatal, or what goes into the report.
fn settle(target: &Target, result: Result<Observed, ObserveError>) -> anyhow::Result<Observed> {
    match result {
        Ok(observed) => Ok(observed),
        Err(ObserveError::Input(error)) => Err(error),
        Err(error) if target.required && target.name == "local" => Err(error.into()),
        Err(error) => {
            let failure = Failure::from(error);
            if target.required {
                return Err(unreachable_error(format!(
                    "{} could not be read (--require-production): {}",
                    target.name, failure.message
                )));
            }
            Ok(Observed::Unreachable {
                reason: failure.reason,
                message: failure.message,
            })
        }
    }
}

/// Why a database could not be observed (production degrades on it).
pub struct Failure {
    pub reason: String,
    pub message: String,
}

pub async fn observe(
    name: &str,
    source: &Source,
    options: &ReadOptions,
    names: &SharedInterner,
) -> Result<Observed, ObserveError> {
    match source {
        Source::Skip { reason, message } => Ok(Observed::Skipped {
            reason: reason.to_string(),
            message: message.clone(),
        }),
        Source::Missing { reason, message } => Err(ObserveError::Failure(Failure {
            reason: reason.to_string(),
            message: message.clone(),
        })),
        Source::SnapshotFile(path) => {
            let snapshot = Snapshot::load(path)
                .map_err(|e| ObserveError::Input(input_error(format!("{name} snapshot: {e}"))))?;
            Ok(Observed::Read {
                snapshot: Box::new(snapshot),
                database: Some(format!("snapshot file {}", path.display())),
            })
        }
        Source::Live(target) => read_live(target, options, names).await,
        Source::Secret(request) => {
            let url = secrets::production_url(request).await.map_err(|e| {
                ObserveError::Failure(Failure {
                    reason: e.reason_code().to_string(),
                    message: e.to_string(),
                })
            })?;
            let target = database::parse_target(url.expose(), Role::Production).map_err(|e| {
                ObserveError::Failure(Failure {
                    reason: "malformed_secret".to_string(),
                    message: format!(
                        "secret {:?} does not hold a usable database URL: {e}",
                        request.secret_id
                    ),
                })
            })?;
            read_live(&target, options, names).await
        }
    }
}

async fn read_live(
    target: &ConnectTarget,
    options: &ReadOptions,
    names: &SharedInterner,
) -> Result<Observed, ObserveError> {
    match database::read_database(target, options, names).await {
        Ok(snapshot) => Ok(Observed::Read {
            snapshot: Box::new(snapshot),
            database: Some(target.describe()),
        }),
        Err(error) => Err(ObserveError::Database(error)),
    }
}

pub enum ObserveError {
    /// Bad input (a snapshot file): always fatal, exit 2.
    Input(anyhow::Error),
    Database(database::DbError),
    Failure(Failure),
}

impl From<ObserveError> for anyhow::Error {
    fn from(error: ObserveError) -> anyhow::Error {
        match error {
            ObserveError::Input(e) => e,
            ObserveError::Database(e) => e.into_exit_error(),
            ObserveError::Failure(f) => unreachable_error(f.message),
        }
    }
}

impl From<ObserveError> for Failure {
    fn from(error: ObserveError) -> Failure {
        match error {
            ObserveError::Input(e) => Failure {
                reason: "invalid_snapshot".to_string(),
                message: format!("{e:#}"),
            },
            ObserveError::Database(e) => Failure {
                reason: db_reason(&e).to_string(),
                message: e.to_string(),
            },
            ObserveError::Failure(f) => f,
        }
    }
}

/// The report's stable reason code for a database error.
pub fn db_reason(error: &database::DbError) -> &'static str {
    use database::DbError::*;
    match error {
        InvalidUrl { .. } | Service { .. } => "invalid_url",
        Unreachable { .. } => "server_unreachable",
        AuthFailed { .. } => "authentication_failed",
        Rejected { .. } => "connection_rejected",
        DatabaseMissing { .. } => "database_missing",
        Timeout { .. } => "timeout",
        ConnectionLost { .. } => "connection_lost",
        Tls { .. } => "tls_failed",
        Query { .. } => "query_failed",
    }
}
