//! The JSON Schemas of `docs/schema/`: each one a valid draft 2020-12 schema,
//! the real RIS-052 outputs (check, gate, graph, snapshot) valid against
//! them, their closed sets equal to driftcheck's, and the validator really
//! rejecting an output that drops a required field or invents an enum value.
//! (Every other integration test validates its JSON too: `common::schema`.)

mod common;

use common::cli::{repo, Output, Test};
use common::migrated::{credentialmate_ini, ris052_database, shared_cluster, unique_db};
use common::schema::{Contract, SCHEMAS};
use driftcheck::compare::{Change, Kind};
use driftcheck::report::{Severity, Status, TargetState};
use driftcheck::schema::{Snapshot, Table, VersionTable, SNAPSHOT_FORMAT};
use serde_json::{json, Value};
use std::path::Path;

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

#[test]
fn each_schema_is_valid_draft_2020_12_with_an_id_and_a_format_note() {
    for (name, text) in SCHEMAS {
        let schema: Value =
            serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        assert_eq!(schema["$schema"], DRAFT_2020_12, "{name}");
        if let Err(error) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{name} is not a valid draft 2020-12 schema: {error}");
        }
        let id = schema["$id"].as_str().unwrap_or_default();
        let stem = name.trim_end_matches(".schema.json");
        assert_eq!(id, format!("urn:driftcheck:schema:{stem}:1"), "{name}");
        let description = schema["description"].as_str().unwrap_or_default();
        assert!(
            description.contains("fields may be added")
                && description.contains("never renamed or removed")
                && description.contains("format"),
            "{name} does not state the format rule: {description}"
        );
        assert_eq!(schema["type"], "object", "{name}");
        assert!(
            schema["required"].as_array().is_some_and(|r| !r.is_empty()),
            "{name} lists no required field"
        );
        // Fields may be added: no object of the contract is closed.
        assert!(
            !text.contains("\"additionalProperties\": false")
                && !text.contains("\"unevaluatedProperties\": false"),
            "{name} forbids added fields"
        );
        // Compiles, with format checking, as the harness uses it.
        common::schema::compile(&schema, name);
    }
    // Every schema file on disk is one of these (and so is tested).
    let on_disk: Vec<String> = std::fs::read_dir(repo().join("docs/schema"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    assert_eq!(on_disk.len(), SCHEMAS.len(), "{on_disk:?}");
}

/// The enum of `$defs/NAME` (or of a property path) in the check report schema.
fn check_enum(pointer: &str) -> Vec<String> {
    let schema = Contract::CheckReport.schema();
    let node = schema
        .pointer(pointer)
        .unwrap_or_else(|| panic!("no {pointer} in the check report schema"));
    node["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{pointer} has no enum"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn serialised<T: serde::Serialize>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .map(|v| {
            serde_json::to_value(v)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn closed_sets_are_driftchecks() {
    // A new variant fails to compile here: add it to the schema too.
    let state = |s: TargetState| match s {
        TargetState::AtHead
        | TargetState::Behind
        | TargetState::Renamed
        | TargetState::Diverged
        | TargetState::Uninitialized
        | TargetState::UnknownRevision
        | TargetState::Unreachable
        | TargetState::Skipped => s,
    };
    let states = [
        TargetState::AtHead,
        TargetState::Behind,
        TargetState::Renamed,
        TargetState::Diverged,
        TargetState::Uninitialized,
        TargetState::UnknownRevision,
        TargetState::Unreachable,
        TargetState::Skipped,
    ]
    .map(state);
    assert_eq!(
        check_enum("/$defs/target/properties/state"),
        serialised(&states)
    );
    let status = |s: Status| match s {
        Status::Clean | Status::Drift | Status::Error => s,
    };
    assert_eq!(
        check_enum("/properties/status"),
        serialised(&[Status::Clean, Status::Drift, Status::Error].map(status))
    );
    let severity = |s: Severity| match s {
        Severity::Error | Severity::Warning | Severity::Info => s,
    };
    assert_eq!(
        check_enum("/$defs/finding/properties/severity"),
        serialised(&[Severity::Error, Severity::Warning, Severity::Info].map(severity))
    );
    let change = |c: Change| match c {
        Change::OnlyLocal | Change::OnlyProduction | Change::Differs => c.as_str().to_string(),
    };
    assert_eq!(
        check_enum("/$defs/schemaDiffEntry/properties/change"),
        [Change::OnlyLocal, Change::OnlyProduction, Change::Differs].map(change)
    );
    assert_eq!(
        check_enum("/$defs/objectKind"),
        Kind::ALL.map(|k| k.as_str().to_string())
    );
}

/// The RIS-052 project's codebase.
fn credentialmate() -> Vec<String> {
    let ini = credentialmate_ini();
    vec!["--alembic-ini".into(), ini.to_str().unwrap().into()]
}

fn check(dir: &Path, args: &[&str]) -> Output {
    Test::new()
        .current_dir(dir)
        .args(&credentialmate())
        .args(&["--skip-production", "--no-report", "--format", "json"])
        .args(args)
        .run()
}

fn gate(dir: &Path, args: &[&str]) -> Output {
    Test::new()
        .current_dir(dir)
        .arg("gate")
        .args(&credentialmate())
        .args(&["--skip-production", "--no-report", "--format", "json"])
        .args(args)
        .run()
}

#[track_caller]
fn assert_valid(contract: Contract, value: &Value) {
    contract.assert_valid(value, "output");
}

#[test]
fn ris052_outputs_validate() {
    let cluster = shared_cluster();
    let db = unique_db("ris052");
    ris052_database(&cluster, &db);
    let url = cluster.url(&db);
    let work = tempfile::tempdir().unwrap();

    // The check: renamed, 1700 applied by hand, 1900 not applied.
    let report = check(work.path(), &["--local-url", url.as_str()])
        .status(1)
        .json();
    assert_valid(Contract::CheckReport, &report);
    let local = &report["targets"]["local"];
    assert_eq!(local["state"], "renamed", "{report:#}");
    assert_eq!(local["pending"][0]["evidence"], "applied", "{report:#}");
    assert_eq!(local["pending"][1]["evidence"], "not_applied", "{report:#}");
    assert_eq!(report["targets"]["production"]["reason"], "skipped");

    // The gate, with and without --allow-pending: blocked either way.
    for extra in [&[][..], &["--allow-pending"][..]] {
        let out = gate(
            work.path(),
            &[&["--local-url", url.as_str()][..], extra].concat(),
        );
        let value = out.status(1).json();
        assert_valid(Contract::GateReport, &value);
        assert_eq!(value["gate"]["passed"], false, "{value:#}");
    }

    // The snapshot, written to a file, and the check read from it.
    let file = work.path().join("ris052.json");
    Test::new()
        .args(&[
            "snapshot",
            "--url",
            url.as_str(),
            "-o",
            file.to_str().unwrap(),
        ])
        .run()
        .status(0);
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_valid(Contract::Snapshot, &snapshot);
    assert_eq!(
        snapshot["version_table"]["revisions"],
        json!(["394c8c3cbf42"])
    );
    let offline = check(work.path(), &["--local-snapshot", file.to_str().unwrap()])
        .status(1)
        .json();
    assert_valid(Contract::CheckReport, &offline);
    assert_eq!(offline["targets"]["local"]["state"], "renamed");

    // The graph of the same codebase.
    let graph = Test::new()
        .args(&[
            "graph",
            "--alembic-ini",
            credentialmate_ini().to_str().unwrap(),
        ])
        .args(&["--format", "json"])
        .run()
        .status(0)
        .json();
    assert_valid(Contract::Graph, &graph);
    assert_eq!(graph["heads"], json!(["20251230_1900"]));
}

/// A RIS-052-like snapshot without a database: the version table holds the
/// merge's old id, no table exists yet.
fn ris052_snapshot_file(dir: &Path) -> std::path::PathBuf {
    let snapshot = Snapshot {
        format: SNAPSHOT_FORMAT,
        server_version: "15.18".into(),
        database: "app".into(),
        taken_at: "2026-11-24T19:53:53.123456Z".into(),
        version_table: Some(VersionTable {
            name: "public.alembic_version".into(),
            revisions: vec!["394c8c3cbf42".into()],
        }),
        tables: vec![Table {
            schema: "public".into(),
            name: "alembic_version".into(),
            kind: "table".into(),
            ..Table::default()
        }],
        ..Snapshot::default()
    };
    let value = serde_json::to_value(&snapshot).unwrap();
    assert_valid(Contract::Snapshot, &value);
    let path = dir.join("snapshot.json");
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
    path
}

#[track_caller]
fn assert_rejected(contract: Contract, value: &Value, needle: &str) {
    let violations = contract.violations(value);
    assert!(
        violations.iter().any(|v| v.contains(needle)),
        "{contract:?}: expected a violation mentioning {needle:?}, got {violations:?}"
    );
}

/// `value` with `pointer`'s member removed.
fn without(value: &Value, pointer: &str) -> Value {
    let mut value = value.clone();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    value
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent}"))
        .remove(key)
        .unwrap_or_else(|| panic!("no {pointer}"));
    value
}

/// `value` with `pointer` set to `new`.
fn with(value: &Value, pointer: &str, new: Value) -> Value {
    let mut value = value.clone();
    *value
        .pointer_mut(pointer)
        .unwrap_or_else(|| panic!("no {pointer}")) = new;
    value
}

#[test]
fn validator_rejects_missing_required_fields_and_unknown_enum_values() {
    let work = tempfile::tempdir().unwrap();
    let file = ris052_snapshot_file(work.path());
    let file = file.to_str().unwrap();
    let report = check(work.path(), &["--local-snapshot", file])
        .status(1)
        .json();
    assert!(Contract::CheckReport.violations(&report).is_empty());
    assert_eq!(report["targets"]["local"]["state"], "renamed", "{report:#}");

    // Required fields, at the top and nested.
    assert_rejected(
        Contract::CheckReport,
        &without(&report, "/status"),
        "\"status\"",
    );
    assert_rejected(
        Contract::CheckReport,
        &without(&report, "/targets/local/state"),
        "\"state\"",
    );
    assert_rejected(
        Contract::CheckReport,
        &without(&report, "/targets/local/pending/0/evidence"),
        "\"evidence\"",
    );
    assert_rejected(
        Contract::CheckReport,
        &without(&report, "/findings/0/severity"),
        "\"severity\"",
    );
    // Values outside the closed sets, and wrong types.
    assert_rejected(
        Contract::CheckReport,
        &with(&report, "/status", json!("drifted")),
        "/status",
    );
    assert_rejected(
        Contract::CheckReport,
        &with(&report, "/targets/local/state", json!("ahead")),
        "/targets/local/state",
    );
    assert_rejected(
        Contract::CheckReport,
        &with(&report, "/targets/local/pending/0/evidence", json!("maybe")),
        "/targets/local/pending/0/evidence",
    );
    assert_rejected(
        Contract::CheckReport,
        &with(&report, "/findings/0/severity", json!("fatal")),
        "/findings/0/severity",
    );
    assert_rejected(
        Contract::CheckReport,
        &with(&report, "/checked_at", json!("yesterday")),
        "/checked_at",
    );
    // A skipped target must say why, with a known reason.
    assert_rejected(
        Contract::CheckReport,
        &with(&report, "/targets/production/reason", json!(null)),
        "/targets/production/reason",
    );
    // Status and findings agree.
    assert_rejected(
        Contract::CheckReport,
        &with(&report, "/status", json!("clean")),
        "/findings",
    );
    // Added fields are allowed.
    let mut added = report.clone();
    added["targets"]["local"]["added_later"] = json!(1);
    assert!(Contract::CheckReport.violations(&added).is_empty());

    // The gate's object: required under `gate`, with its own required fields.
    let gated = gate(work.path(), &["--local-snapshot", file])
        .status(1)
        .json();
    assert!(Contract::GateReport.violations(&gated).is_empty());
    assert_rejected(Contract::GateReport, &without(&gated, "/gate"), "`gate`");
    assert_rejected(
        Contract::GateReport,
        &without(&gated, "/gate/failures"),
        "\"failures\"",
    );
    assert_rejected(
        Contract::GateReport,
        &with(&gated, "/gate/passed", json!("no")),
        "/gate/passed",
    );
    // A passed gate has no failures.
    assert_rejected(
        Contract::GateReport,
        &with(&gated, "/gate/passed", json!(true)),
        "/gate/failures",
    );

    // The snapshot file.
    let snapshot: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_rejected(
        Contract::Snapshot,
        &without(&snapshot, "/format"),
        "\"format\"",
    );
    assert_rejected(
        Contract::Snapshot,
        &with(&snapshot, "/format", json!(2)),
        "/format",
    );
    assert_rejected(
        Contract::Snapshot,
        &without(&snapshot, "/tables/0/kind"),
        "\"kind\"",
    );
    assert_rejected(
        Contract::Snapshot,
        &with(&snapshot, "/tables/0/kind", json!("view")),
        "/tables/0/kind",
    );

    // The graph.
    let graph = Test::new()
        .args(&[
            "graph",
            "--alembic-ini",
            credentialmate_ini().to_str().unwrap(),
        ])
        .args(&["--format", "json"])
        .run()
        .status(0)
        .json();
    assert_rejected(
        Contract::Graph,
        &without(&graph, "/revisions_list"),
        "\"revisions_list\"",
    );
    assert_rejected(
        Contract::Graph,
        &without(&graph, "/revisions_list/0/down_revisions"),
        "\"down_revisions\"",
    );
    assert_rejected(
        Contract::Graph,
        &with(&graph, "/revisions", json!("7")),
        "/revisions",
    );
}

#[test]
fn graph_problems_validate() {
    // Every fixture with a defect: problems with and without file and line.
    for fixture in [
        "two_heads",
        "cycle",
        "missing_parent",
        "duplicate_revision",
        "syntax_error",
        "unresolved_value",
        "filename_mismatch",
        "helper_module",
        "branch_labels",
    ] {
        let out = Test::new()
            .args(&["graph", "--migrations"])
            .arg(format!("migrations-fixtures/{fixture}"))
            .args(&["--format", "json"])
            .run();
        assert!(matches!(out.code, Some(0 | 1)), "{fixture}: {out:?}");
        assert_valid(Contract::Graph, &out.json());
    }
}
