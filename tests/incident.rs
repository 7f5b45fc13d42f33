//! RIS drafts: structure checked with real YAML and markdown parsers against
//! the reference incident (RIS-052), numbering and exclusive creation checked
//! on real directories.

use driftcheck::compare::{Change, Kind};
use driftcheck::evidence::Evidence;
use driftcheck::incident::{
    find_related, render_draft, write_draft, IncidentError, RelatedIncident, RisConfig, RisContext,
};
use driftcheck::report::{
    CheckReport, CodebaseSummary, Finding, PendingMigration, RenamedRevision, Severity, Status,
    TargetReport, TargetState,
};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_yaml_ng::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const REFERENCE: &str = "/work/shared/reference/000_e3e5c8a921db3531.txt";
const MERGE_FILE: &str =
    "apps/backend-api/alembic/versions/20251230_1643_394c8c3cbf42_merge_batch_id_and_audit_index_.py";
const FLAGS_FILE: &str = "apps/backend-api/alembic/versions/20251230_1700_add_email_issue_flags.py";
const SUPERUSER_FILE: &str =
    "apps/backend-api/alembic/versions/20251230_1900_sync_superuser_role_constraint.py";
const REPORT_FILE: &str = "drift-reports/drift-20260110-091500.md";
const RIS_DIR: &str = "docs/06-ris/resolutions";

fn finding(
    code: &str,
    severity: Severity,
    target: &str,
    message: &str,
    suggestion: Option<&str>,
) -> Finding {
    Finding {
        code: code.into(),
        severity,
        message: message.into(),
        suggestion: suggestion.map(Into::into),
        target: Some(target.into()),
    }
}

/// The RIS-052 situation as driftcheck reports it.
fn ris052_report() -> CheckReport {
    let local = TargetReport {
        state: TargetState::Renamed,
        current: vec!["394c8c3cbf42".into()],
        pending: vec![
            PendingMigration {
                revision: "20251230_1700".into(),
                file: FLAGS_FILE.into(),
                evidence: Evidence::Applied,
                details: vec![
                    "column public.users.email_bounced exists".into(),
                    "column public.users.email_complained exists".into(),
                ],
                create_date: Some("2025-12-30 17:00:00.000000".into()),
                message: Some("add email issue flags".into()),
            },
            PendingMigration {
                revision: "20251230_1900".into(),
                file: SUPERUSER_FILE.into(),
                evidence: Evidence::NotApplied,
                details: vec!["check constraint ck_users_role does not allow 'superuser'".into()],
                create_date: Some("2025-12-30 19:00:00.000000".into()),
                message: Some("sync superuser role constraint".into()),
            },
        ],
        message: "stamped with 394c8c3cbf42, the old id of 20251230_1643".into(),
        database: Some("database \"credmate\" on /var/run/postgresql:5432 as user \"dev\"".into()),
        server_version: Some("15.10".into()),
        version_table: Some("public.alembic_version".into()),
        reason: None,
        renamed: vec![RenamedRevision {
            stored: "394c8c3cbf42".into(),
            revision: "20251230_1643".into(),
            file: MERGE_FILE.into(),
        }],
        unknown: vec![],
    };
    let production = TargetReport::not_examined(
        TargetState::Skipped,
        "skip_production",
        "production not compared: --skip-production was given",
    );
    CheckReport {
        driftcheck_version: "0.1.0".into(),
        status: Status::Drift,
        codebase: CodebaseSummary {
            migration_dirs: vec!["apps/backend-api/alembic/versions".into()],
            heads: vec!["20251230_1900".into()],
            branch_heads: vec![],
            revisions: 42,
            problems: vec![],
        },
        targets: BTreeMap::from([("local".into(), local), ("production".into(), production)]),
        schema_diff: vec![],
        schema_diff_ignored: BTreeMap::new(),
        schema_diff_folded_partitions: Vec::new(),
        findings: vec![
            finding(
                "renamed_revision",
                Severity::Error,
                "local",
                "local database is stamped with 394c8c3cbf42, which the codebase now calls 20251230_1643",
                Some("alembic stamp --purge 20251230_1643"),
            ),
            finding(
                "applied_by_hand",
                Severity::Error,
                "local",
                "20251230_1700 is applied (its columns exist) but not recorded",
                Some("alembic stamp 20251230_1700"),
            ),
            finding(
                "not_applied",
                Severity::Error,
                "local",
                "20251230_1900 has not been applied",
                Some("alembic upgrade 20251230_1900"),
            ),
            finding(
                "production_skipped",
                Severity::Info,
                "production",
                "production was not compared (--skip-production)",
                None,
            ),
        ],
        report_path: Some(REPORT_FILE.into()),
        ris_path: None,
        checked_at: "2026-01-10T09:15:00Z".into(),
    }
}

