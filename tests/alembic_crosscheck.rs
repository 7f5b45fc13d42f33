//! driftcheck's graph against Alembic's own `RevisionMap`, fixture by fixture
//! (tests/support/alembic_revision_map.py run with the project's venv).

mod common;

use common::cli::{repo, Test};
use common::migrated::python;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Alembic's view. `target` is `--ini FILE` or `--dir DIR`.
fn alembic(kind: &str, path: &str) -> Value {
    let output = Command::new(python())
        .arg(repo().join("tests/support/alembic_revision_map.py"))
        .args([kind, path])
        .current_dir(repo())
        .output()
        .expect("run the alembic_revision_map.py script");
    assert!(
        output.status.success(),
        "alembic_revision_map.py {kind} {path} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn set(value: &Value) -> BTreeSet<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Every fixture, with the flags that point driftcheck and Alembic at it.
fn cases() -> Vec<(String, Vec<String>, (&'static str, String))> {
    let mut cases = Vec::new();
    let root = repo().join("migrations-fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        if name == "empty" {
            continue; // an input error, covered in tests/graph.rs
        }
        let rel = format!("migrations-fixtures/{name}");
        let alembic_target = if dir.join("alembic.ini").is_file() {
            ("--ini", format!("{rel}/alembic.ini"))
        } else {
            ("--dir", rel.clone())
        };
        cases.push((
            name,
            vec!["--migrations".into(), rel.clone()],
            alembic_target,
        ));
    }
    cases.push((
        "nested (flat.ini)".into(),
        vec![
            "--alembic-ini".into(),
            "migrations-fixtures/nested/flat.ini".into(),
        ],
        ("--ini", "migrations-fixtures/nested/flat.ini".into()),
    ));
    assert!(cases.len() >= 15, "fixtures missing: {cases:?}");
    cases
}

#[test]
fn driftcheck_agrees_with_alembic_on_every_fixture() {
    for (name, flags, (kind, path)) in cases() {
        let ours = Test::new()
            .arg("graph")
            .args(&flags.iter().map(String::as_str).collect::<Vec<_>>())
            .args(&["--format", "json"])
            .run();
        let theirs = alembic(kind, &path);
        let json = ours.json();
        let problems = json["problems"].as_array().unwrap();
        let error_codes: BTreeSet<&str> = problems
            .iter()
            .filter(|p| p["severity"] == "error")
            .map(|p| p["code"].as_str().unwrap())
            .collect();

        if theirs["ok"] == false {
            // Alembic refuses the directory: driftcheck must call it broken, for the same reason.
            let expected = match theirs["error"].as_str().unwrap() {
                "CycleDetected" | "DependencyCycleDetected" => "cycle",
                "KeyError" => "missing_parent",
                "SyntaxError" => "syntax_error",
                "CommandError" => "not_a_migration",
                other => panic!("{name}: unexpected Alembic error {other}: {theirs}"),
            };
            assert_eq!(
                ours.code,
                Some(1),
                "{name}: Alembic fails ({theirs}) but driftcheck exits {:?}",
                ours.code
            );
            assert!(
                error_codes.contains(expected),
                "{name}: Alembic says {theirs}, driftcheck says {error_codes:?}"
            );
            continue;
        }

        // Revisions whose values driftcheck refused to guess.
        let unresolved: BTreeSet<String> = problems
            .iter()
            .filter(|p| p["code"] == "unresolved_value" && p["severity"] == "error")
            .filter_map(|p| p["file"].as_str())
            .flat_map(|file| {
                json["revisions_list"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(move |r| r["file"] == file)
                    .map(|r| r["revision"].as_str().unwrap().to_string())
            })
            .collect();

        let list = json["revisions_list"].as_array().unwrap();
        let ids: BTreeSet<String> = list
            .iter()
            .map(|r| r["revision"].as_str().unwrap().to_string())
            .collect();
        let alembic_revs = theirs["revisions"].as_object().unwrap();
        let alembic_ids: BTreeSet<String> = alembic_revs.keys().cloned().collect();
        assert_eq!(ids, alembic_ids, "{name}: revision ids");

        let labels: BTreeMap<String, String> = list
            .iter()
            .flat_map(|r| {
                set(&r["branch_labels"])
                    .into_iter()
                    .map(|l| (l, r["revision"].as_str().unwrap().to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for rev in list {
            let id = rev["revision"].as_str().unwrap();
            let theirs_rev = &alembic_revs[id];
            if unresolved.contains(id) {
                assert!(
                    !set(&theirs_rev["down_revisions"]).is_empty()
                        || !set(&theirs_rev["depends_on"]).is_empty(),
                    "{name}: {id} was flagged unresolved but Alembic finds no value there"
                );
                continue;
            }
            assert_eq!(
                set(&rev["down_revisions"]),
                set(&theirs_rev["down_revisions"]),
                "{name}: down_revisions of {id}"
            );
            let deps: BTreeSet<String> = set(&rev["depends_on"])
                .into_iter()
                .map(|d| labels.get(&d).cloned().unwrap_or(d))
                .collect();
            assert_eq!(
                deps,
                set(&theirs_rev["depends_on"]),
                "{name}: depends_on of {id}"
            );
        }

        // The upgrade order respects every edge Alembic knows.
        let position: BTreeMap<&str, usize> = list
            .iter()
            .enumerate()
            .map(|(i, r)| (r["revision"].as_str().unwrap(), i))
            .collect();
        for (id, rev) in alembic_revs {
            for parent in set(&rev["down_revisions"])
                .iter()
                .chain(set(&rev["depends_on"]).iter())
            {
                if unresolved.contains(id) {
                    continue;
                }
                assert!(
                    position[parent.as_str()] < position[id.as_str()],
                    "{name}: {parent} must come before {id}"
                );
            }
        }

        if unresolved.is_empty() {
            for key in ["heads", "branch_heads", "bases"] {
                assert_eq!(set(&json[key]), set(&theirs[key]), "{name}: {key}");
            }
            let several_heads = set(&theirs["heads"]).len() > 1;
            assert_eq!(
                error_codes.contains("multiple_heads"),
                several_heads,
                "{name}: multiple_heads"
            );
        } else {
            assert!(error_codes.contains("unresolved_value"));
        }
    }
}
