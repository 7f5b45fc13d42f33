//! No code stored in the database runs in driftcheck's session (issue 16,
//! item 6), however hostile what the application schema holds: a view named
//! `alembic_version` that calls a plpgsql function, functions and operators
//! in `public` shadowing the catalog's, a version column of a custom type
//! with its own cast, and a row-level security policy on the version table.
//! Every trap raises a WARNING naming itself; the server log (with the
//! application name on every line) and `pg_stat_user_functions`
//! (`track_functions = all`) prove none ran for driftcheck, while a control
//! run of the same kind of query by psql shows each trap is live.

mod common;

use common::cli::{Output, Test};
use common::cluster::{assert_only_reads, driftcheck_statements, Cluster, Options, APP_PASSWORD};
use common::migrated::{as_app, credentialmate_ini};

/// The codebase head: what a hostile view would claim the database is at.
const HEAD: &str = "20251230_1900";

/// The trap every piece of hostile code calls: a WARNING in the server log.
const TRAP: &str = r#"
CREATE FUNCTION public.trap(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE WARNING 'TRAP % ran as %', what, current_user;
  RETURN true;
END $$;
"#;

/// Functions and operators in public that an unqualified name in a catalog
/// query would resolve to (each is a better match than pg_catalog's own for
/// the argument types the catalog queries use), and objects whose
/// definitions call the trap.
const SHADOWS: &str = r#"
CREATE FUNCTION public.oid_ne_int(oid, integer) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('operator <>(oid, integer)'); RETURN $1 OPERATOR(pg_catalog.<>) $2::oid; END $$;
CREATE OPERATOR public.<> (LEFTARG = oid, RIGHTARG = integer, FUNCTION = public.oid_ne_int);
CREATE FUNCTION public.oid_eq_regclass(oid, regclass) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('operator =(oid, regclass)'); RETURN $1 OPERATOR(pg_catalog.=) $2::oid; END $$;
CREATE OPERATOR public.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = public.oid_eq_regclass);
CREATE FUNCTION public.name_eq_text(name, text) RETURNS boolean LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('operator =(name, text)'); RETURN $1::text OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = text, FUNCTION = public.name_eq_text);
CREATE FUNCTION public.cardinality(text[]) RETURNS integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('cardinality(text[])'); RETURN 0; END $$;
CREATE FUNCTION public.unnest(smallint[]) RETURNS SETOF smallint LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('unnest(smallint[])'); END $$;
CREATE FUNCTION public.array_position(text[], text) RETURNS integer LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('array_position(text[], text)'); RETURN 1; END $$;
CREATE FUNCTION public.quote_ident(name) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('quote_ident(name)'); RETURN 'x'; END $$;
CREATE FUNCTION public.pg_get_indexdef(oid) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('pg_get_indexdef(oid)'); RETURN 'x'; END $$;
CREATE FUNCTION public.format_type(oid, integer) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('format_type(oid, integer)'); RETURN 'x'; END $$;
CREATE FUNCTION public.lower(character varying) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('lower(varchar)'); RETURN 'x'; END $$;
CREATE FUNCTION public.current_schemas(boolean) RETURNS name[] LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('current_schemas(boolean)'); RETURN '{public}'; END $$;
CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('set_config'); RETURN ''; END $$;

-- A custom type with its own cast and operator, used by a table.
CREATE TYPE public.level AS ENUM ('low', 'high');
CREATE FUNCTION public.level_text(public.level) RETURNS text LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('cast level AS text'); RETURN 'x'; END $$;
CREATE CAST (public.level AS text) WITH FUNCTION public.level_text(public.level);
CREATE FUNCTION public.level_eq(public.level, text) RETURNS boolean LANGUAGE plpgsql IMMUTABLE AS
  $$ BEGIN PERFORM public.trap('operator ===(level, text)'); RETURN true; END $$;
CREATE OPERATOR public.=== (LEFTARG = public.level, RIGHTARG = text, FUNCTION = public.level_eq);
CREATE FUNCTION public.imm(text) RETURNS text LANGUAGE plpgsql IMMUTABLE AS
  $$ BEGIN PERFORM public.trap('index expression'); RETURN $1; END $$;