fn context(working_dir: &Path) -> RisContext {
    RisContext {
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 10).unwrap(),
        detected_at: "2026-01-10T09:15:00Z".into(),
        project: "credentialmate".into(),
        driftcheck_version: "0.1.0".into(),
        report_path: Some(PathBuf::from(REPORT_FILE)),
        working_dir: working_dir.to_path_buf(),
        revision_dates: BTreeMap::from([(
            "20251230_1643".to_string(),
            "2025-12-30 16:43:12.512345".to_string(),
        )]),
    }
}

fn render_ris052(related: &[RelatedIncident]) -> String {
    render_draft(
        53,
        3,
        &ris052_report(),
        &context(Path::new("/repo")),
        &RisConfig::default(),
        related,
        Path::new(RIS_DIR),
    )
}

/// Front matter (parsed) and body of a document.
fn split_front_matter(doc: &str) -> (Value, &str) {
    let rest = doc
        .strip_prefix("---\n")
        .expect("front matter opens with ---");
    let end = rest.find("\n---\n").expect("front matter closes with ---");
    let yaml: Value = serde_yaml_ng::from_str(&rest[..end + 1])
        .unwrap_or_else(|e| panic!("front matter is not valid YAML: {e}\n{}", &rest[..end]));
    (yaml, &rest[end + 5..])
}

/// Key paths of a YAML value, in document order (`compliance.hipaa.controls`).
fn key_paths(value: &Value, prefix: &str, out: &mut Vec<String>) {
    if let Value::Mapping(map) = value {
        for (key, child) in map {
            let key = key.as_str().expect("string keys");
            let path = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            out.push(path.clone());
            key_paths(child, &path, out);
        }
    }
}

#[derive(Debug, Default)]
struct Markdown {
    /// (level, text)
    headings: Vec<(u8, String)>,
    /// Header cells of each table.
    table_headers: Vec<Vec<String>>,
    /// Body rows of each table (cells as text).
    table_rows: Vec<Vec<Vec<String>>>,
    /// (section, checked) for each task-list item.
    tasks: Vec<(String, bool)>,
    /// (section, code) for each inline code span.
    code_spans: Vec<(String, String)>,
    /// (section, destination) for each link.
    links: Vec<(String, String)>,
    code_blocks: usize,
}

fn parse_markdown(body: &str) -> Markdown {
    let mut md = Markdown::default();
    let mut section = String::new();
    let mut heading: Option<(u8, String)> = None;
    let mut in_head = false;
    let mut row: Vec<String> = Vec::new();
    let mut cell: Option<String> = None;
    let options = Options::ENABLE_TABLES | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(body, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => 4,
                };
                heading = Some((level, String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                let (level, text) = heading.take().unwrap();
                if level <= 2 {
                    section = text.clone();
                }
                md.headings.push((level, text));
            }
            Event::Start(Tag::Table(_)) => {
                md.table_headers.push(Vec::new());
                md.table_rows.push(Vec::new());
            }
            Event::Start(Tag::TableHead) => in_head = true,
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                *md.table_headers.last_mut().unwrap() = std::mem::take(&mut row);
            }
            Event::End(TagEnd::TableRow) => {
                md.table_rows
                    .last_mut()
                    .unwrap()
                    .push(std::mem::take(&mut row));
            }
            Event::Start(Tag::TableCell) => cell = Some(String::new()),
            Event::End(TagEnd::TableCell) => row.push(cell.take().unwrap()),
            Event::TaskListMarker(checked) => md.tasks.push((section.clone(), checked)),
            Event::Code(code) => {
                md.code_spans.push((section.clone(), code.to_string()));
                push_text(&mut heading, &mut cell, &code);
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                md.links.push((section.clone(), dest_url.to_string()));
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_) | CodeBlockKind::Indented)) => {
                md.code_blocks += 1;
            }
            Event::Text(text) => push_text(&mut heading, &mut cell, &text),
            _ => {}
        }
        let _ = in_head;
    }
    md
}

fn push_text(heading: &mut Option<(u8, String)>, cell: &mut Option<String>, text: &str) {
    if let Some((_, h)) = heading {
        h.push_str(text);
    }
    if let Some(c) = cell {
        c.push_str(text);
    }
}

fn level2(md: &Markdown) -> Vec<String> {
    md.headings
        .iter()
        .filter(|(level, _)| *level == 2)
        .map(|(_, text)| text.clone())
        .collect()
}

