//! Fitting where people already work (issue 15, items 5–7), through the real
//! binary on a real cluster, compared with real libpq (psql) and real Alembic:
//! logs on stderr (`-v`, `-q`, `DRIFTCHECK_LOG`), libpq service files with
//! `.pgpass`, and Alembic's own configuration (`sqlalchemy.url`, `--name`,
//! `pyproject.toml`).

mod common;

use common::cli::{repo, Output, Test};
use common::cluster::{Cluster, APP_PASSWORD};
use common::migrated::{database_at, python, shared_cluster, unique_db};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The credentialmate fixture's head.
const HEAD: &str = "20251230_1900";

#[track_caller]
fn assert_no_secret(out: &Output, secret: &str) {
    assert!(
        !out.all_output().contains(secret),
        "a password leaked:\n{}",
        out.all_output()
    );
}

/// `driftcheck --skip-production --format json --no-report` on credentialmate.
fn check_local(url: &str) -> Test {
    let ini = repo().join("migrations-fixtures/credentialmate/alembic.ini");
    Test::new()
        .args(&["--skip-production", "--no-report", "--format", "json"])
        .args(&["--alembic-ini", ini.to_str().unwrap(), "--local-url", url])
}

// ---- 5. logs -------------------------------------------------------------

#[test]
fn verbose_logs_go_to_stderr_with_timings_and_never_the_password() {
    let cluster = shared_cluster();
    let db = unique_db("logs");
    database_at(&cluster, &db, HEAD);
    let out = check_local(&cluster.url_with_password(&db))
        .arg("-v")
        .run()
        .status(0);
    assert_no_secret(&out, APP_PASSWORD);
    // stdout is the JSON alone.
    assert_eq!(out.json()["targets"]["local"]["state"], "at_head");
    for needle in [
        "discovered the migrations",
        "parsed the migrations",
        "built the revision graph",
        "connected",
        &format!("db=database \"{db}\" on {}", cluster.socket_dir().display()),
        "as user \"app\"",
        "sslmode=prefer",
        "server_version=15.",
        "read the tables catalog",
        "read the version table",
        "read the schema snapshot",
        "rows=",
        "elapsed_ms=",
        "wrote the json output destination=stdout",
    ] {
        assert!(
            out.stderr.contains(needle),
            "stderr lacks {needle:?}:\n{}",
            out.stderr
        );
    }
    // One line per catalog query: 13 catalogs plus session, privileges,
    // version table and search_path.
    let queries = out
        .stderr
        .lines()
        .filter(|l| l.contains(" read the "))
        .count();
    assert!(queries >= 17, "{queries} query lines:\n{}", out.stderr);
    // No debug lines at -v.
    assert!(!out.stderr.contains("DEBUG"), "{}", out.stderr);
}

#[test]
fn quiet_prints_nothing_on_a_clean_run_and_errors_still() {
    let cluster = shared_cluster();
    let db = unique_db("quiet");
    database_at(&cluster, &db, HEAD);
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir(work.path().join("ris")).unwrap();
    let run = |extra: &[&str]| {
        check_local(&cluster.url_with_password(&db))
            .current_dir(work.path())
            .args(&["--create-ris", "--ris-dir", "ris"])
            .args(extra)
            .run()
            .status(0)
    };
    // Without -q the run has a note on stderr ...
    let loud = run(&[]);
    assert!(
        loud.stderr.contains("no RIS draft was written"),
        "{}",
        loud.stderr
    );
    // ... with -q nothing at all, and stdout is unchanged.
    let quiet = run(&["-q"]);
    assert_eq!(quiet.stderr, "", "stderr under -q");
    assert_eq!(quiet.json()["status"], "clean");
    // Errors still print under -q.
    let failed = check_local("postgresql:///nope?host=/nonexistent-dir")
        .arg("-q")
        .run()
        .status(3);
    assert!(
        failed.stderr.starts_with("driftcheck: error:"),
        "{}",
        failed.stderr
    );
    // -q and -v contradict each other.
    Test::new().args(&["graph", "-q", "-v"]).run().status(2);
}

