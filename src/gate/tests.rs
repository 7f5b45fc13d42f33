use super::*;
use crate::evidence::Evidence::{Applied, NotApplied};
use crate::report::{CodebaseProblem, CodebaseSummary, PendingMigration, Status};
use std::collections::BTreeMap;

fn pending(revision: &str, evidence: Evidence) -> PendingMigration {
    PendingMigration {
        revision: revision.into(),
        file: format!("versions/{revision}.py"),
        evidence,
        details: Vec::new(),
        create_date: None,
        message: None,
    }
}

fn target(state: TargetState, pending: Vec<PendingMigration>) -> TargetReport {
    TargetReport {
        state,
        current: vec!["a1".into()],
        pending,
        message: format!("{state:?}"),
        database: None,
        server_version: None,
        version_table: None,
        reason: None,
        renamed: Vec::new(),
        unknown: Vec::new(),
    }
}

fn finding(code: &str, target: Option<&str>) -> Finding {
    Finding {
        code: code.into(),
        severity: Severity::Error,
        message: format!("{code} message"),
        suggestion: Some(format!("fix {code}")),
        target: target.map(str::to_string),
    }
}

fn report(targets: Vec<(&str, TargetReport)>, findings: Vec<Finding>) -> CheckReport {
    CheckReport {
        driftcheck_version: "0.1.0".into(),
        status: if findings.iter().any(|f| f.severity == Severity::Error) {
            Status::Drift
        } else {
            Status::Clean
        },
        codebase: CodebaseSummary {
            migration_dirs: vec!["versions".into()],
            heads: vec!["b2".into()],
            branch_heads: vec![],
            revisions: 2,
            problems: Vec::new(),
        },
        targets: targets
            .into_iter()
            .map(|(n, t)| (n.to_string(), t))
            .collect::<BTreeMap<_, _>>(),
        schema_diff: Vec::new(),
        schema_diff_ignored: BTreeMap::new(),
        schema_diff_folded_partitions: Vec::new(),
        findings,
        report_path: None,
        ris_path: None,
        checked_at: "2026-01-01T00:00:00Z".into(),
    }
}

#[test]
fn at_head_passes() {
    let r = report(
        vec![("production", target(TargetState::AtHead, vec![]))],
        vec![],
    );
    let outcome = evaluate(&r, false);
    assert!(outcome.passed);
    assert!(render_text(&outcome).starts_with("gate: PASS"));
}

#[test]
fn pending_not_applied_needs_allow_pending() {
    let r = report(
        vec![(
            "production",
            target(TargetState::Behind, vec![pending("b2", NotApplied)]),
        )],
        vec![finding("not_applied", Some("production"))],
    );
    let strict = evaluate(&r, false);
    assert!(!strict.passed);
    assert!(strict.failures[0].contains("--allow-pending"), "{strict:?}");
    let lenient = evaluate(&r, true);
    assert!(lenient.passed, "{lenient:?}");
    assert_eq!(lenient.tolerated.len(), 1);
}

#[test]
fn applied_by_hand_blocks_even_with_allow_pending() {
    let r = report(
        vec![(
            "production",
            target(
                TargetState::Behind,
                vec![pending("b1", Applied), pending("b2", NotApplied)],
            ),
        )],
        vec![
            finding("applied_by_hand", Some("production")),
            finding("not_applied", Some("production")),
        ],
    );
    let outcome = evaluate(&r, true);
    assert!(!outcome.passed);
    assert_eq!(outcome.failures.len(), 2, "{outcome:?}");
    assert!(outcome.failures[0].contains("would fail"), "{outcome:?}");
    assert!(outcome.failures[0].contains("fix: fix applied_by_hand"));
    assert!(outcome.tolerated.is_empty());
}

#[test]
fn renamed_and_schema_drift_and_heads_block() {
    for code in [
        "renamed_revision",
        "schema_drift",
        "multiple_heads",
        "diverged",
    ] {
        let r = report(
            vec![("production", target(TargetState::AtHead, vec![]))],
            vec![finding(code, None)],
        );
        let outcome = evaluate(&r, true);
        assert!(!outcome.passed, "{code}");
        assert!(outcome.failures[0].starts_with(&format!("[{code}]")));
    }
}

#[test]
fn unreachable_is_not_verified() {
    let mut t = target(TargetState::Unreachable, vec![]);
    t.message = "unreachable: connection refused".into();
    let mut w = finding("production_unreachable", Some("production"));
    w.severity = Severity::Warning;
    let r = report(vec![("production", t)], vec![w]);
    let outcome = evaluate(&r, true);
    assert!(!outcome.passed);
    assert!(outcome.failures.is_empty());
    assert_eq!(outcome.unreachable.len(), 1);
    assert!(render_markdown(&outcome).contains("Not verified"));
}

#[test]
fn annotations_point_at_migration_files() {
    let mut r = report(
        vec![],
        vec![
            finding("multiple_heads", None),
            finding("not_applied", Some("local")),
        ],
    );
    r.codebase.problems.push(CodebaseProblem {
        code: "multiple_heads".into(),
        severity: Severity::Error,
        message: "several heads: 101, 102\nmerge them".into(),
        file: Some("dir,x/102_right.py".into()),
        line: Some(3),
    });
    let lines = annotations(&r);
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert_eq!(
        lines[0],
        "::error file=dir%2Cx/102_right.py,line=3,title=driftcheck multiple_heads::several heads: 101, 102%0Amerge them"
    );
    assert_eq!(
        lines[1],
        "::error title=driftcheck not_applied::not_applied message — fix: fix not_applied"
    );
}