#[test]
fn front_matter_has_the_reference_structure_and_values() {
    let reference = std::fs::read_to_string(REFERENCE).unwrap();
    let (reference_yaml, _) = split_front_matter(&reference);
    let draft = render_ris052(&[]);
    let (yaml, _) = split_front_matter(&draft);

    let (mut want, mut got) = (Vec::new(), Vec::new());
    key_paths(&reference_yaml, "", &mut want);
    key_paths(&yaml, "", &mut got);
    assert_eq!(got, want, "same keys, same order");
    // The defaults are the reference's compliance values, typed the same way.
    assert_eq!(yaml["compliance"], reference_yaml["compliance"]);
    assert_eq!(yaml["version"], Value::String("1.0".into()));
    assert_eq!(yaml["created"], Value::String("2026-01-10".into()));
    assert_eq!(yaml["updated"], Value::String("2026-01-10".into()));
    assert_eq!(yaml["project"], Value::String("credentialmate".into()));
    // Quoted exactly like the reference.
    assert!(draft.contains("\ncreated: '2026-01-10'\n"), "{draft}");
    assert!(draft.contains("\nversion: '1.0'\n"), "{draft}");
}

#[test]
fn front_matter_stays_valid_yaml_with_awkward_config_values() {
    let mut config = RisConfig {
        version: "2.0: draft".into(),
        ..RisConfig::default()
    };
    config.compliance.hipaa.phi_contains = "it's: none".into();
    config.compliance.iso27001.controls = vec!["A.5.1 # comment?".into(), "- x".into()];
    config.compliance.soc2.controls = vec![];
    let mut ctx = context(Path::new("/repo"));
    ctx.project = "o'neil: \"app\"".into();
    let draft = render_draft(
        1,
        3,
        &ris052_report(),
        &ctx,
        &config,
        &[],
        Path::new(RIS_DIR),
    );
    let (yaml, _) = split_front_matter(&draft);
    assert_eq!(yaml["project"], Value::String("o'neil: \"app\"".into()));
    assert_eq!(yaml["version"], Value::String("2.0: draft".into()));
    assert_eq!(
        yaml["compliance"]["hipaa"]["phi-contains"],
        Value::String("it's: none".into())
    );
    assert_eq!(
        yaml["compliance"]["iso27001"]["controls"],
        Value::Sequence(vec![
            Value::String("A.5.1 # comment?".into()),
            Value::String("- x".into())
        ])
    );
    assert_eq!(
        yaml["compliance"]["soc2"]["controls"],
        Value::Sequence(vec![])
    );
}

