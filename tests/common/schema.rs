//! The JSON contract in the tests: every JSON output the suite produces is
//! validated against its JSON Schema in `docs/schema/` (draft 2020-12).
//! `Test::run` calls [`check_run`], so a test that parses `--format json`,
//! `graph --format json` or a snapshot written by `driftcheck snapshot` has
//! already had it validated.
#![allow(dead_code)]

use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// One JSON output of driftcheck, with its schema file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contract {
    /// `driftcheck --format json`: `docs/schema/check-report.schema.json`.
    CheckReport,
    /// `driftcheck gate --format json`: the check report with its `gate` object.
    GateReport,
    /// `driftcheck graph --format json`: `docs/schema/graph.schema.json`.
    Graph,
    /// `driftcheck snapshot`: `docs/schema/snapshot.schema.json`.
    Snapshot,
}

/// The schema files, by name under `docs/schema/`.
pub const SCHEMAS: [(&str, &str); 3] = [
    (
        "check-report.schema.json",
        include_str!("../../docs/schema/check-report.schema.json"),
    ),
    (
        "graph.schema.json",
        include_str!("../../docs/schema/graph.schema.json"),
    ),
    (
        "snapshot.schema.json",
        include_str!("../../docs/schema/snapshot.schema.json"),
    ),
];

impl Contract {
    /// Which output a command line produces: from the subcommand (which
    /// clap requires first, as it conflicts with the check's options).
    pub fn for_args(args: &[String]) -> Contract {
        match args.first().map(String::as_str) {
            Some("graph") => Contract::Graph,
            Some("snapshot") => Contract::Snapshot,
            Some("gate") => Contract::GateReport,
            _ => Contract::CheckReport,
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Contract::CheckReport | Contract::GateReport => SCHEMAS[0].0,
            Contract::Graph => SCHEMAS[1].0,
            Contract::Snapshot => SCHEMAS[2].0,
        }
    }

    /// The schema document, parsed.
    pub fn schema(self) -> Value {
        let text = SCHEMAS
            .iter()
            .find(|(name, _)| *name == self.file_name())
            .map(|(_, text)| *text)
            .expect("every contract has a schema file");
        serde_json::from_str(text)
            .unwrap_or_else(|e| panic!("docs/schema/{}: not JSON: {e}", self.file_name()))
    }

    fn validator(self) -> &'static jsonschema::Validator {
        static CHECK: OnceLock<jsonschema::Validator> = OnceLock::new();
        static GRAPH: OnceLock<jsonschema::Validator> = OnceLock::new();
        static SNAPSHOT: OnceLock<jsonschema::Validator> = OnceLock::new();
        let cell = match self {
            Contract::CheckReport | Contract::GateReport => &CHECK,
            Contract::Graph => &GRAPH,
            Contract::Snapshot => &SNAPSHOT,
        };
        cell.get_or_init(|| compile(&self.schema(), self.file_name()))
    }

    /// Every way `value` breaks the contract, one line each (empty: it holds).
    pub fn violations(self, value: &Value) -> Vec<String> {
        let mut problems: Vec<String> = self
            .validator()
            .iter_errors(value)
            .map(|e| {
                let at = e.instance_path().to_string();
                format!("at {}: {e}", if at.is_empty() { "/" } else { at.as_str() })
            })
            .collect();
        if self == Contract::GateReport && value.get("gate").is_none() {
            problems.push("at /: `driftcheck gate` output has no `gate` object".into());
        }
        problems
    }

    /// Panic, naming the schema, the command and each violation, unless `value` holds.
    #[track_caller]
    pub fn assert_valid(self, value: &Value, what: &str) {
        let problems = self.violations(value);
        assert!(
            problems.is_empty(),
            "{what} breaks docs/schema/{}:\n  {}\n--- JSON\n{}",
            self.file_name(),
            problems.join("\n  "),
            serde_json::to_string_pretty(value).unwrap_or_default()
        );
    }
}

/// A draft 2020-12 validator that also checks `format` (e.g. `date-time`).
pub fn compile(schema: &Value, name: &str) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap_or_else(|e| panic!("docs/schema/{name} does not compile: {e}"))
}

/// Validate what a finished run produced: JSON on stdout (any format
/// option or config that prints JSON), and the file `snapshot -o FILE` wrote.
#[track_caller]
pub fn check_run(args: &[String], current_dir: &Path, stdout: &str, code: Option<i32>) {
    let contract = Contract::for_args(args);
    let what = format!("driftcheck {args:?}");
    if contract == Contract::Snapshot {
        if let Some(file) = snapshot_file(args).filter(|f| *f != "-") {
            let path = current_dir.join(file);
            // Only a file this run wrote: a refused run leaves the old one.
            if code == Some(0) {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{what}: cannot read {}: {e}", path.display()));
                let value: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{what}: {} is not JSON ({e})", path.display()));
                contract.assert_valid(&value, &format!("{what} (file {})", path.display()));
            }
            return;
        }
    }
    let json_requested = args
        .windows(2)
        .any(|w| w[0] == "--format" && w[1] == "json")
        || args.iter().any(|a| a == "--format=json");
    let printed = stdout.trim_start();
    if printed.starts_with('{') || (json_requested && !printed.is_empty()) {
        let value: Value = serde_json::from_str(stdout)
            .unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}):\n{stdout}"));
        contract.assert_valid(&value, &what);
    }
}

/// The `-o FILE` / `--output FILE` of a `snapshot` command line.
fn snapshot_file(args: &[String]) -> Option<&str> {
    let mut args = args.iter().map(String::as_str);
    while let Some(arg) = args.next() {
        if arg == "-o" || arg == "--output" {
            return args.next();
        }
        if let Some(file) = arg.strip_prefix("--output=") {
            return Some(file);
        }
        if let Some(file) = arg.strip_prefix("-o").filter(|f| !f.is_empty()) {
            return Some(file);
        }
    }
    None
}
