//! The plan's precedence table and its input errors: no database, no process
//! environment (a map stands in for it).

use super::*;
use crate::cli::{Cli, Format};
use clap::Parser;
use std::collections::BTreeMap;
use std::path::PathBuf;

const CONFIG_PATH: &str = "/repo/driftcheck.toml";

/// One plan from command-line words, environment pairs and config text.
struct Case {
    args: Vec<String>,
    env: BTreeMap<String, String>,
    config: String,
    gate: Option<Gate>,
    cwd: PathBuf,
    /// What alembic.ini's `sqlalchemy.url` says, if anything.
    alembic_url: Option<String>,
}

fn case(args: &[&str]) -> Case {
    let mut words = vec!["driftcheck".to_string()];
    words.extend(args.iter().map(|a| a.to_string()));
    Case {
        args: words,
        env: BTreeMap::new(),
        config: String::new(),
        gate: None,
        cwd: PathBuf::from("/repo"),
        alembic_url: None,
    }
}

impl Case {
    fn env(mut self, name: &str, value: &str) -> Case {
        self.env.insert(name.to_string(), value.to_string());
        self
    }

    fn config(mut self, text: &str) -> Case {
        self.config = text.to_string();
        self
    }

    fn gate(mut self) -> Case {
        self.gate = Some(Gate {
            allow_pending: false,
        });
        self
    }

    fn cwd(mut self, dir: &Path) -> Case {
        self.cwd = dir.to_path_buf();
        self
    }

    fn resolve(&self) -> anyhow::Result<Plan> {
        let args = Cli::try_parse_from(&self.args)
            .expect("valid arguments")
            .check;
        let config = Config::parse(&self.config, Path::new(CONFIG_PATH)).expect("valid config");
        let lookup = |name: &str| self.env.get(name).cloned();
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        Plan::resolve(&Inputs {
            args: &args,
            gate: self.gate,
            env: Env::new(&lookup),
            cwd: &self.cwd,
            config: &config,
            now,
            alembic_url: &|_| {
                Ok(self
                    .alembic_url
                    .as_ref()
                    .map(|url| AlembicUrl::new(url, "sqlalchemy.url in /repo/alembic.ini:3")))
            },
        })
    }

    fn plan(&self) -> Plan {
        self.resolve()
            .unwrap_or_else(|e| panic!("{:?}: {e:#}", self.args))
    }

    fn error(&self) -> String {
        match self.resolve() {
            Ok(_) => panic!("{:?} planned without an error", self.args),
            Err(e) => format!("{e:#}"),
        }
    }
}

/// `database "NAME" on …`, or what else the target's source is.
fn source_of(plan: &Plan, name: &str) -> String {
    let target = plan
        .targets
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no target {name}"));
    match &target.source {
        Source::Live(target) => target.describe(),
        Source::SnapshotFile(path) => format!("file {}", path.display()),
        Source::Secret(request) => format!(
            "secret {} region {:?} profile {:?}",
            request.secret_id, request.region, request.profile
        ),
        Source::Skip { reason, .. } => format!("skip {reason}"),
        Source::Missing { reason, message } => format!("missing {reason}: {message}"),
    }
}

fn db(name: &str) -> String {
    format!("postgresql://u@h:5432/{name}")
}

fn database(name: &str) -> String {
    format!("database \"{name}\" on h:5432 as user \"u\"")
}