#[test]
fn body_follows_the_reference_headings_and_tables() {
    let reference = std::fs::read_to_string(REFERENCE).unwrap();
    let (_, reference_body) = split_front_matter(&reference);
    let reference_sections = level2(&parse_markdown(reference_body));

    let draft = render_ris052(&[]);
    let (_, body) = split_front_matter(&draft);
    let md = parse_markdown(body);

    // One title, the RIS id and what drifted.
    let titles: Vec<_> = md.headings.iter().filter(|(l, _)| *l == 1).collect();
    assert_eq!(titles.len(), 1);
    assert_eq!(
        titles[0].1,
        "RIS-053: Schema Drift: Local Database Stamped With Renamed Revision 394c8c3cbf42"
    );

    // Our sections appear in the reference, in the reference's order
    // ("Files" stands for the reference's "Files Created"/"Files Used").
    let ours = level2(&md);
    assert_eq!(
        ours,
        [
            "Issue Summary",
            "Root Cause",
            "Impact",
            "Resolution",
            "Prevention",
            "Related Incidents",
            "Files",
            "Timeline",
            "Success Criteria",
            "Sign-off"
        ]
    );
    let position = |section: &str| {
        reference_sections
            .iter()
            .position(|r| r == section || (section == "Files" && r.starts_with("Files ")))
            .unwrap_or_else(|| {
                panic!("{section} is not a reference section: {reference_sections:?}")
            })
    };
    let positions: Vec<usize> = ours.iter().map(|s| position(s)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let subsections: Vec<_> = md.headings.iter().filter(|(l, _)| *l == 3).collect();
    assert_eq!(subsections, [&(3, "Actions Required".to_string())]);

    assert_eq!(
        md.table_headers,
        [vec!["File", "Purpose"], vec!["Time", "Event"]]
    );

    // Metadata lines.
    assert!(body.contains("\n**Date**: 2026-01-10\n"), "{body}");
    assert!(body.contains("\n**Status**: DRAFT — OPEN\n"), "{body}");
    assert!(body.contains("\n**Severity**: MEDIUM ("), "{body}");
    assert!(
        body.contains("\n**Reporter**: driftcheck 0.1.0\n"),
        "{body}"
    );
}

#[test]
fn issue_summary_and_root_cause_carry_the_facts() {
    let draft = render_ris052(&[]);
    let section = |name: &str| {
        let start = draft.find(&format!("\n## {name}\n")).unwrap();
        let end = draft[start + 4..]
            .find("\n## ")
            .map_or(draft.len(), |e| start + 4 + e);
        draft[start..end].to_string()
    };
    let summary = section("Issue Summary");
    assert!(summary.contains("- Local DB: `394c8c3cbf42`"), "{summary}");
    assert!(
        summary.contains("- Codebase head: `20251230_1900`"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "- Gap (Local DB): 2 migrations behind (`20251230_1700` and `20251230_1900`)"
        ),
        "{summary}"
    );
    assert!(
        summary.contains("column public.users.email_bounced exists"),
        "{summary}"
    );
    assert!(
        summary.contains("**Note**: Production database comparison not performed"),
        "{summary}"
    );
    assert!(summary.contains("`skip_production`"), "{summary}");

    let cause = section("Root Cause");
    for expected in [
        "**Naming Convention Mismatch**",
        "**Migrations Applied Without Stamping**",
        "**Migrations Never Applied**",
        "**Production Not Comparable**",
    ] {
        assert!(cause.contains(expected), "{expected} missing:\n{cause}");
    }
    // Every finding is accounted for by a cause, none repeated as a stray cause.
    for code in [
        "renamed_revision",
        "applied_by_hand",
        "not_applied",
        "production_skipped",
    ] {
        assert_eq!(
            cause.matches(&format!("`{code}`")).count(),
            1,
            "{code}:\n{cause}"
        );
    }

    let criteria = section("Success Criteria");
    assert!(
        criteria.contains("- [ ] Local database at codebase head (`20251230_1900`)"),
        "{criteria}"
    );
    assert!(
        criteria.contains("- [ ] Production database verified"),
        "{criteria}"
    );

    let sign_off = section("Sign-off");
    assert!(
        sign_off.contains("- **Detected by**: driftcheck 0.1.0"),
        "{sign_off}"
    );
    assert!(
        sign_off.contains("- **Resolved by**:\n- **Verified by**:\n"),
        "{sign_off}"
    );
    assert!(
        sign_off.contains("- **Documented**: RIS-053 (this document)"),
        "{sign_off}"
    );
}

#[test]
fn actions_are_the_suggested_commands_as_an_unchecked_checklist() {
    let draft = render_ris052(&[]);
    let (_, body) = split_front_matter(&draft);
    let md = parse_markdown(body);
    let commands: Vec<&str> = md
        .code_spans
        .iter()
        .filter(|(section, code)| section == "Resolution" && code.starts_with("alembic "))
        .map(|(_, code)| code.as_str())
        .collect();
    assert_eq!(
        commands,
        [
            "alembic stamp --purge 20251230_1643",
            "alembic stamp 20251230_1700",
            "alembic upgrade 20251230_1900"
        ]
    );
    let resolution_tasks: Vec<bool> = md
        .tasks
        .iter()
        .filter(|(s, _)| s == "Resolution")
        .map(|(_, checked)| *checked)
        .collect();
    assert_eq!(resolution_tasks.len(), 4, "three commands and the re-check");
    assert!(
        md.tasks.iter().all(|(_, checked)| !checked),
        "a draft checks nothing off"
    );
    let prevention = md.tasks.iter().filter(|(s, _)| s == "Prevention").count();
    assert!(prevention >= 3, "CI gate, nightly run, alerting");
    assert!(
        body.contains("CI gate") && body.contains("nightly") && body.contains("Alert on drift")
    );
}

#[test]
fn files_and_timeline_tables() {
    let draft = render_ris052(&[]);
    let (_, body) = split_front_matter(&draft);
    let md = parse_markdown(body);
    let files = &md.table_rows[0];
    let names: Vec<&str> = files.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(
        names,
        [
            MERGE_FILE,
            FLAGS_FILE,
            SUPERUSER_FILE,
            REPORT_FILE,
            "ris-053-schema-drift-local-renamed-revision.md"
        ]
    );
    let file_links: Vec<&str> = md
        .links
        .iter()
        .filter(|(s, _)| s == "Files")
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(
        file_links,
        [
            format!("../../../{MERGE_FILE}").as_str(),
            &format!("../../../{FLAGS_FILE}"),
            &format!("../../../{SUPERUSER_FILE}"),
            &format!("../../../{REPORT_FILE}"),
            "ris-053-schema-drift-local-renamed-revision.md"
        ]
    );
    assert!(files[1][1].contains("evidence: applied"), "{:?}", files[1]);
    assert!(
        files[2][1].contains("evidence: not applied"),
        "{:?}",
        files[2]
    );

    let timeline = &md.table_rows[1];
    let times: Vec<&str> = timeline.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(
        times,
        [
            "2025-12-30 16:43",
            "2025-12-30 17:00",
            "2025-12-30 19:00",
            "2026-01-10 09:15 UTC",
            "2026-01-10 09:15 UTC"
        ]
    );
    assert!(timeline[0][1].contains("20251230_1643") && timeline[0][1].contains("394c8c3cbf42"));
    assert!(timeline[3][1].starts_with("Drift detected by driftcheck 0.1.0"));
    assert_eq!(timeline[4][1], "RIS-053 drafted");
}

fn ris051_related() -> [RelatedIncident; 1] {
    [RelatedIncident {
        path: PathBuf::from(RIS_DIR).join("ris-051-migration-deployment-gap.md"),
        title: "RIS-051: Migration Deployment Gap".into(),
        mentions: vec!["not_applied".into(), "20251230_1700".into()],
    }]
}

#[test]
fn ris052_snapshot() {
    insta::assert_snapshot!(render_ris052(&ris051_related()));
}

#[test]
fn the_documented_example_is_what_driftcheck_writes() {
    let docs =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ris.md")).unwrap();
    let fence = "````markdown\n";
    let start = docs.find(fence).expect("docs/ris.md has the example") + fence.len();
    let end = start + docs[start..].find("\n````").unwrap() + 1;
    assert_eq!(&docs[start..end], render_ris052(&ris051_related()));
}

// ---- writing drafts into real directories ----

fn write_file(path: &Path, contents: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn write(dir: &Path, report: &CheckReport) -> Result<Option<PathBuf>, IncidentError> {
    write_draft(dir, report, &context(dir), &RisConfig::default())
}

#[test]
fn numbering_skips_gaps_and_ignores_odd_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_file(&dir.join("ris-007-old.md"), "# RIS-007: Old\n");
    write_file(
        &dir.join("ris-052-schema-drift-local-production.md"),
        "# RIS-052: Drift\n",
    );
    write_file(
        &dir.join("README.md"),
        "# Incident index\n\nSee RIS-099 someday.\n",
    );
    write_file(&dir.join("ris-notes.txt"), "# RIS-200: not markdown\n");
    write_file(&dir.join("RIS-9-x.md"), "# RIS-009: Early one\n");
    write_file(&dir.join("ris-300-draft.txt"), "");

    let path = write(dir, &ris052_report()).unwrap().unwrap();
    assert_eq!(
        path,
        dir.join("ris-053-schema-drift-local-renamed-revision.md")
    );
    let draft = std::fs::read_to_string(&path).unwrap();
    assert!(draft.contains("\n# RIS-053: Schema Drift"), "{draft}");
    assert!(draft.contains("- **Documented**: RIS-053 (this document)"));
}

#[test]
fn numbering_reads_titles_too() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(&tmp.path().join("ris-010-a.md"), "# RIS-010: A\n");
    write_file(
        &tmp.path().join("db-outage.md"),
        "---\nx: 1\n---\n\n# RIS-060: Outage\n",
    );
    let path = write(tmp.path(), &ris052_report()).unwrap().unwrap();
    assert!(
        path.ends_with("ris-061-schema-drift-local-renamed-revision.md"),
        "{path:?}"
    );
}

