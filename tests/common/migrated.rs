//! Real Alembic against a test cluster, on the credentialmate fixture project
//! (the RIS-052 project), plus a cluster shared by the tests of one test
//! binary (one database per test keeps them independent).
//! (`common/alembic.rs` is the smaller helper other tests include by path.)
#![allow(dead_code)]

use crate::common::cli::repo;
use crate::common::cluster::{Cluster, APP_PASSWORD};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

/// The credentialmate fixture's alembic.ini.
pub fn credentialmate_ini() -> PathBuf {
    repo().join("migrations-fixtures/credentialmate/alembic.ini")
}

/// Python of the venv holding Alembic: `DRIFTCHECK_PYTHON`, else `<repo>/.venv/bin/python`.
pub fn python() -> PathBuf {
    let python = std::env::var_os("DRIFTCHECK_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join(".venv/bin/python"));
    assert!(
        python.exists(),
        "{} not found: run scripts/setup.sh to create the venv with Alembic (or set DRIFTCHECK_PYTHON)",
        python.display()
    );
    python
}

/// Run real Alembic (`python -m alembic -c credentialmate/alembic.ini ARGS…`)
/// against `db`, as the `app` role so it owns what it creates; returns stdout
/// (the SQL script with `--sql`).
pub fn alembic(cluster: &Cluster, db: &str, args: &[&str]) -> String {
    alembic_with(&credentialmate_ini(), cluster, db, args)
}

/// [`alembic`] for another project's alembic.ini (its env.py must read
/// `DATABASE_URL`, as credentialmate's does).
pub fn alembic_with(ini: &std::path::Path, cluster: &Cluster, db: &str, args: &[&str]) -> String {
    let url = format!(
        "postgresql+psycopg2://app:{APP_PASSWORD}@/{db}?{}",
        cluster.socket_query()
    );
    let output = Command::new(python())
        .args(["-m", "alembic", "-c"])
        .arg(ini)
        .args(args)
        .env("DATABASE_URL", url)
        .current_dir(repo())
        .output()
        .expect("run python -m alembic");
    assert!(
        output.status.success(),
        "alembic {args:?} on {db} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A new database owned by `app`, upgraded by real Alembic to `rev`.
pub fn database_at(cluster: &Cluster, db: &str, rev: &str) {
    cluster.create_database(db);
    alembic(cluster, db, &["upgrade", rev]);
}

/// SQL as the `app` role (so objects keep one owner).
pub fn as_app(cluster: &Cluster, db: &str, sql: &str) -> String {
    cluster.psql(db, &format!("SET ROLE app;\n{sql}"))
}

/// The columns of 20251230_1700, added by hand as in RIS-052.
pub const EMAIL_FLAGS_BY_HAND: &str = "ALTER TABLE users
  ADD COLUMN email_bounced boolean NOT NULL DEFAULT false,
  ADD COLUMN email_complaint boolean NOT NULL DEFAULT false,
  ADD COLUMN email_issue_detected_at timestamp with time zone;";

/// The RIS-052 state: Alembic at the merge 20251230_1643, 1700's columns added
/// by hand, and the version table holding the merge's old id 394c8c3cbf42.
pub fn ris052_database(cluster: &Cluster, db: &str) {
    database_at(cluster, db, "20251230_1643");
    as_app(
        cluster,
        db,
        &format!("{EMAIL_FLAGS_BY_HAND}\nUPDATE alembic_version SET version_num = '394c8c3cbf42';"),
    );
}

static SHARED: Mutex<Weak<Cluster>> = Mutex::new(Weak::new());

/// A cluster shared by the tests running at the same time in this test
/// binary; the last holder stops it.
pub fn shared_cluster() -> Arc<Cluster> {
    let mut slot = SHARED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(cluster) = slot.upgrade() {
        return cluster;
    }
    let cluster = Arc::new(Cluster::start());
    *slot = Arc::downgrade(&cluster);
    cluster
}

/// A database name unique within this process (clusters may be shared).
pub fn unique_db(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{prefix}_{}", NEXT.fetch_add(1, Ordering::SeqCst))
}

/// A throwaway Alembic project in a temporary directory: alembic.ini,
/// credentialmate's env.py (reads `DATABASE_URL`) and one file per
/// `(revision, upgrade body)`, each on top of the previous one, the body
/// indented as `def upgrade():` expects (start it with a newline).
pub fn throwaway_project(migrations: &[(&str, &str)]) -> tempfile::TempDir {
    let project = tempfile::tempdir().unwrap();
    let source = repo().join("migrations-fixtures/credentialmate");
    std::fs::copy(source.join("env.py"), project.path().join("env.py")).unwrap();
    std::fs::write(
        project.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s\npath_separator = os\nsqlalchemy.url =\n",
    )
    .unwrap();
    let versions = project.path().join("versions");
    std::fs::create_dir(&versions).unwrap();
    let mut down = "None".to_string();
    for (revision, body) in migrations {
        std::fs::write(
            versions.join(format!("{revision}_ops.py")),
            format!(
                "\"\"\"{revision}\n\nRevision ID: {revision}\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\nimport sqlalchemy.dialects.postgresql\n\nrevision = \"{revision}\"\ndown_revision = {down}\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():{body}\n\n\ndef downgrade():\n    pass\n"
            ),
        )
        .unwrap();
        down = format!("\"{revision}\"");
    }
    project
}