fn names(plan: &Plan) -> Vec<&str> {
    plan.targets.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn local_url_flag_then_driftcheck_then_database_url_then_config_variable() {
    let config = "[local]\nurl-env = \"APP_DB\"\n";
    let full = case(&["--no-report", "--local-url", &db("flag")])
        .config(config)
        .env("DRIFTCHECK_LOCAL_URL", &db("dc"))
        .env("DATABASE_URL", &db("generic"))
        .env("APP_DB", &db("configured"));
    assert_eq!(source_of(&full.plan(), "local"), database("flag"));
    let mut rest = full;
    rest.args.truncate(2);
    assert_eq!(source_of(&rest.plan(), "local"), database("dc"));
    rest.env.remove("DRIFTCHECK_LOCAL_URL");
    assert_eq!(source_of(&rest.plan(), "local"), database("generic"));
    rest.env.insert("DATABASE_URL".into(), "  ".into());
    assert_eq!(source_of(&rest.plan(), "local"), database("configured"));
    rest.env.clear();
    assert_eq!(
        rest.error(),
        "no local database: pass --local-url URL, set DRIFTCHECK_LOCAL_URL or DATABASE_URL, set sqlalchemy.url in alembic.ini, or use --local-snapshot FILE"
    );
}

#[test]
fn a_bad_local_url_names_where_it_came_from() {
    let message = case(&["--no-report"])
        .env("DATABASE_URL", "mysql://x/y")
        .error();
    assert!(message.starts_with("DATABASE_URL: "), "{message}");
}

#[test]
fn local_snapshot_replaces_the_url() {
    let plan = case(&["--no-report", "--local-snapshot", "l.json"])
        .env("DATABASE_URL", &db("generic"))
        .plan();
    assert_eq!(source_of(&plan, "local"), "file l.json");
    assert!(plan.targets[0].required);
}

#[test]
fn production_url_flag_then_environment_then_config_variable_then_secret() {
    let config =
        "[production]\nurl-env = \"PROD_DB\"\nsecret-id = \"cfg/secret\"\nregion = \"eu-west-1\"\n";
    let base = |args: &[&str]| {
        let mut all = vec!["--no-report", "--local-snapshot", "l.json"];
        all.extend(args);
        case(&all).config(config)
    };
    let env = |c: Case| {
        c.env("DRIFTCHECK_PROD_URL", &db("prod_env"))
            .env("PROD_DB", &db("prod_cfg"))
    };
    let flag = env(base(&["--prod-url", &db("prod_flag")])).plan();
    assert_eq!(source_of(&flag, "production"), database("prod_flag"));
    assert_eq!(
        source_of(&env(base(&[])).plan(), "production"),
        database("prod_env")
    );
    let configured = base(&[]).env("PROD_DB", &db("prod_cfg")).plan();
    assert_eq!(source_of(&configured, "production"), database("prod_cfg"));
    // No URL anywhere: the secret, flag over environment over config.
    assert_eq!(
        source_of(&base(&[]).plan(), "production"),
        "secret cfg/secret region Some(\"eu-west-1\") profile None"
    );
    let from_env = base(&[])
        .env("DRIFTCHECK_PROD_SECRET_ID", "env/secret")
        .plan();
    assert!(source_of(&from_env, "production").starts_with("secret env/secret "));
    let from_flag = base(&[
        "--prod-secret-id",
        "flag/secret",
        "--aws-region",
        "us-east-2",
    ])
    .env("DRIFTCHECK_PROD_SECRET_ID", "env/secret")
    .plan();
    assert_eq!(
        source_of(&from_flag, "production"),
        "secret flag/secret region Some(\"us-east-2\") profile None"
    );
}

#[test]
fn production_skipped_not_configured_or_required() {
    let local = ["--no-report", "--local-snapshot", "l.json"];
    let plan = case(&local).plan();
    assert_eq!(source_of(&plan, "production"), "skip not_configured");
    assert!(!plan.targets[1].required);
    let mut skip = local.to_vec();
    skip.push("--skip-production");
    assert_eq!(source_of(&case(&skip).plan(), "production"), "skip skipped");
    let mut snapshot = local.to_vec();
    snapshot.extend(["--prod-snapshot", "p.json"]);
    assert_eq!(
        source_of(&case(&snapshot).plan(), "production"),
        "file p.json"
    );
    let required_error = "--require-production: no production source; pass --prod-secret-id ID or --prod-url URL (or set DRIFTCHECK_PROD_SECRET_ID / DRIFTCHECK_PROD_URL)";
    let mut require = local.to_vec();
    require.push("--require-production");
    assert_eq!(case(&require).error(), required_error);
    let configured = case(&local).config("[production]\nrequire = true\n");
    assert_eq!(configured.error(), required_error);
    let required = configured.env("DRIFTCHECK_PROD_URL", &db("p")).plan();
    assert!(required.targets[1].required);
    assert_eq!(required.reference, Reference::LocalProduction);
}

#[test]
fn version_table_flag_then_config_then_default_and_production_own() {
    let local = ["--no-report", "--local-snapshot", "l.json"];
    let table = |plan: &Plan, i: usize| plan.targets[i].options.version_table.to_string();
    let plan = case(&local).plan();
    assert_eq!(plan.version_table_name, "alembic_version");
    assert_eq!(plan.diff.version_table, "alembic_version");
    assert_eq!(table(&plan, 1), table(&plan, 0));
    let config =
        "version-table = \"meta.versions\"\n[production]\nversion-table = \"ops.prod_versions\"\n";
    let plan = case(&local).config(config).plan();
    assert_eq!(plan.version_table_name, "meta.versions");
    assert_eq!(table(&plan, 0), "meta.versions");
    assert_eq!(table(&plan, 1), "ops.prod_versions");
    // The flag wins over both, production included.
    let mut flag = local.to_vec();
    flag.extend(["--version-table", "flagged"]);
    let plan = case(&flag).config(config).plan();
    assert_eq!(plan.version_table_name, "flagged");
    assert_eq!(table(&plan, 0), "flagged");
    assert_eq!(table(&plan, 1), "flagged");
    let bad = case(&local).config("[production]\nversion-table = \"a.b.c\"\n");
    assert!(
        bad.error()
            .starts_with("[production] version-table \"a.b.c\": "),
        "{}",
        bad.error()
    );
    let mut bad_flag = local.to_vec();
    bad_flag.extend(["--version-table", "a.b.c"]);
    assert!(case(&bad_flag)
        .error()
        .starts_with("--version-table \"a.b.c\": "));
}

#[test]
fn schemas_flag_replaces_config() {
    let local = ["--no-report", "--local-snapshot", "l.json"];
    let config = "schemas = [\"app\"]\nexclude-schemas = [\"audit\"]\n";
    let plan = case(&local).config(config).plan();
    assert_eq!(plan.targets[0].options.include_schemas, ["app"]);
    assert_eq!(plan.targets[1].options.exclude_schemas, ["audit"]);
    let mut flags = local.to_vec();
    flags.extend(["--schema", "billing", "--exclude-schema", "tmp"]);
    let plan = case(&flags).config(config).plan();
    assert_eq!(plan.targets[0].options.include_schemas, ["billing"]);
    assert_eq!(plan.targets[1].options.exclude_schemas, ["tmp"]);
}

#[test]
fn report_destination_default_config_flag_stdout_none() {
    let local = ["--local-snapshot", "l.json"];
    let report = |c: Case| c.plan().outputs.report;
    assert_eq!(
        report(case(&local)),
        ReportDestination::File {
            path: PathBuf::from("drift-reports/drift-20260102T030405Z.md"),
            explicit: false
        }
    );
    assert_eq!(
        report(case(&local).config("report-dir = \"audit/drift\"\n")),
        ReportDestination::File {
            path: PathBuf::from("audit/drift/drift-20260102T030405Z.md"),
            explicit: false
        }
    );
    let mut flag = local.to_vec();
    flag.extend(["--report", "mine.md"]);
    assert_eq!(
        report(case(&flag).config("report-dir = \"audit\"\n")),
        ReportDestination::File {
            path: PathBuf::from("mine.md"),
            explicit: true
        }
    );
    let mut stdout = local.to_vec();
    stdout.extend(["--report", "-"]);
    assert_eq!(report(case(&stdout)), ReportDestination::Stdout);
    let mut none = local.to_vec();
    none.push("--no-report");
    assert_eq!(report(case(&none)), ReportDestination::None);
}

#[test]
fn an_existing_report_path_is_refused() {
    let existing = env!("CARGO_MANIFEST_DIR").to_string() + "/Cargo.toml";
    let message = case(&["--local-snapshot", "l.json", "--report", &existing]).error();
    assert_eq!(
        message,
        format!("--report {existing}: the file exists and driftcheck never overwrites a report; choose another path")
    );
}

#[test]
fn report_on_stdout_conflicts_with_another_format() {
    let args = ["--local-snapshot", "l.json", "--report", "-", "--format"];
    let with = |format: &str| {
        let mut all = args.to_vec();
        all.push(format);
        case(&all)
    };
    assert_eq!(
        with("json").error(),
        "--report - writes the markdown report to stdout, which --format also wants; drop one of them"
    );
    assert!(with("text").resolve().is_err());
    assert_eq!(with("markdown").plan().outputs.format, Format::Markdown);
    let plain = case(&["--no-report", "--local-snapshot", "l.json"]).plan();
    assert_eq!(plain.outputs.format, Format::Text);
}

/// A fresh directory under the system's temporary directory.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("driftcheck-plan-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn ris_dir_flag_then_config_then_docs_ris() {
    let cwd = scratch("ris");
    for dir in ["docs/ris", "flag", "configured"] {
        std::fs::create_dir_all(cwd.join(dir)).unwrap();
    }
    let args = ["--no-report", "--local-snapshot", "l.json", "--create-ris"];
    let dir = |c: Case| c.cwd(&cwd).plan().outputs.ris.expect("ris").dir;
    assert_eq!(dir(case(&args)), PathBuf::from("docs/ris"));
    let config = format!("[ris]\ndir = \"{}\"\n", cwd.join("configured").display());
    assert_eq!(dir(case(&args).config(&config)), cwd.join("configured"));
    let mut flag = args.to_vec();
    flag.extend(["--ris-dir", "flag"]);
    assert_eq!(dir(case(&flag).config(&config)), PathBuf::from("flag"));
    let mut missing = args.to_vec();
    missing.extend(["--ris-dir", "nowhere"]);
    assert_eq!(
        case(&missing).cwd(&cwd).error(),
        "--ris-dir nowhere: no such directory (driftcheck does not create it)"
    );
    let empty = scratch("ris-none");
    assert_eq!(
        case(&args).cwd(&empty).error(),
        "--create-ris: no RIS directory; pass --ris-dir DIR, set [ris] dir in driftcheck.toml, or create docs/ris/"
    );
    assert!(case(&args[..3]).cwd(&cwd).plan().outputs.ris.is_none());
    std::fs::remove_dir_all(&cwd).unwrap();
    std::fs::remove_dir_all(&empty).unwrap();
}