#[test]
fn numbering_keeps_the_existing_padding() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(&tmp.path().join("ris-0007-x.md"), "# RIS-0007: X\n");
    let path = write(tmp.path(), &ris052_report()).unwrap().unwrap();
    assert!(
        path.ends_with("ris-0008-schema-drift-local-renamed-revision.md"),
        "{path:?}"
    );
    let draft = std::fs::read_to_string(&path).unwrap();
    assert!(draft.contains("# RIS-0008: "), "{draft}");

    let empty = tempfile::tempdir().unwrap();
    let first = write(empty.path(), &ris052_report()).unwrap().unwrap();
    assert!(
        first.ends_with("ris-001-schema-drift-local-renamed-revision.md"),
        "{first:?}"
    );
}

#[test]
fn an_existing_file_with_the_next_number_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_file(&dir.join("ris-052-a.md"), "# RIS-052: A\n");
    let existing = dir.join("ris-053-schema-drift-local-renamed-revision.md");
    write_file(&existing, "# RIS-053: written by a person\n");
    let path = write(dir, &ris052_report()).unwrap().unwrap();
    assert_eq!(
        path,
        dir.join("ris-054-schema-drift-local-renamed-revision.md")
    );
    assert_eq!(
        std::fs::read_to_string(&existing).unwrap(),
        "# RIS-053: written by a person\n"
    );
    // A second run takes the next number again; no temp files remain.
    let again = write(dir, &ris052_report()).unwrap().unwrap();
    assert_eq!(
        again,
        dir.join("ris-055-schema-drift-local-renamed-revision.md")
    );
    assert!(
        names(dir).iter().all(|n| n.ends_with(".md")),
        "{:?}",
        names(dir)
    );
}

