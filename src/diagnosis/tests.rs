use super::*;
use crate::evidence::Evidence::{Applied, NotApplied, Partial, Unknown};
use crate::migrations::Revision;
use std::collections::HashMap;
use std::path::PathBuf;

fn rev(id: &str, down: &[&str], aliases: &[&str]) -> Revision {
    Revision {
        revision: id.into(),
        down_revisions: down.iter().map(|s| s.to_string()).collect(),
        depends_on: vec![],
        branch_labels: vec![],
        file: PathBuf::from(format!("versions/{id}.py")),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        create_date: None,
        message: None,
    }
}

/// The RIS-052 history: a hash-id chain on two branches, merged by a
/// timestamp revision that still carries the old merge id.
fn credentialmate() -> Codebase {
    Codebase {
        heads: vec!["20251230_1900".into()],
        branch_heads: vec!["20251230_1900".into()],
        bases: vec!["a1".into()],
        revisions: vec![
            rev("a1", &[], &[]),
            rev("b1", &["a1"], &[]),
            rev("c1", &["a1"], &[]),
            rev("20251230_1643", &["b1", "c1"], &["394c8c3cbf42"]),
            rev("20251230_1700", &["20251230_1643"], &[]),
            rev("20251230_1900", &["20251230_1700"], &[]),
        ],
        ..Codebase::default()
    }
}

fn table(rows: &[&str]) -> VersionTable {
    VersionTable {
        name: "public.alembic_version".into(),
        revisions: rows.iter().map(|s| s.to_string()).collect(),
    }
}

fn run(
    codebase: &Codebase,
    version: Option<&VersionTable>,
    evidence: &[(&str, Evidence)],
) -> (TargetReport, Vec<Finding>) {
    let evidence: HashMap<String, Evidence> =
        evidence.iter().map(|(r, e)| (r.to_string(), *e)).collect();
    let input = TargetInput {
        name: "local",
        version_table: version,
        version_table_name: "alembic_version",
        user_tables: 0,
        database: None,
        server_version: None,
    };
    diagnose(codebase, &input, &mut |r: &Revision| Assessment {
        evidence: evidence.get(&r.revision).copied().unwrap_or(Unknown),
        details: vec![],
    })
}

fn suggestions(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .filter_map(|f| f.suggestion.clone())
        .collect()
}

#[test]
fn ris_052_renamed_with_one_migration_applied_by_hand() {
    let codebase = credentialmate();
    let (report, findings) = run(
        &codebase,
        Some(&table(&["394c8c3cbf42"])),
        &[("20251230_1700", Applied), ("20251230_1900", NotApplied)],
    );
    assert_eq!(report.state, TargetState::Renamed);
    assert_eq!(report.current, vec!["394c8c3cbf42"]);
    assert_eq!(report.renamed[0].revision, "20251230_1643");
    let pending: Vec<_> = report.pending.iter().map(|p| p.revision.as_str()).collect();
    assert_eq!(pending, vec!["20251230_1700", "20251230_1900"]);
    let codes: Vec<_> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(
        codes,
        vec!["renamed_revision", "applied_by_hand", "not_applied"]
    );
    assert_eq!(
        suggestions(&findings),
        vec![
            "alembic stamp --purge 20251230_1643",
            "alembic stamp 20251230_1700",
            "alembic upgrade heads"
        ]
    );
}

#[test]
fn at_head_has_no_findings() {
    let (report, findings) = run(&credentialmate(), Some(&table(&["20251230_1900"])), &[]);
    assert_eq!(report.state, TargetState::AtHead);
    assert!(report.pending.is_empty());
    assert!(findings.is_empty(), "{findings:?}");
}

#[test]
fn behind_lists_pending_in_upgrade_order() {
    let (report, findings) = run(
        &credentialmate(),
        Some(&table(&["b1"])),
        &[
            ("c1", NotApplied),
            ("20251230_1643", Applied),
            ("20251230_1700", NotApplied),
            ("20251230_1900", NotApplied),
        ],
    );
    assert_eq!(report.state, TargetState::Behind);
    let pending: Vec<_> = report.pending.iter().map(|p| p.revision.as_str()).collect();
    assert_eq!(
        pending,
        vec!["c1", "20251230_1643", "20251230_1700", "20251230_1900"]
    );
    // One command per run of equal evidence.
    assert_eq!(
        suggestions(&findings),
        vec![
            "alembic upgrade c1",
            "alembic stamp 20251230_1643",
            "alembic upgrade heads"
        ]
    );
}