#[test]
fn webhook_flag_then_environment_then_config_variable() {
    let args = ["--no-report", "--local-snapshot", "l.json"];
    let config = "[notify]\nwebhook-url-env = \"SLACK_HOOK\"\n";
    let origin = |c: Case| c.plan().outputs.alert.map(|a| a.webhook.origin);
    let env = |c: Case| {
        c.config(config)
            .env("DRIFTCHECK_WEBHOOK_URL", "https://env.example/hook")
            .env("SLACK_HOOK", "https://cfg.example/hook")
    };
    let mut flag = args.to_vec();
    flag.extend(["--notify-webhook", "https://flag.example/hook"]);
    assert_eq!(
        origin(env(case(&flag))).as_deref(),
        Some("--notify-webhook")
    );
    assert_eq!(
        origin(env(case(&args))).as_deref(),
        Some("DRIFTCHECK_WEBHOOK_URL")
    );
    let configured = case(&args)
        .config(config)
        .env("SLACK_HOOK", "https://cfg.example/hook");
    assert_eq!(
        origin(configured).as_deref(),
        Some("SLACK_HOOK ([notify] webhook-url-env)")
    );
    assert_eq!(origin(case(&args).config(config)), None);
}

#[test]
fn notify_always_from_flag_or_config_and_never_without_webhook() {
    let args = ["--no-report", "--local-snapshot", "l.json"];
    let hook = |c: Case| c.env("DRIFTCHECK_WEBHOOK_URL", "https://env.example/hook");
    let always = |c: Case| c.plan().outputs.alert.expect("alert").always;
    assert!(!always(hook(case(&args))));
    assert!(always(hook(
        case(&args).config("[notify]\nalways = true\n")
    )));
    let mut flag = args.to_vec();
    flag.push("--notify-always");
    assert!(always(hook(case(&flag))));
    assert_eq!(
        case(&flag).error(),
        "--notify-always: no webhook; pass --notify-webhook URL or set DRIFTCHECK_WEBHOOK_URL"
    );
}