#[test]
fn concurrent_writers_get_distinct_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    write_file(&dir.join("ris-052-a.md"), "# RIS-052: A\n");
    // Two different reports, so the writers also race with different file names.
    let mut other = ris052_report();
    let local = other.targets.get_mut("local").unwrap();
    local.state = TargetState::Behind;
    local.renamed.clear();
    let reports = [ris052_report(), other];
    const WRITERS: usize = 8;
    let barrier = std::sync::Barrier::new(WRITERS);
    let paths: Vec<PathBuf> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|i| {
                let (dir, report, barrier) = (&dir, &reports[i % 2], &barrier);
                scope.spawn(move || {
                    barrier.wait();
                    write(dir, report).unwrap().unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut numbers: Vec<String> = paths
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy()[4..7].to_string())
        .collect();
    numbers.sort();
    let expected: Vec<String> = (53..53 + WRITERS).map(|n| format!("{n:03}")).collect();
    assert_eq!(numbers, expected);
    for path in &paths {
        let number = &path.file_name().unwrap().to_string_lossy()[4..7];
        let draft = std::fs::read_to_string(path).unwrap();
        assert!(draft.contains(&format!("# RIS-{number}: ")), "{path:?}");
    }
    assert_eq!(names(&dir).len(), WRITERS + 1, "{:?}", names(&dir));
}

#[test]
fn no_draft_when_there_is_no_drift() {
    let tmp = tempfile::tempdir().unwrap();
    for status in [Status::Clean, Status::Error] {
        let mut report = ris052_report();
        report.status = status;
        assert_eq!(write(tmp.path(), &report).unwrap(), None);
    }
    assert!(names(tmp.path()).is_empty());
}

#[test]
fn a_missing_directory_is_an_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("docs/ris");
    let err = write(&missing, &ris052_report()).unwrap_err();
    assert!(matches!(err, IncidentError::MissingDir { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
    assert!(!missing.exists(), "never created");

    let file = tmp.path().join("a-file");
    write_file(&file, "");
    let err = write(&file, &ris052_report()).unwrap_err();
    assert!(
        matches!(err, IncidentError::NotADirectory { .. }),
        "{err:?}"
    );
}

#[test]
fn related_incidents_are_found_and_linked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_file(
        &dir.join("ris-051-migration-deployment-gap.md"),
        "# RIS-051: Migration Deployment Gap\n\nMigration 20251230_1700 was not deployed.\n",
    );
    write_file(
        &dir.join("ris-050-other.md"),
        "# RIS-050: Other\n\nRevision 20251230_17001 and abc123.\n",
    );
    write_file(
        &dir.join("notes.md"),
        "Mentions 394c8c3cbf42 but is no RIS.\n",
    );
    let related = find_related(dir, &ris052_report()).unwrap();
    assert_eq!(related.len(), 1, "{related:?}");
    assert_eq!(related[0].title, "RIS-051: Migration Deployment Gap");
    assert_eq!(related[0].mentions, ["20251230_1700"]);

    let path = write(dir, &ris052_report()).unwrap().unwrap();
    let draft = std::fs::read_to_string(path).unwrap();
    let (_, body) = split_front_matter(&draft);
    let md = parse_markdown(body);
    let links: Vec<&str> = md
        .links
        .iter()
        .filter(|(s, _)| s == "Related Incidents")
        .map(|(_, d)| d.as_str())
        .collect();
    assert_eq!(links, ["ris-051-migration-deployment-gap.md"]);
    assert!(
        body.contains("[RIS-051: Migration Deployment Gap](ris-051-migration-deployment-gap.md)")
    );
}

#[test]
fn links_in_a_written_draft_resolve_to_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    for file in [MERGE_FILE, FLAGS_FILE, SUPERUSER_FILE, REPORT_FILE] {
        write_file(
            &repo.join(file),
            "\"\"\"x\n\nRevision ID: x\nCreate Date: 2025-12-30 16:43:12.512345\n\"\"\"\n",
        );
    }
    let ris_dir = repo.join(RIS_DIR);
    std::fs::create_dir_all(&ris_dir).unwrap();
    write_file(
        &ris_dir.join("ris-051-gap.md"),
        "# RIS-051: Gap\n\n20251230_1900\n",
    );
    let report = ris052_report();
    let ctx = RisContext::for_report(&report, &RisConfig::default(), repo);
    // The renamed revision's date was read from its file.
    assert_eq!(
        ctx.revision_dates.get("20251230_1643").map(String::as_str),
        Some("2025-12-30 16:43:12.512345")
    );
    // A relative RIS dir resolves against the working directory.
    let path = write_draft(Path::new(RIS_DIR), &report, &ctx, &RisConfig::default())
        .unwrap()
        .unwrap();
    assert_eq!(path.parent().unwrap(), Path::new(RIS_DIR));
    let path = repo.join(path);
    let draft = std::fs::read_to_string(&path).unwrap();
    let (_, body) = split_front_matter(&draft);
    let md = parse_markdown(body);
    assert!(md.links.len() >= 6, "{:?}", md.links);
    for (_, destination) in &md.links {
        let target = ris_dir.join(destination);
        assert!(
            target.exists(),
            "{destination} does not resolve from {ris_dir:?}"
        );
    }
}

#[test]
fn secrets_never_reach_the_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let mut report = ris052_report();
    // Should a message ever quote a connection string, the draft masks it.
    let production = report.targets.get_mut("production").unwrap();
    production.state = TargetState::Unreachable;
    production.reason = Some("connect_failed".into());
    production.message =
        "cannot connect to postgresql://admin:hunter2@prod.example.com:5432/app".into();
    report.findings.push(Finding {
        code: "production_unreachable".into(),
        severity: Severity::Warning,
        message: "host=prod.example.com user=admin password=hunter2 refused".into(),
        suggestion: Some("psql postgresql://admin:hunter2@prod.example.com/app".into()),
        target: Some("production".into()),
    });
    let path = write(tmp.path(), &report).unwrap().unwrap();
    let draft = std::fs::read_to_string(path).unwrap();
    assert!(!draft.contains("hunter2"), "{draft}");
    assert!(
        draft.contains("postgresql://admin:***@prod.example.com"),
        "{draft}"
    );

    // The ordinary draft holds no credential-like text at all.
    let plain = render_ris052(&[]);
    for needle in ["password", "secret_string", "://"] {
        assert!(!plain.to_lowercase().contains(needle), "{needle} in draft");
    }
}