#[test]
fn several_branch_rows_are_diverged() {
    let (report, findings) = run(&credentialmate(), Some(&table(&["b1", "c1"])), &[]);
    assert_eq!(report.state, TargetState::Diverged);
    assert_eq!(report.pending[0].revision, "20251230_1643");
    assert!(findings.iter().any(|f| f.code == "diverged"));
}

/// Found end to end: the diverged finding's own `alembic upgrade heads` came
/// first and failed on a migration applied by hand; the plan alone is right.
#[test]
fn diverged_commands_stamp_what_was_applied_by_hand_first() {
    let (_, findings) = run(
        &credentialmate(),
        Some(&table(&["b1", "c1"])),
        &[
            ("20251230_1643", NotApplied),
            ("20251230_1700", Applied),
            ("20251230_1900", NotApplied),
        ],
    );
    assert_eq!(
        suggestions(&findings),
        [
            "alembic upgrade 20251230_1643",
            "alembic stamp 20251230_1700",
            "alembic upgrade heads"
        ]
    );
}

#[test]
fn ancestor_and_descendant_rows_are_inconsistent() {
    let (report, findings) = run(
        &credentialmate(),
        Some(&table(&["a1", "20251230_1900"])),
        &[],
    );
    assert_eq!(report.state, TargetState::Diverged);
    let finding = findings
        .iter()
        .find(|f| f.code == "inconsistent_version_rows")
        .expect("inconsistent rows reported");
    assert_eq!(
        finding.suggestion.as_deref(),
        Some("alembic stamp --purge 20251230_1900")
    );
}

#[test]
fn unknown_revision_names_prefix_matches() {
    let (report, findings) = run(&credentialmate(), Some(&table(&["20251230"])), &[]);
    assert_eq!(report.state, TargetState::UnknownRevision);
    assert_eq!(
        report.unknown[0].nearest,
        vec!["20251230_1643", "20251230_1700", "20251230_1900"]
    );
    assert!(report.pending.is_empty());
    assert_eq!(findings[0].code, "unknown_revision");
}

#[test]
fn missing_and_empty_version_tables_are_uninitialized() {
    let codebase = credentialmate();
    let (missing, findings) = run(&codebase, None, &[]);
    assert_eq!(missing.state, TargetState::Uninitialized);
    assert_eq!(missing.pending.len(), codebase.revisions.len());
    assert_eq!(
        findings[0].suggestion.as_deref(),
        Some("alembic upgrade heads")
    );
    let (empty, _) = run(&codebase, Some(&table(&[])), &[]);
    assert_eq!(empty.state, TargetState::Uninitialized);
    assert!(empty.message.contains("empty"), "{}", empty.message);
}

/// Tables but no version table: the evidence decides what to stamp, instead
/// of a generic "stamp REV".
#[test]
fn uninitialized_with_a_schema_stamps_what_the_evidence_finds() {
    let codebase = credentialmate();
    let evidence: HashMap<&str, Evidence> = [
        ("a1", Applied),
        ("b1", Applied),
        ("c1", Applied),
        ("20251230_1643", Applied),
        ("20251230_1700", Applied),
        ("20251230_1900", NotApplied),
    ]
    .into();
    let input = TargetInput {
        name: "local",
        version_table: None,
        version_table_name: "alembic_version",
        user_tables: 4,
        database: None,
        server_version: None,
    };
    let (report, findings) = diagnose(&codebase, &input, &mut |r: &Revision| Assessment {
        evidence: evidence[r.revision.as_str()],
        details: vec!["found: something".into()],
    });
    assert_eq!(report.state, TargetState::Uninitialized);
    assert_eq!(findings[0].code, "uninitialized");
    assert_eq!(
        suggestions(&findings),
        ["alembic stamp 20251230_1700", "alembic upgrade heads"]
    );
}

#[test]
fn partial_and_unverified_migrations_ask_for_a_person() {
    let (_, findings) = run(
        &credentialmate(),
        Some(&table(&["20251230_1643"])),
        &[("20251230_1700", Partial), ("20251230_1900", Unknown)],
    );
    let codes: Vec<_> = findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, vec!["partially_applied", "pending_unverified"]);
}

/// Pending items of the credentialmate graph with evidence and details.
fn pending_with(items: &[(&str, Evidence, &[&str])]) -> Vec<PendingMigration> {
    items
        .iter()
        .map(|(revision, evidence, details)| PendingMigration {
            revision: revision.to_string(),
            file: format!("versions/{revision}.py"),
            evidence: *evidence,
            details: details.iter().map(|d| d.to_string()).collect(),
            create_date: None,
            message: None,
        })
        .collect()
}

