//! Real Alembic against a test cluster, on the credentialmate fixture project.
//! Include with `#[path = "common/alembic.rs"] mod alembic;` beside `mod common;`.
#![allow(dead_code)]

use crate::common::cli::repo;
use crate::common::cluster::Cluster;
use crate::common::migrated::python;
use std::process::Command;

pub const PROJECT: &str = "migrations-fixtures/credentialmate";
pub const VERSIONS: &str = "migrations-fixtures/credentialmate/versions";

/// `alembic upgrade REV` on `db` (the fixture's env.py reads DATABASE_URL).
pub fn upgrade(cluster: &Cluster, db: &str, revision: &str) {
    let out = Command::new(python())
        .args([
            "-m",
            "alembic",
            "-c",
            &format!("{PROJECT}/alembic.ini"),
            "upgrade",
            revision,
        ])
        .env(
            "DATABASE_URL",
            format!(
                "postgresql+psycopg2://postgres@/{db}?host={}",
                cluster.socket_dir().display()
            ),
        )
        .current_dir(repo())
        .output()
        .expect("run alembic");
    assert!(
        out.status.success(),
        "alembic upgrade {revision} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
