//! `driftcheck --create-ris` through the real binary on the RIS-052 database
//! built by real Alembic: the next incident draft, its content, its path.

mod common;

use common::cli::{Output, Test};
use common::cluster::APP_PASSWORD;
use common::migrated::{
    credentialmate_ini, database_at, ris052_database, shared_cluster, unique_db,
};
use std::path::Path;

fn check(dir: &Path, url: &str, args: &[&str]) -> Output {
    let ini = credentialmate_ini();
    let out = Test::new()
        .current_dir(dir)
        .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(&["--local-url", url, "--no-report"])
        .args(args)
        .run();
    assert_no_password(&out.all_output());
    out
}

/// A RIS directory holding the two earlier incidents.
fn ris_dir(work: &Path) -> std::path::PathBuf {
    let dir = work.join("docs/ris");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("ris-051-login-outage.md"),
        "# RIS-051: login outage\n\nUnrelated.\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ris-052-email-flags-missing.md"),
        "# RIS-052: email flags missing\n\nThe version table said 394c8c3cbf42.\n",
    )
    .unwrap();
    dir
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[track_caller]
fn assert_no_password(text: &str) {
    assert!(!text.contains(APP_PASSWORD), "password leaked:\n{text}");
}

#[test]
fn ris052_database_gets_draft_053_named_in_text_and_json() {
    let cluster = shared_cluster();
    let db = unique_db("ris");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let dir = ris_dir(work.path());
    let url = cluster.url_with_password(&db);
    let dir_arg = dir.to_str().unwrap();

    // Terminal output names the draft.
    let out = check(work.path(), &url, &["--create-ris", "--ris-dir", dir_arg]).status(1);
    assert_no_password(&out.all_output());
    let drafts: Vec<String> = listing(&dir)
        .into_iter()
        .filter(|n| n.starts_with("ris-053-"))
        .collect();
    assert_eq!(drafts.len(), 1, "{:?}", listing(&dir));
    assert!(drafts[0].ends_with(".md"), "{drafts:?}");
    assert!(
        out.all_output().contains(&drafts[0]),
        "the output does not name {}:\n{}",
        drafts[0],
        out.all_output()
    );

    let draft = std::fs::read_to_string(dir.join(&drafts[0])).unwrap();
    assert_no_password(&draft);
    for needle in [
        "394c8c3cbf42",
        "20251230_1643",
        "20251230_1700",
        "20251230_1900",
        "alembic stamp --purge 20251230_1643",
        "alembic stamp 20251230_1700",
        "alembic upgrade heads",
        // The earlier incident it relates to.
        "ris-052-email-flags-missing.md",
    ] {
        assert!(
            draft.contains(needle),
            "the draft lacks {needle:?}:\n{draft}"
        );
    }
    // The earlier files are untouched.
    assert_eq!(
        std::fs::read_to_string(dir.join("ris-051-login-outage.md")).unwrap(),
        "# RIS-051: login outage\n\nUnrelated.\n"
    );

    // JSON names the next draft (054) in ris_path.
    let out = check(
        work.path(),
        &url,
        &["--create-ris", "--ris-dir", dir_arg, "--format", "json"],
    )
    .status(1);
    assert_no_password(&out.all_output());
    let json = out.json();
    let ris_path = json["ris_path"].as_str().expect("ris_path");
    let written = if Path::new(ris_path).is_absolute() {
        Path::new(ris_path).to_path_buf()
    } else {
        work.path().join(ris_path)
    };
    assert!(written.is_file(), "{ris_path}");
    assert!(
        written
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ris-054-"),
        "{ris_path}"
    );
    assert_eq!(listing(&dir).len(), 4, "{:?}", listing(&dir));
}

#[test]
fn clean_database_writes_no_draft_and_says_so() {
    let cluster = shared_cluster();
    let db = unique_db("ris_clean");
    database_at(&cluster, &db, "heads");
    let work = tempfile::tempdir().unwrap();
    let dir = ris_dir(work.path());
    let before = listing(&dir);
    let out = check(
        work.path(),
        &cluster.url_with_password(&db),
        &[
            "--create-ris",
            "--ris-dir",
            dir.to_str().unwrap(),
            "--format",
            "json",
        ],
    )
    .status(0);
    assert_eq!(listing(&dir), before);
    assert!(out.json()["ris_path"].is_null());
    assert!(
        out.stderr.contains("no RIS draft"),
        "no message about the draft:\n{}",
        out.stderr
    );
}

#[test]
fn missing_ris_dir_is_an_input_error_before_any_connection() {
    let cluster = shared_cluster();
    let db = unique_db("ris_missing");
    ris052_database(&cluster, &db);
    let work = tempfile::tempdir().unwrap();
    let missing = work.path().join("no/such/dir");
    let out = check(
        work.path(),
        &cluster.url_with_password(&db),
        &["--create-ris", "--ris-dir", missing.to_str().unwrap()],
    )
    .status(2);
    assert!(out.stderr.contains("--ris-dir"), "{}", out.stderr);
    assert!(out.stderr.contains("no/such/dir"), "{}", out.stderr);
    assert!(
        !missing.exists(),
        "driftcheck must not create the directory"
    );
    assert_no_password(&out.all_output());
}