// ---- other drift situations keep the same structure ----

fn at_head() -> TargetReport {
    TargetReport {
        state: TargetState::AtHead,
        current: vec!["20251230_1900".into()],
        pending: vec![],
        message: "at head".into(),
        database: None,
        server_version: None,
        version_table: None,
        reason: None,
        renamed: vec![],
        unknown: vec![],
    }
}

fn scenarios() -> Vec<(&'static str, CheckReport, &'static str)> {
    let mut production_behind = ris052_report();
    production_behind.targets.insert("local".into(), at_head());
    let mut behind = at_head();
    behind.state = TargetState::Behind;
    behind.current = vec!["20251230_1700".into()];
    behind.pending = vec![ris052_report().targets["local"].pending[1].clone()];
    production_behind
        .targets
        .insert("production".into(), behind);
    production_behind.findings = vec![finding(
        "not_applied",
        Severity::Error,
        "production",
        "20251230_1900 has not been applied",
        Some("alembic upgrade 20251230_1900"),
    )];

    let mut graph = ris052_report();
    graph.targets.insert("local".into(), at_head());
    graph.targets.insert("production".into(), at_head());
    graph.codebase.heads = vec!["20251230_1900".into(), "20251231_0900".into()];
    graph.codebase.problems = vec![driftcheck::report::CodebaseProblem {
        code: "multiple_heads".into(),
        severity: Severity::Error,
        message: "2 heads: 20251230_1900, 20251231_0900".into(),
        file: Some("apps/backend-api/alembic/versions/20251231_0900_x.py".into()),
        line: Some(7),
    }];
    graph.findings = vec![Finding {
        code: "multiple_heads".into(),
        severity: Severity::Error,
        message: "the codebase has 2 heads".into(),
        suggestion: Some("alembic merge heads -m \"merge heads\"".into()),
        target: None,
    }];

    let mut awkward = ris052_report();
    awkward.targets.insert("local".into(), at_head());
    let mut prod = at_head();
    prod.state = TargetState::UnknownRevision;
    prod.current = vec!["deadbeef0000".into()];
    prod.unknown = vec![driftcheck::report::UnknownRevision {
        stored: "deadbeef0000".into(),
        nearest: vec!["20251230_1900".into()],
    }];
    prod.pending = vec![PendingMigration {
        revision: "20251231_0100".into(),
        file: "apps/backend-api/alembic/versions/20251231 0100 (copy).py".into(),
        evidence: Evidence::Unknown,
        details: vec!["data | only".into()],
        create_date: Some("not a date".into()),
        message: Some("split a | b with `ticks`\nand a newline".into()),
    }];
    awkward.targets.insert("production".into(), prod);
    awkward.schema_diff = vec![driftcheck::report::SchemaDiffEntry {
        kind: Kind::Column,
        object: "public.users.note".into(),
        change: Change::OnlyLocal,
        local: Some("text default 'a|b'".into()),
        production: None,
        environments: None,
        explanation: None,
        severity: None,
    }];
    awkward.findings = vec![
        finding(
            "unknown_revision",
            Severity::Error,
            "production",
            "deadbeef0000 | is `unknown`",
            Some("Find where deadbeef0000 came from"),
        ),
        finding(
            "schema_diff",
            Severity::Error,
            "production",
            "1 difference",
            None,
        ),
        finding(
            "something_new",
            Severity::Warning,
            "local",
            "a finding no cause knows",
            None,
        ),
    ];

    let mut uninitialized = ris052_report();
    let mut fresh = at_head();
    fresh.state = TargetState::Uninitialized;
    fresh.current = vec![];
    uninitialized.targets.insert("local".into(), fresh);
    uninitialized.findings.truncate(0);

    vec![
        ("ris052", ris052_report(), "MEDIUM"),
        ("production behind", production_behind, "HIGH"),
        ("graph defect", graph, "MEDIUM"),
        ("awkward text", awkward, "HIGH"),
        ("uninitialized", uninitialized, "MEDIUM"),
    ]
}

