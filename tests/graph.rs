//! `driftcheck graph` against the fixtures, through the real binary.

mod common;

use common::cli::{repo, Test};
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!("migrations-fixtures/{name}")
}

/// 1-based line of the first line in `file` (relative to the repo) starting with `prefix`.
fn line_of(file: &str, prefix: &str) -> u64 {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    text.lines()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("{file} has no line starting with {prefix:?}")) as u64
        + 1
}

fn graph_json(dir: &str, status: i32) -> Value {
    Test::new()
        .args(&["graph", "--migrations", &fixture(dir), "--format", "json"])
        .run()
        .status(status)
        .json()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn problem<'a>(json: &'a Value, code: &str) -> &'a Value {
    json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == code)
        .unwrap_or_else(|| panic!("no {code} problem in {:#}", json["problems"]))
}

/// Every revision comes after its down_revisions and depends_on.
fn assert_topological(json: &Value) {
    let list = json["revisions_list"].as_array().unwrap();
    let position = |id: &str| list.iter().position(|r| r["revision"] == id);
    for (i, rev) in list.iter().enumerate() {
        for parent in strings(&rev["down_revisions"])
            .iter()
            .chain(strings(&rev["depends_on"]).iter())
        {
            if let Some(p) = position(parent) {
                assert!(p < i, "{parent} comes after its child {}", rev["revision"]);
            }
        }
    }
}

#[test]
fn credentialmate_head_and_renamed_merge() {
    let json = graph_json("credentialmate", 0);
    assert_eq!(strings(&json["heads"]), ["20251230_1900"]);
    assert_eq!(strings(&json["branch_heads"]), ["20251230_1900"]);
    assert_eq!(strings(&json["bases"]), ["a1b2c3d4e5f6"]);
    assert_eq!(json["revisions"], 7);
    assert_eq!(json["problems"], serde_json::json!([]));
    assert_eq!(
        strings(&json["migration_dirs"]),
        ["migrations-fixtures/credentialmate/versions"]
    );
    let list = json["revisions_list"].as_array().unwrap();
    assert_eq!(list.len(), 7);
    let merge = list
        .iter()
        .find(|r| r["revision"] == "20251230_1643")
        .unwrap();
    assert_eq!(strings(&merge["aliases"]), ["394c8c3cbf42"]);
    assert_eq!(
        strings(&merge["down_revisions"]),
        ["c3d9e8f7a6b5", "d4f0a1b2c3e8"]
    );
    assert_eq!(merge["create_date"], "2025-12-30 16:43:09.512877");
    assert_eq!(merge["message"], "merge batch_id and audit index");
    assert_eq!(list.last().unwrap()["revision"], "20251230_1900");
    assert_eq!(strings(&json["merge_points"]), ["20251230_1643"]);
    assert_eq!(strings(&json["branch_points"]), ["b7e4f2a9c1d3"]);
    assert_topological(&json);
}

#[test]
fn text_view_is_plain_when_not_a_terminal() {
    let out = Test::new()
        .args(&["graph", "--migrations", &fixture("credentialmate")])
        .run()
        .status(0)
        .stdout_contains("20251230_1900")
        .stdout_contains("394c8c3cbf42")
        .stdout_contains("graph is sound");
    assert!(
        !out.stdout.contains('\u{1b}'),
        "ANSI escapes in piped output:\n{}",
        out.stdout
    );
}

#[test]
fn text_view_lists_problems_with_file_and_line() {
    let file = "migrations-fixtures/missing_parent/m3_orphan.py";
    let line = line_of(file, "down_revision");
    Test::new()
        .args(&["graph", "--migrations", &fixture("missing_parent")])
        .env("NO_COLOR", "1")
        .run()
        .status(1)
        .stdout_contains(&format!("{file}:{line}"))
        .stdout_contains("missing_parent");
}

#[test]
fn markdown_view() {
    Test::new()
        .args(&[
            "graph",
            "--migrations",
            &fixture("two_heads"),
            "--format",
            "markdown",
        ])
        .run()
        .status(1)
        .stdout_contains("# Alembic revision graph")
        .stdout_contains("`multiple_heads`")
        .stdout_contains("| 1 | `100` |");
}