#[test]
fn github_actions_only_when_told() {
    let args = ["--no-report", "--local-snapshot", "l.json"];
    assert_eq!(case(&args).plan().outputs.github, None);
    let plan = case(&args)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", "/tmp/summary.md")
        .plan();
    assert_eq!(
        plan.outputs.github,
        Some(GitHub {
            step_summary: Some(PathBuf::from("/tmp/summary.md"))
        })
    );
}

const ENVS: &str = "[env.staging]\nurl-env = \"STAGING_URL\"\n[env.qa]\nurl = \"postgresql://u@h:5432/qa\"\nversion-table = \"qa_versions\"\n[env.prod]\nsecret-id = \"prod/db\"\nregion = \"eu-west-1\"\n";

#[test]
fn named_environments_in_order_with_their_sources() {
    let plan = case(&[
        "--no-report",
        "--env",
        "qa",
        "--env",
        "staging",
        "--env",
        "qa",
    ])
    .config(ENVS)
    .plan();
    assert_eq!(names(&plan), ["qa", "staging"]);
    assert_eq!(plan.reference, Reference::FirstRead);
    assert_eq!(source_of(&plan, "qa"), database("qa"));
    assert_eq!(
        plan.targets[0].options.version_table.to_string(),
        "qa_versions"
    );
    assert_eq!(
        source_of(&plan, "staging"),
        "missing not_configured: environment variable STAGING_URL ([env.staging] url-env) is not set"
    );
    assert!(plan.targets.iter().all(|t| !t.required));
    let all = case(&["--no-report", "--all-envs", "--aws-profile", "ops"])
        .config(ENVS)
        .env("STAGING_URL", &db("stage"))
        .env("DATABASE_URL", &db("mine"))
        .plan();
    assert_eq!(names(&all), ["local", "prod", "qa", "staging"]);
    assert_eq!(source_of(&all, "staging"), database("stage"));
    assert_eq!(
        source_of(&all, "prod"),
        "secret prod/db region Some(\"eu-west-1\") profile Some(\"ops\")"
    );
}