#[test]
fn every_situation_renders_the_same_valid_structure() {
    for (name, report, severity) in scenarios() {
        let draft = render_draft(
            7,
            3,
            &report,
            &context(Path::new("/repo")),
            &RisConfig::default(),
            &[],
            Path::new(RIS_DIR),
        );
        let (yaml, body) = split_front_matter(&draft);
        assert_eq!(yaml["version"], Value::String("1.0".into()), "{name}");
        let md = parse_markdown(body);
        assert_eq!(
            level2(&md),
            level2(&parse_markdown(split_front_matter(&render_ris052(&[])).1)),
            "{name}"
        );
        let title = &md.headings[0];
        assert_eq!(title.0, 1, "{name}");
        assert!(title.1.starts_with("RIS-007: "), "{name}: {title:?}");
        assert_eq!(
            md.table_headers,
            [vec!["File", "Purpose"], vec!["Time", "Event"]],
            "{name}"
        );
        assert!(md.tasks.iter().all(|(_, checked)| !checked), "{name}");
        assert_eq!(md.code_blocks, 0, "{name}: no stray code block\n{body}");
        assert!(
            body.contains(&format!("\n**Severity**: {severity} (")),
            "{name}: {body}"
        );
        // Every finding shows up in the root causes.
        for finding in &report.findings {
            assert!(
                body.contains(&format!("`{}`", finding.code)),
                "{name}: {} missing",
                finding.code
            );
        }
        // Every table row has its two cells (a stray `|` would add cells that
        // the parser drops, losing text: check the text survived instead).
        for rows in &md.table_rows {
            assert!(rows.iter().all(|row| row.len() == 2), "{name}: {rows:?}");
        }
    }
}

#[test]
fn awkward_text_survives_tables_and_code_spans() {
    let (_, report, _) = scenarios().remove(3);
    let draft = render_draft(
        7,
        3,
        &report,
        &context(Path::new("/repo")),
        &RisConfig::default(),
        &[],
        Path::new(RIS_DIR),
    );
    let (_, body) = split_front_matter(&draft);
    let md = parse_markdown(body);
    let files = &md.table_rows[0];
    assert!(
        files[0][1].contains("split a | b with ticks and a newline"),
        "{:?}",
        files[0]
    );
    assert_eq!(
        md.links
            .iter()
            .find(|(s, _)| s == "Files")
            .map(|(_, d)| d.as_str()),
        // Percent-encoded: no space, parenthesis or line break can end it.
        Some("../../../apps/backend-api/alembic/versions/20251231%200100%20%28copy%29.py")
    );
    assert!(
        body.contains("**Something New**: a finding no cause knows"),
        "{body}"
    );
    assert!(md.code_spans.iter().any(|(_, c)| c == "deadbeef0000"));
    assert!(
        body.contains(
            "- Production DB: `deadbeef0000` (unknown to the codebase; nearest: `20251230_1900`)"
        ),
        "{body}"
    );
}