#[test]
fn each_fixture_reports_the_defect_it_plants() {
    // (fixture, code, severity, file, assignment the line points at, exit status)
    let cases = [
        (
            "two_heads",
            "multiple_heads",
            "error",
            "two_heads/102_right.py",
            "revision",
            1,
        ),
        (
            "cycle",
            "cycle",
            "error",
            "cycle/c1_one.py",
            "down_revision",
            1,
        ),
        (
            "missing_parent",
            "missing_parent",
            "error",
            "missing_parent/m3_orphan.py",
            "down_revision",
            1,
        ),
        (
            "duplicate_revision",
            "duplicate_revision",
            "error",
            "duplicate_revision/e2_first.py",
            "revision",
            1,
        ),
        (
            "syntax_error",
            "syntax_error",
            "error",
            "syntax_error/f2_broken.py",
            "    op.add_column",
            1,
        ),
        (
            "unresolved_value",
            "unresolved_value",
            "error",
            "unresolved_value/versions/u2_next.py",
            "down_revision",
            1,
        ),
        (
            "filename_mismatch",
            "filename_mismatch",
            "warning",
            "filename_mismatch/31337ec0ffee_flavors.py",
            "revision",
            0,
        ),
    ];
    for (dir, code, severity, file, assignment, status) in cases {
        let json = graph_json(dir, status);
        let found = problem(&json, code);
        let file = fixture(file);
        assert_eq!(found["severity"], severity, "{dir}");
        assert_eq!(found["file"], file.as_str(), "{dir}");
        assert_eq!(found["line"], line_of(&file, assignment), "{dir}: {found}");
        assert!(!found["message"].as_str().unwrap().is_empty());
    }
}

#[test]
fn helper_module_is_skipped_but_reported() {
    let json = graph_json("helper_module", 1);
    assert_eq!(json["revisions"], 1);
    assert_eq!(
        problem(&json, "not_a_migration")["file"],
        "migrations-fixtures/helper_module/helpers.py"
    );
}

#[test]
fn cycle_names_its_members_only() {
    let json = graph_json("cycle", 1);
    let message = problem(&json, "cycle")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("c1, c2, c3"), "{message}");
    assert!(!message.contains("c0"), "{message}");
}

#[test]
fn syntax_error_still_reads_the_other_files() {
    let json = graph_json("syntax_error", 1);
    assert_eq!(json["revisions"], 3);
    assert_eq!(strings(&json["heads"]), ["f3"]);
}

#[test]
fn resolved_simple_name_and_unresolved_import() {
    let json = graph_json("unresolved_value", 1);
    let list = json["revisions_list"].as_array().unwrap();
    assert!(
        list.iter().any(|r| r["revision"] == "u1"),
        "REVISION_ID = 'u1'; revision = REVISION_ID resolves"
    );
    let message = problem(&json, "unresolved_value")["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("PARENT"), "{message}");
}

#[test]
fn depends_on_real_heads_versus_branch_heads() {
    let json = graph_json("depends_on", 0);
    assert_eq!(strings(&json["heads"]), ["dddd"]);
    assert_eq!(strings(&json["branch_heads"]), ["cccc", "dddd"]);
    assert_topological(&json);
}

#[test]
fn branch_labels_and_depends_on_a_label() {
    let json = graph_json("branch_labels", 0);
    assert_eq!(strings(&json["heads"]), ["s2"]);
    assert_eq!(strings(&json["bases"]), ["d1", "s1"]);
    let s1 = json["revisions_list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["revision"] == "s1")
        .unwrap()
        .clone();
    assert_eq!(strings(&s1["branch_labels"]), ["schema"]);
    assert_topological(&json);
}

#[test]
fn sound_fixtures_exit_zero() {
    for (dir, count) in [
        ("annotations", 2),
        ("tuples_lists", 6),
        ("skipped_files", 2),
        ("filename_mismatch", 2),
    ] {
        let json = graph_json(dir, 0);
        assert_eq!(json["revisions"], count, "{dir}");
        assert_topological(&json);
    }
    let json = graph_json("filename_mismatch", 0);
    let renamed = json["revisions_list"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["revision"] == "313373c0ffee")
        .unwrap()
        .clone();
    assert_eq!(strings(&renamed["aliases"]), ["31337ec0ffee"]);
}

#[test]
fn recursion_follows_the_ini() {
    let run = |ini: &str| {
        Test::new()
            .args(&["graph", "--alembic-ini", &fixture(ini), "--format", "json"])
            .run()
            .status(0)
            .json()
    };
    assert_eq!(run("nested/alembic.ini")["revisions"], 2);
    assert_eq!(strings(&run("nested/flat.ini")["heads"]), ["n1"]);
}

#[test]
fn alembic_ini_found_in_a_parent_directory() {
    let json = Test::new()
        .args(&["graph", "--format", "json"])
        .current_dir(repo().join("migrations-fixtures/credentialmate/versions"))
        .run()
        .status(0)
        .json();
    assert_eq!(strings(&json["heads"]), ["20251230_1900"]);
}

#[test]
fn version_locations_with_here() {
    let json = Test::new()
        .args(&["graph", "--format", "json"])
        .current_dir(repo().join("migrations-fixtures/ini_locations"))
        .run()
        .status(0)
        .json();
    assert_eq!(strings(&json["migration_dirs"]), ["expand", "contract"]);
    assert_eq!(strings(&json["heads"]), ["y1"]);
    assert_eq!(strings(&json["branch_heads"]), ["x2", "y1"]);
}

#[test]
fn input_errors_exit_two_and_say_what_was_looked_for() {
    Test::new()
        .args(&["graph", "--migrations", "migrations-fixtures/no_such_dir"])
        .run()
        .status(2)
        .stderr_contains("migrations-fixtures/no_such_dir does not exist");
    Test::new()
        .args(&["graph", "--migrations", &fixture("empty")])
        .run()
        .status(2)
        .stderr_contains("migrations-fixtures/empty holds no migration files");
    Test::new()
        .args(&["graph", "--alembic-ini", "nowhere/alembic.ini"])
        .run()
        .status(2)
        .stderr_contains("--alembic-ini nowhere/alembic.ini");
    let outside = tempfile::tempdir().unwrap();
    Test::new()
        .args(&["graph"])
        .current_dir(outside.path())
        .run()
        .status(2)
        .stderr_contains("no alembic.ini found");
}

#[test]
fn script_location_without_versions_names_the_ini_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("alembic.ini"),
        "[alembic]\nscript_location = %(here)s/db\n",
    )
    .unwrap();
    Test::new()
        .args(&["graph"])
        .current_dir(dir.path())
        .run()
        .status(2)
        .stderr_contains("db/versions does not exist")
        .stderr_contains("alembic.ini:2");
}