#[test]
fn named_environment_errors() {
    let env = |args: &[&str], config: &str| {
        let mut all = vec!["--no-report"];
        all.extend(args);
        case(&all).config(config).error()
    };
    assert_eq!(
        env(&["--env", "nope"], ENVS),
        "--env nope: no [env.nope] in the config (/repo/driftcheck.toml); known: prod, qa, staging"
    );
    assert_eq!(
        env(&["--all-envs"], ""),
        "--all-envs: no [env.NAME] tables in the config (/repo/driftcheck.toml)"
    );
    assert_eq!(
        env(
            &["--env", "x"],
            "[env.x]\nurl = \"postgresql://h/x\"\nsecret-id = \"s\"\n"
        ),
        "[env.x]: give exactly one of url-env, url or secret-id"
    );
    assert_eq!(
        env(&["--env", "x"], "[env.x]\nurl = \"postgresql://u:pw@h/x\"\n"),
        "[env.x] url: holds a password; committed files must not: use url-env = \"VAR\" and set VAR"
    );
    let clash = case(&["--no-report", "--env", "local"])
        .config("[env.local]\nurl = \"postgresql://h/x\"\n")
        .env("DATABASE_URL", &db("mine"));
    assert_eq!(
        clash.error(),
        "[env.local] clashes with the local database's name in the report; rename the environment"
    );
}

#[test]
fn production_flags_do_not_combine_with_environments() {
    for (flag, value) in [
        ("--prod-url", Some("postgresql://h/p")),
        ("--prod-secret-id", Some("s")),
        ("--prod-snapshot", Some("p.json")),
        ("--skip-production", None),
        ("--require-production", None),
    ] {
        let mut args = vec!["--no-report", "--env", "qa", flag];
        args.extend(value);
        assert_eq!(
            case(&args).config(ENVS).error(),
            format!("{flag} does not combine with --env/--all-envs: named environments replace production; describe it as [env.production] in driftcheck.toml")
        );
    }
}

#[test]
fn the_gate_needs_no_local_database_but_the_check_does() {
    let gate = case(&["--no-report", "--prod-url", &db("p")]).gate().plan();
    assert_eq!(names(&gate), ["production"]);
    assert_eq!(
        gate.gate,
        Some(Gate {
            allow_pending: false
        })
    );
    let check = case(&["--no-report", "--prod-url", &db("p")]);
    assert!(check.error().starts_with("no local database: "));
    let with_local = case(&["--no-report"])
        .gate()
        .env("DATABASE_URL", &db("l"))
        .plan();
    assert_eq!(names(&with_local), ["local", "production"]);
}