#[test]
fn driftcheck_log_takes_a_tracing_filter() {
    let cluster = shared_cluster();
    let db = unique_db("envlog");
    database_at(&cluster, &db, HEAD);
    let out = check_local(&cluster.url_with_password(&db))
        .env("DRIFTCHECK_LOG", "debug")
        .run()
        .status(0);
    assert_no_secret(&out, APP_PASSWORD);
    assert_eq!(out.json()["status"], "clean");
    assert!(out.stderr.contains("DEBUG"), "{}", out.stderr);
    assert!(out.stderr.contains("connected"), "{}", out.stderr);
    // A per-module filter: driftcheck's info lines, nothing of the driver's.
    let out = check_local(&cluster.url_with_password(&db))
        .env("DRIFTCHECK_LOG", "driftcheck=info")
        .run()
        .status(0);
    assert!(out.stderr.contains("connected") && !out.stderr.contains("DEBUG"));
    // A flag wins over the environment.
    let out = check_local(&cluster.url_with_password(&db))
        .env("DRIFTCHECK_LOG", "debug")
        .arg("-q")
        .run()
        .status(0);
    assert_eq!(out.stderr, "");
    let bad = Test::new()
        .args(&[
            "graph",
            "--migrations",
            "migrations-fixtures/credentialmate",
        ])
        .env("DRIFTCHECK_LOG", "driftcheck=loudest")
        .run()
        .status(2);
    assert!(bad.stderr.contains("DRIFTCHECK_LOG"), "{}", bad.stderr);
}

// ---- 6. libpq service files ---------------------------------------------