#[test]
fn a_directory_given_twice_is_read_once() {
    let json = Test::new()
        .args(&["graph", "--format", "json"])
        .args(&["--migrations", &fixture("annotations")])
        .args(&["--migrations", &fixture("annotations")])
        .run()
        .status(0)
        .json();
    assert_eq!(json["revisions"], 2);
    assert_eq!(json["problems"], serde_json::json!([]));
}

#[test]
fn effects_list_what_is_read_and_what_stays_unknown() {
    let json = Test::new()
        .args(&["graph", "--migrations", &fixture("credentialmate/versions")])
        .args(&["--effects", "--format", "json"])
        .run()
        .status(0)
        .json();
    assert_eq!(json["effects_summary"]["migrations"], 7, "{json:#}");
    assert_eq!(json["effects_summary"]["fully_understood"], 7, "{json:#}");
    let file = "migrations-fixtures/credentialmate/versions/20251230_1900_sync_superuser_role_constraint.py";
    let last = &json["revisions_list"][6]["effects"];
    assert_eq!(last["revision"], "20251230_1900");
    let backfill = &last["operations"][0];
    assert_eq!(backfill["line"], line_of(file, "    op.execute"));
    assert_eq!(backfill["understood"], true);
    assert!(
        backfill["description"]
            .as_str()
            .unwrap()
            .starts_with("data change"),
        "{backfill}"
    );

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &str| {
        std::fs::write(dir.path().join(name), body).unwrap();
    };
    write(
        "a1_base.py",
        "from alembic import op\nimport sqlalchemy as sa\nrevision = 'a1'\ndown_revision = None\n\ndef upgrade():\n    op.add_column('t', sa.Column('x', sa.Integer()))\n",
    );
    write(
        "b2_raw.py",
        "from alembic import op\nrevision = 'b2'\ndown_revision = 'a1'\n\ndef upgrade():\n    op.execute('CREATE EXTENSION pgcrypto')\n    op.execute('GRANT SELECT ON t TO reader')\n    helper(op)\n",
    );
    let text = Test::new()
        .args(&[
            "graph",
            "--effects",
            "--migrations",
            dir.path().to_str().unwrap(),
        ])
        .run()
        .status(0)
        .stdout;
    assert!(text.contains("✓ a1 ("), "{text}");
    assert!(text.contains("? b2 ("), "{text}");
    // Raw DDL is read; a statement not followed says so.
    assert!(text.contains("   6  create extension pgcrypto"), "{text}");
    assert!(
        text.contains("   7  unknown: op.execute('GRANT SELECT ON t TO reader'): `GRANT SELECT …` is not followed"),
        "{text}"
    );
    assert!(text.contains("   8  unknown: helper(op)"), "{text}");
    assert!(
        text.ends_with("1 of 2 migrations (50%) fully understood\n"),
        "{text}"
    );
}

/// A reader that stops early (`driftcheck graph --format json | head`) ends
/// the run quietly: exit 0, no panic about a broken pipe.
#[test]
fn output_to_a_reader_that_stops_early() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    // 2,000 revisions print ~700 KB of JSON and ~200 KB of markdown, far
    // over a pipe's buffer.
    let mut down = "None".to_string();
    for i in 0..2000 {
        let id = format!("{i:012x}");
        std::fs::write(
            dir.path().join(format!("{id}_step.py")),
            format!("revision = '{id}'\ndown_revision = {down}\n"),
        )
        .unwrap();
        down = format!("'{id}'");
    }
    // JSON is written as it is serialized, markdown through the shared
    // standard-output writer: both must stop quietly.
    for (format, first) in [("json", '{'), ("markdown", '#')] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_driftcheck"))
            .args(["graph", "--format", format, "--migrations"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut start = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut start).unwrap();
        // The pipe's read end is closed here: the next writes fail with EPIPE.
        let start = String::from_utf8_lossy(&start).into_owned();
        assert!(start.starts_with(first), "{format}: {start:?}");
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{format}, stderr: {stderr}");
        assert!(stderr.is_empty(), "{format}, stderr: {stderr}");
    }
}