/// "nothing to check" cannot be reached through the command line: every
/// selection of environments names at least one or is refused first.
#[test]
fn a_missing_environment_variable_is_planned_not_refused() {
    let plan = case(&["--no-report", "--env", "qa", "--env", "qa"])
        .config("[env.qa]\nurl-env = \"QA\"\n")
        .plan();
    assert_eq!(names(&plan), ["qa"]);
    assert!(source_of(&plan, "qa").starts_with("missing not_configured: "));
}

#[test]
fn ignore_rules_errors_name_the_config_file() {
    let message = case(&["--no-report", "--local-snapshot", "l.json"])
        .config("[ignore]\ntables = 3\n")
        .error();
    assert!(
        message.starts_with("invalid [ignore] in /repo/driftcheck.toml: "),
        "{message}"
    );
}

#[test]
fn diff_options_follow_the_flags() {
    let plan = case(&[
        "--no-report",
        "--local-snapshot",
        "l.json",
        "--strict-column-order",
        "--include-owners",
    ])
    .plan();
    assert!(plan.diff.strict_column_order);
    assert!(plan.diff.include_owners);
    assert!(!plan.diff.include_privileges);
    assert!(!plan.diff.include_comments);
}

#[test]
fn comments_are_compared_by_the_flag_or_the_setting() {
    let args = ["--no-report", "--local-snapshot", "l.json"];
    assert!(!case(&args).plan().diff.include_comments);
    let mut with_flag = args.to_vec();
    with_flag.push("--include-comments");
    assert!(case(&with_flag).plan().diff.include_comments);
    let plan = case(&args).config("include-comments = true\n").plan();
    assert!(plan.diff.include_comments);
}

#[test]
fn discovery_flag_replaces_config_which_resolves_against_its_file() {
    let args = ["--no-report", "--local-snapshot", "l.json"];
    let config = "migrations = [\"alembic/versions\"]\nalembic-ini = \"alembic.ini\"\n";
    let plan = case(&args).config(config).plan();
    assert_eq!(
        plan.discovery.migration_dirs,
        [PathBuf::from("/repo/alembic/versions")]
    );
    assert_eq!(
        plan.discovery.alembic_ini,
        Some(PathBuf::from("/repo/alembic.ini"))
    );
    let mut flag = args.to_vec();
    flag.extend(["--migrations", "db/versions"]);
    let plan = case(&flag).config(config).plan();
    assert_eq!(
        plan.discovery.migration_dirs,
        [PathBuf::from("db/versions")]
    );
    assert_eq!(plan.discovery.start_dir, Some(PathBuf::from("/repo")));
}

#[test]
fn alembic_sqlalchemy_url_is_the_local_databases_last_fallback() {
    let mut with_ini = case(&["--no-report"]);
    with_ini.alembic_url = Some(db("from_ini").replace("postgresql://", "postgresql+psycopg2://"));
    assert_eq!(source_of(&with_ini.plan(), "local"), database("from_ini"));
    // Anything else that names the local database wins over alembic.ini.
    let env_wins = with_ini.env("DATABASE_URL", &db("generic"));
    assert_eq!(source_of(&env_wins.plan(), "local"), database("generic"));
    // Alembic's template placeholder is not a database.
    let mut placeholder = case(&["--no-report"]);
    placeholder.alembic_url = Some("driver://user:pass@localhost/dbname".to_string());
    assert!(placeholder.error().starts_with("no local database"));
    // The gate does not start needing the developer database alembic.ini names.
    let mut gate = case(&["--no-report", "--prod-url", &db("prod")]).gate();
    gate.alembic_url = Some(db("from_ini"));
    assert!(gate.plan().targets.iter().all(|t| t.name != "local"));
}

#[test]
fn expected_snapshot_from_the_flag_else_the_config_beside_it() {
    let local = ["--no-report", "--local-snapshot", "l.json"];
    assert_eq!(case(&local).plan().expected_snapshot, None);
    let configured = case(&local).config("expected-snapshot = \"ci/expected.json\"\n");
    assert_eq!(
        configured.plan().expected_snapshot,
        Some(PathBuf::from("/repo/ci/expected.json"))
    );
    let mut flagged = local.to_vec();
    flagged.extend(["--expected-snapshot", "mine.json"]);
    let flagged = case(&flagged).config("expected-snapshot = \"ci/expected.json\"\n");
    assert_eq!(
        flagged.plan().expected_snapshot,
        Some(PathBuf::from("mine.json"))
    );
}