fn plan(items: &[(&str, Evidence, &[&str])]) -> Vec<String> {
    let codebase = credentialmate();
    suggestions(&plan_findings("local", &pending_with(items), &|a, b| {
        a != b && codebase.ancestors(b).contains(a)
    }))
}

const MERGE: &[&str] = &[crate::evidence::NO_SCHEMA_CHANGES];

/// Behind on both branches: the empty merge must not split the upgrade into
/// `upgrade c1` + `stamp merge`, which would skip b1 (the bug found end to end).
#[test]
fn an_empty_merge_does_not_split_a_not_applied_run() {
    assert_eq!(
        plan(&[
            ("b1", NotApplied, &[]),
            ("c1", NotApplied, &[]),
            ("20251230_1643", Applied, MERGE),
            ("20251230_1700", NotApplied, &[]),
            ("20251230_1900", NotApplied, &[]),
        ]),
        ["alembic upgrade heads"]
    );
    // First in the list, it takes the evidence of what follows.
    assert_eq!(
        plan(&[
            ("20251230_1643", Applied, MERGE),
            ("20251230_1700", Applied, &["found: column"]),
            ("20251230_1900", NotApplied, &[]),
        ]),
        ["alembic stamp 20251230_1700", "alembic upgrade heads"]
    );
    // A real "applied" with no details is not vacuous.
    assert_eq!(
        plan(&[
            ("20251230_1700", Applied, &[]),
            ("20251230_1900", NotApplied, &[]),
        ]),
        ["alembic stamp 20251230_1700", "alembic upgrade heads"]
    );
}

/// `alembic upgrade X` runs only X's ancestors: a run holding both branches
/// needs one upgrade per branch tip; stamps likewise.
#[test]
fn runs_spanning_branches_get_a_command_per_branch_tip() {
    assert_eq!(
        plan(&[
            ("b1", NotApplied, &[]),
            ("c1", NotApplied, &[]),
            ("20251230_1643", Applied, &["found: index"]),
            ("20251230_1700", NotApplied, &[]),
        ]),
        [
            "alembic upgrade b1",
            "alembic upgrade c1",
            "alembic stamp 20251230_1643",
            "alembic upgrade heads"
        ]
    );
    assert_eq!(
        plan(&[
            ("b1", Applied, &["found: column"]),
            ("c1", Applied, &["found: index"]),
            ("20251230_1700", NotApplied, &[]),
        ]),
        [
            "alembic stamp b1",
            "alembic stamp c1",
            "alembic upgrade heads"
        ]
    );
    // A partial migration keeps its own advice and does not absorb a merge.
    assert_eq!(
        plan(&[
            ("b1", Partial, &[]),
            ("20251230_1643", Applied, MERGE),
            ("20251230_1700", Partial, &[]),
        ])
        .len(),
        3
    );
}

/// Found end to end: a drop-only migration after an unapplied one that creates
/// what it drops looked "applied", and the plan stamped drops that never ran.
#[test]
fn drops_of_absent_objects_after_an_unapplied_migration_are_unknown() {
    let codebase = credentialmate();
    let input = TargetInput {
        name: "local",
        version_table: Some(&table(&["20251230_1643"])),
        version_table_name: "alembic_version",
        user_tables: 3,
        database: None,
        server_version: None,
    };
    let drops_only = vec!["found: column users.sku already dropped".to_string()];
    let assess_with = |first: Evidence| {
        let drops_only = drops_only.clone();
        move |r: &Revision| Assessment {
            evidence: if r.revision == "20251230_1700" {
                first
            } else {
                Applied
            },
            details: if r.revision == "20251230_1900" {
                drops_only.clone()
            } else {
                vec!["found: column users.x".into()]
            },
        }
    };
    let (report, findings) = diagnose(&codebase, &input, &mut assess_with(NotApplied));
    assert_eq!(report.pending[1].evidence, Unknown);
    assert!(report.pending[1].details[1].contains("20251230_1700"));
    assert!(!suggestions(&findings).contains(&"alembic stamp 20251230_1900".to_string()));
    // After applied migrations only, the drops do confirm.
    let (report, _) = diagnose(&codebase, &input, &mut assess_with(Applied));
    assert_eq!(report.pending[1].evidence, Applied);
}