/// A private file (libpq and sqlx ignore a `.pgpass` others may read).
fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// The server's own psql (libpq), as root, with only `env` for connection settings.
fn libpq_psql(cluster: &Cluster, conninfo: &str, env: &[(&str, &Path)], sql: &str) -> String {
    let psql = Path::new("/usr/lib/postgresql")
        .read_dir()
        .unwrap()
        .flatten()
        .map(|e| e.path().join("bin/psql"))
        .find(|p| p.exists())
        .expect("psql");
    let mut command = Command::new(psql);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PG")) {
        command.env_remove(key);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let out = command
        .args(["-X", "-A", "-t", "-d", conninfo, "-c", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "psql {conninfo:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = cluster;
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn service_file_and_pgpass_supply_the_connection_as_libpq_does() {
    let cluster = shared_cluster();
    let db = unique_db("service");
    database_at(&cluster, &db, HEAD);
    let other = unique_db("service_other");
    database_at(&cluster, &other, "20251230_1643");
    let home = tempfile::tempdir().unwrap();
    let services = home.path().join("services.conf");
    // Connection details only here, the password only in the .pgpass file.
    std::fs::write(
        &services,
        format!(
            "# team services\n[unrelated]\nhost=/nowhere\n\n[dc]\nhost={}\ndbname={db}\nuser=app\napplication_name=ignored\n",
            cluster.socket_dir().display()
        ),
    )
    .unwrap();
    let pgpass = home.path().join("pgpass");
    write_private(&pgpass, &format!("*:*:*:app:{APP_PASSWORD}\n"));
    let env = [
        ("HOME", home.path()),
        ("PGSERVICEFILE", services.as_path()),
        ("PGPASSFILE", pgpass.as_path()),
    ];
    // Real libpq reads the same two files.
    assert_eq!(
        libpq_psql(
            &cluster,
            "service=dc",
            &env,
            "select current_database() || ' ' || current_user"
        ),
        format!("{db} app")
    );
    let with_env = |test: Test| {
        env.iter()
            .fold(test, |t, (k, v)| t.env(k, v.to_str().unwrap()))
    };
    for url in ["postgresql:///?service=dc", "postgresql://?service=dc"] {
        let out = with_env(check_local(url)).arg("-v").run().status(0);
        assert_no_secret(&out, APP_PASSWORD);
        let json = out.json();
        assert_eq!(json["targets"]["local"]["state"], "at_head", "{url}");
        let database = json["targets"]["local"]["database"].as_str().unwrap();
        assert!(
            database.contains(&format!("database \"{db}\"")) && database.contains("user \"app\""),
            "{url}: {database}"
        );
        out.stderr_contains("connected");
    }
    // PGSERVICE names it too (the README's snippet) ...
    let out = with_env(check_local("postgresql://"))
        .env("PGSERVICE", "dc")
        .run()
        .status(0);
    assert_eq!(out.json()["targets"]["local"]["state"], "at_head");
    // ... and a URL parameter overrides the service's value, as in libpq.
    let out = with_env(check_local(&format!("postgresql:///{other}")))
        .env("PGSERVICE", "dc")
        .run()
        .status(1);
    assert_eq!(out.json()["targets"]["local"]["state"], "behind");
    assert_eq!(
        libpq_psql(
            &cluster,
            &format!("postgresql:///{other}"),
            &[env[0], env[1], env[2], ("PGSERVICE", Path::new("dc"))],
            "select current_database()"
        ),
        other
    );
    // Errors name the missing service and the files searched, or the file and line.
    let missing = with_env(check_local("postgresql:///?service=nope"))
        .run()
        .status(2);
    missing.stderr_contains("service \"nope\" not found");
    let missing = with_env(check_local("postgresql:///?service=nope")).run();
    assert!(
        missing.stderr.contains(services.to_str().unwrap()),
        "{}",
        missing.stderr
    );
    std::fs::write(&services, "[dc]\nhost /tmp\n").unwrap();
    let bad = with_env(check_local("postgresql:///?service=dc"))
        .run()
        .status(2);
    bad.stderr_contains(&format!("{}, line 2", services.display()));
}

// ---- 7. Alembic's own configuration -----------------------------------------

/// Real Alembic in `dir` (`python -m alembic ARGS…`), with no DATABASE_URL.
fn alembic_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(python())
        .args(["-m", "alembic"])
        .args(args)
        .current_dir(dir)
        .env_remove("DATABASE_URL")
        .env_remove("ALEMBIC_CONFIG")
        .output()
        .expect("run alembic");
    assert!(
        out.status.success(),
        "alembic {args:?} in {} failed:\n{}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The credentialmate migrations copied into `dir`.
fn copy_versions(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let source = repo().join("migrations-fixtures/credentialmate/versions");
    for entry in std::fs::read_dir(source).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "py") {
            std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
        }
    }
}

/// Replace the line starting with `key` in `file` (Alembic's templates hold placeholders).
fn set_line(file: &Path, key: &str, line: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    let mut found = false;
    let out: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with(key) && !found {
                found = true;
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect();
    assert!(
        found,
        "{} has no line starting with {key:?}",
        file.display()
    );
    std::fs::write(file, out.join("\n") + "\n").unwrap();
}

/// A role whose password needs `%%` in an ini file, owning a new database.
fn percent_role(cluster: &Cluster, db: &str) -> (String, String) {
    let role = format!("r_{db}");
    let password = format!("PLANTED%pw@{db}");
    cluster.psql(
        "postgres",
        &format!(
            "SET log_statement = 'none'; CREATE ROLE {role} LOGIN PASSWORD '{password}'; CREATE DATABASE {db} OWNER {role};"
        ),
    );
    (role, password)
}

/// `postgresql+psycopg2://ROLE:PASSWORD@/DB?host=%(here)s/sock`, written for
/// an ini file (the password's `%` doubled), with `sock` a link to the cluster's socket.
fn ini_url(cluster: &Cluster, project: &Path, role: &str, password: &str, db: &str) -> String {
    let link = project.join("sock");
    if !link.exists() {
        std::os::unix::fs::symlink(cluster.socket_dir(), &link).unwrap();
    }
    let encoded = password
        .replace('%', "%25")
        .replace('@', "%40")
        .replace('%', "%%");
    format!("postgresql+psycopg2://{role}:{encoded}@/{db}?host=%(here)s/sock")
}

fn strings(value: &Value) -> Vec<String> {
    let mut out: Vec<String> = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

/// Revision ids in `alembic heads` / `alembic current` output.
fn ids(alembic_output: &str) -> Vec<String> {
    let mut out: Vec<String> = alembic_output
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|id| !id.is_empty())
        .map(String::from)
        .collect();
    out.sort();
    out
}

#[test]
fn sqlalchemy_url_of_alembic_ini_is_the_last_fallback() {
    let cluster = shared_cluster();
    let db = unique_db("sa_url");
    let (role, password) = percent_role(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let project = work.path().join("app");
    std::fs::create_dir(&project).unwrap();
    alembic_in(&project, &["init", "alembic"]);
    copy_versions(&project.join("alembic/versions"));
    let ini = project.join("alembic.ini");
    set_line(
        &ini,
        "sqlalchemy.url",
        &format!(
            "sqlalchemy.url = {}",
            ini_url(&cluster, &project, &role, &password, &db)
        ),
    );
    // Real Alembic migrates through that URL ...
    alembic_in(&project, &["upgrade", "heads"]);
    let current = ids(&alembic_in(&project, &["current"]));
    assert_eq!(current, [HEAD]);
    // ... and driftcheck, given no URL at all, reads the same database.
    let out = Test::new()
        .current_dir(&project)
        .args(&["--skip-production", "--no-report", "--format", "json"])
        .run()
        .status(0);
    assert_no_secret(&out, &password);
    assert_no_secret(&out, &password.replace('%', "%25").replace('@', "%40"));
    let json = out.json();
    assert_eq!(json["targets"]["local"]["state"], "at_head");
    assert_eq!(strings(&json["targets"]["local"]["current"]), current);
    let database = json["targets"]["local"]["database"].as_str().unwrap();
    assert!(database.contains(&format!("\"{db}\"")), "{database}");

    // The flag and the environment come first.
    let elsewhere = unique_db("sa_url_env");
    database_at(&cluster, &elsewhere, "20251230_1643");
    let out = Test::new()
        .current_dir(&project)
        .args(&["--skip-production", "--no-report", "--format", "json"])
        .env("DATABASE_URL", cluster.url_with_password(&elsewhere))
        .run()
        .status(1);
    assert_eq!(out.json()["targets"]["local"]["state"], "behind");

    // A wrong password: the error names sqlalchemy.url's line, never the password.
    set_line(
        &ini,
        "sqlalchemy.url",
        &format!(
            "sqlalchemy.url = {}",
            ini_url(&cluster, &project, &role, "PLANTED%wrong@pw", &db)
        ),
    );
    let out = Test::new()
        .current_dir(&project)
        .args(&["--skip-production", "--no-report"])
        .run()
        .status(3);
    assert_no_secret(&out, "PLANTED%wrong@pw");
    assert_no_secret(&out, "wrong");
    out.stderr_contains("authentication failed");

    // Alembic's placeholder URL is not a database: the usual message.
    set_line(
        &ini,
        "sqlalchemy.url",
        "sqlalchemy.url = driver://user:pass@localhost/dbname",
    );
    Test::new()
        .current_dir(&project)
        .args(&["--skip-production", "--no-report"])
        .run()
        .status(2)
        .stderr_contains("no local database");
}

#[test]
fn name_picks_a_section_of_a_multi_database_ini_as_alembic_n_does() {
    let cluster = shared_cluster();
    let main_db = unique_db("multi_main");
    let reports_db = unique_db("multi_reports");
    let (main_role, main_pw) = percent_role(&cluster, &main_db);
    let (reports_role, reports_pw) = percent_role(&cluster, &reports_db);
    let work = tempfile::tempdir().unwrap();
    let project = work.path().to_path_buf();
    // Two script directories from Alembic's own template, one ini.
    alembic_in(&project, &["init", "main"]);
    std::fs::remove_file(project.join("alembic.ini")).unwrap();
    alembic_in(&project, &["init", "reports"]);
    copy_versions(&project.join("main/versions"));
    std::fs::write(
        project.join("reports/versions/r1_reports.py"),
        "revision = \"r1\"\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\ndef upgrade():\n    op.create_table(\"report\", sa.Column(\"id\", sa.Integer, primary_key=True))\n\n\ndef downgrade():\n    op.drop_table(\"report\")\n",
    )
    .unwrap();
    // Alembic's generated ini (its logging sections are what env.py loads),
    // pointed at main/, plus a [reports] section.
    let ini = project.join("alembic.ini");
    set_line(&ini, "script_location", "script_location = %(here)s/main");
    set_line(
        &ini,
        "sqlalchemy.url",
        &format!(
            "sqlalchemy.url = {}",
            ini_url(&cluster, &project, &main_role, &main_pw, &main_db)
        ),
    );
    let mut text = std::fs::read_to_string(&ini).unwrap();
    text.push_str(&format!(
        "\n[reports]\nscript_location = %(here)s/reports\nsqlalchemy.url = {}\n",
        ini_url(&cluster, &project, &reports_role, &reports_pw, &reports_db)
    ));
    std::fs::write(&ini, text).unwrap();
    alembic_in(&project, &["upgrade", "heads"]);
    alembic_in(&project, &["-n", "reports", "upgrade", "heads"]);

    for (section, db, flag) in [
        (None, &main_db, None),
        (Some("reports"), &reports_db, Some("--name")),
    ] {
        let mut alembic_args: Vec<&str> = Vec::new();
        let mut ours: Vec<&str> = Vec::new();
        if let (Some(section), Some(flag)) = (section, flag) {
            alembic_args.extend(["-n", section]);
            ours.extend([flag, section]);
        }
        let heads = ids(&alembic_in(
            &project,
            &[alembic_args.as_slice(), &["heads"]].concat(),
        ));
        let current = ids(&alembic_in(
            &project,
            &[alembic_args.as_slice(), &["current"]].concat(),
        ));
        let graph = Test::new()
            .current_dir(&project)
            .arg("graph")
            .args(&ours)
            .args(&["--format", "json"])
            .run()
            .status(0)
            .json();
        assert_eq!(strings(&graph["heads"]), heads, "{section:?}");
        let out = Test::new()
            .current_dir(&project)
            .args(&ours)
            .args(&["--skip-production", "--no-report", "--format", "json"])
            .run()
            .status(0);
        let json = out.json();
        assert_eq!(json["targets"]["local"]["state"], "at_head", "{section:?}");
        assert_eq!(strings(&json["targets"]["local"]["current"]), current);
        let database = json["targets"]["local"]["database"].as_str().unwrap();
        assert!(
            database.contains(&format!("\"{db}\"")),
            "{section:?}: {database}"
        );
    }
    // -n works as the short form; an unknown section is named with the choices.
    Test::new()
        .current_dir(&project)
        .args(&["graph", "-n", "reports", "--format", "json"])
        .run()
        .status(0);
    Test::new()
        .current_dir(&project)
        .args(&["graph", "--name", "nope"])
        .run()
        .status(2)
        .stderr_contains("no [nope] section (--name nope); sections here: alembic, reports");
}

#[test]
fn pyproject_toml_is_read_like_alembic_ini() {
    let cluster = shared_cluster();
    let db = unique_db("pyproject");
    let (role, password) = percent_role(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let project = work.path().to_path_buf();
    alembic_in(&project, &["init", "--template", "pyproject", "alembic"]);
    // version_locations as a list: credentialmate's history split over two directories.
    let more = project.join("more_versions");
    copy_versions(&project.join("alembic/versions"));
    std::fs::create_dir(&more).unwrap();
    for entry in std::fs::read_dir(project.join("alembic/versions"))
        .unwrap()
        .flatten()
    {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("20251230") {
            std::fs::rename(entry.path(), more.join(&name)).unwrap();
        }
    }
    let toml = project.join("pyproject.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("[tool.alembic]"), "{text}");
    std::fs::write(
        &toml,
        text.replacen(
            "[tool.alembic]\n",
            "[tool.alembic]\nversion_locations = [\"%(here)s/alembic/versions\", \"%(here)s/more_versions\"]\n",
            1,
        ),
    )
    .unwrap();
    // sqlalchemy.url stays in alembic.ini in this template.
    set_line(
        &project.join("alembic.ini"),
        "sqlalchemy.url",
        &format!(
            "sqlalchemy.url = {}",
            ini_url(&cluster, &project, &role, &password, &db)
        ),
    );
    alembic_in(&project, &["upgrade", "heads"]);
    let heads = ids(&alembic_in(&project, &["heads"]));
    let history = alembic_in(&project, &["history"]);
    let graph = Test::new()
        .current_dir(project.join("alembic"))
        .args(&["graph", "--format", "json"])
        .run()
        .status(0)
        .json();
    assert_eq!(strings(&graph["heads"]), heads);
    assert_eq!(graph["revisions"], history.lines().count());
    assert_eq!(graph["migration_dirs"].as_array().unwrap().len(), 2);
    // --alembic-ini also accepts the pyproject.toml, as `alembic -c pyproject.toml`.
    let out = Test::new()
        .args(&["--alembic-ini", toml.to_str().unwrap()])
        .args(&["--skip-production", "--no-report", "--format", "json"])
        .current_dir(work.path())
        .run()
        .status(0);
    assert_no_secret(&out, &password);
    assert_eq!(out.json()["targets"]["local"]["state"], "at_head");
    assert_eq!(
        strings(&out.json()["targets"]["local"]["current"]),
        ids(&alembic_in(&project, &["current"]))
    );
}