CREATE TABLE public.accounts (
  id serial PRIMARY KEY,
  name varchar(20) DEFAULT 'x' CHECK (public.trap('check')),
  lvl public.level CHECK (lvl === 'low'),
  parent int REFERENCES public.accounts (id)
);
CREATE INDEX accounts_name ON public.accounts (public.imm(name));
CREATE VIEW public.trapped AS SELECT public.trap('view') AS t;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN PERFORM public.trap('trigger'); RETURN NEW; END $$;
CREATE TRIGGER accounts_touch BEFORE UPDATE ON public.accounts FOR EACH ROW EXECUTE FUNCTION public.touch();
ALTER TABLE public.accounts ENABLE ROW LEVEL SECURITY;
CREATE POLICY accounts_trap ON public.accounts USING (public.trap('policy'));
"#;

/// `driftcheck snapshot` of `db` as the `app` role (which created everything).
fn snapshot(cluster: &Cluster, db: &str) -> Output {
    let out = Test::new()
        .args(&[
            "snapshot",
            "--url",
            &cluster.url_with_password(db),
            "-o",
            "-",
        ])
        .run();
    assert!(!out.all_output().contains(APP_PASSWORD));
    out
}

/// The check of the credentialmate codebase against `db` (local only).
fn check(cluster: &Cluster, db: &str) -> Output {
    let ini = credentialmate_ini();
    let out = Test::new()
        .args(&["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(&["--local-url", &cluster.url_with_password(db)])
        .args(&["--format", "json", "--no-report"])
        .run();
    assert!(!out.all_output().contains(APP_PASSWORD));
    out
}

/// Trap lines the server logged for an application (`driftcheck`, `psql`).
fn traps(log: &str, application: &str) -> Vec<String> {
    log.lines()
        .filter(|l| l.contains(&format!(" app={application}: ")) && l.contains("TRAP "))
        .map(str::to_string)
        .collect()
}

/// Calls of functions outside pg_catalog, as counted by the server.
fn user_function_calls(cluster: &Cluster, db: &str) -> i64 {
    cluster
        .psql(
            db,
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE schemaname <> 'pg_catalog';",
        )
        .trim()
        .parse()
        .unwrap()
}

fn hostile_database(cluster: &Cluster, db: &str, sql: &str) {
    cluster.create_database(db);
    // Counted per function, for every session (driftcheck's included).
    cluster.psql(
        "postgres",
        &format!("ALTER DATABASE \"{db}\" SET track_functions = 'all';"),
    );
    as_app(cluster, db, &format!("{TRAP}{sql}"));
}

#[test]
fn no_function_outside_pg_catalog_runs_in_a_driftcheck_session() {
    let cluster = Cluster::start_with(Options {
        log_statements: true,
    });
    hostile_database(
        &cluster,
        "viewed",
        &format!(
            "CREATE FUNCTION public.claim() RETURNS SETOF varchar LANGUAGE plpgsql AS
               $$ BEGIN PERFORM public.trap('alembic_version view'); RETURN NEXT '{HEAD}'; END $$;
             CREATE VIEW public.alembic_version AS SELECT public.claim() AS version_num;"
        ),
    );
    hostile_database(
        &cluster,
        "shadowed",
        &format!(
            "{SHADOWS}
             CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
             INSERT INTO public.alembic_version VALUES ('{HEAD}');"
        ),
    );
    hostile_database(
        &cluster,
        "typed",
        &format!(
            "CREATE TYPE public.rev AS ENUM ('{HEAD}');
             CREATE FUNCTION public.rev_text(public.rev) RETURNS text LANGUAGE plpgsql AS
               $$ BEGIN PERFORM public.trap('cast rev AS text'); RETURN '{HEAD}'; END $$;
             CREATE CAST (public.rev AS text) WITH FUNCTION public.rev_text(public.rev);
             CREATE TABLE public.alembic_version (version_num public.rev PRIMARY KEY);
             INSERT INTO public.alembic_version VALUES ('{HEAD}');"
        ),
    );
    hostile_database(
        &cluster,
        "policed",
        &format!(
            "CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY);
             INSERT INTO public.alembic_version VALUES ('{HEAD}');
             ALTER TABLE public.alembic_version ENABLE ROW LEVEL SECURITY;
             ALTER TABLE public.alembic_version FORCE ROW LEVEL SECURITY;
             CREATE POLICY everything ON public.alembic_version USING (public.trap('version table policy'));"
        ),
    );

    // Control: the traps are live. What driftcheck used to send (or what a
    // careless catalog query would), run as the same role by psql, runs them.
    let control = [
        ("viewed", "SELECT version_num::text FROM alembic_version ORDER BY 1;"),
        (
            "shadowed",
            "SELECT count(*) FROM pg_catalog.pg_constraint con WHERE con.conrelid <> 0;
             SELECT cardinality('{}'::text[]);
             SELECT count(*) FROM pg_catalog.pg_depend d WHERE d.classid = 'pg_catalog.pg_class'::regclass;",
        ),
        ("typed", "SELECT version_num::text FROM alembic_version;"),
        ("policed", "SELECT version_num FROM alembic_version;"),
    ];
    for (db, sql) in control {
        as_app(
            &cluster,
            db,
            &format!("SET search_path = \"$user\", public; {sql}"),
        );
    }
    let live = traps(&cluster.log(), "psql");
    for trap in [
        "alembic_version view",
        "operator <>(oid, integer)",
        "cardinality(text[])",
        "operator =(oid, regclass)",
        "cast rev AS text",
        "version table policy",
    ] {
        assert!(
            live.iter()
                .any(|l| l.contains(&format!("TRAP {trap} ran as app"))),
            "control: trap {trap} did not fire:\n{live:#?}"
        );
    }
    // A backend reports its counts as it exits, just after its client.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let counted: Vec<i64> = ["viewed", "shadowed", "typed", "policed"]
        .iter()
        .map(|db| user_function_calls(&cluster, db))
        .collect();
    assert!(counted.iter().all(|&n| n > 0), "{counted:?}");

    // The hostile view claims the database is at head: driftcheck refuses to
    // read it, naming what it is, in a snapshot and in the check.
    snapshot(&cluster, "viewed")
        .status(3)
        .stderr_contains("public.alembic_version is a view, not a table");
    let out = check(&cluster, "viewed").status(3);
    assert!(
        out.stderr.contains("is a view, not a table"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("at_head"), "{}", out.stdout);

    // Shadowed catalog names and hostile definitions: read, nothing run.
    let out = snapshot(&cluster, "shadowed").status(0);
    let snap: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(
        snap["version_table"]["revisions"],
        serde_json::json!([HEAD])
    );
    let definitions = &out.stdout;
    for shown in ["trap('check'::text)", "imm((name)::text)", "=== 'low'"] {
        assert!(
            definitions.contains(shown),
            "{shown} missing from the snapshot"
        );
    }

    // A version column of a custom type (its cast is user code) is not read.
    snapshot(&cluster, "typed")
        .status(3)
        .stderr_contains("public.alembic_version.version_num is of type public.rev");

    // A row-level security policy on the version table is not run.
    snapshot(&cluster, "policed")
        .status(3)
        .stderr_contains("row-level security");

    let log = cluster.log();
    let ran = traps(&log, "driftcheck");
    assert!(
        ran.is_empty(),
        "user code ran in driftcheck's session:\n{ran:#?}"
    );
    std::thread::sleep(std::time::Duration::from_secs(1));
    let after: Vec<i64> = ["viewed", "shadowed", "typed", "policed"]
        .iter()
        .map(|db| user_function_calls(&cluster, db))
        .collect();
    assert_eq!(
        after, counted,
        "pg_stat_user_functions counted calls by driftcheck"
    );

    let statements = driftcheck_statements(&log);
    assert_only_reads(&statements);
    // Every catalog read after the first runs with an empty search_path or
    // with every name qualified; the version table is never selected from
    // unless it is a plain table.
    assert!(
        statements
            .iter()
            .any(|s| s.contains("set_config('search_path', '', true)")),
        "{statements:#?}"
    );
    // Selected from once: the plain table of "shadowed". The "policed" one is
    // refused while the server plans the statement (row_security = off), before
    // it would log it as executed; never the view or the custom type.
    let selected = statements
        .iter()
        .filter(|s| s.contains("\"alembic_version\" AS v"))
        .count();
    assert_eq!(selected, 1, "{statements:#?}");
}
