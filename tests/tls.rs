//! TCP and TLS against real PostgreSQL clusters listening on 127.0.0.1:
//! production's `sslmode=require` default, `verify-full` with a throwaway CA
//! made by the `openssl` CLI, and a server that only accepts TLS. The planted
//! password is scanned out of every run's output.

mod common;

use common::cli::{Output, Test};
use common::cluster::{Cluster, ServerCert, Tcp, APP_PASSWORD};
use common::migrated::{as_app, credentialmate_ini, database_at};
use std::path::{Path, PathBuf};
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run the openssl CLI");
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const EC_KEY: [&str; 4] = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"];

/// A self-signed CA in `dir`: returns (`NAME.pem`, `NAME.key`).
fn make_ca(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let (pem, key) = (format!("{name}.pem"), format!("{name}.key"));
    let subject = format!("/CN=driftcheck test {name}");
    let mut args = vec!["req", "-x509", "-nodes", "-days", "2"];
    args.extend(EC_KEY);
    args.extend([
        "-keyout",
        &key,
        "-out",
        &pem,
        "-subj",
        &subject,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    openssl(dir, &args);
    (dir.join(pem), dir.join(key))
}

/// A server certificate for `subject_alt_name` (e.g. `DNS:localhost`),
/// signed by the CA, in `dir`.
fn server_cert(dir: &Path, ca: &(PathBuf, PathBuf), subject_alt_name: &str) -> ServerCert {
    let mut args = vec!["req", "-new", "-nodes"];
    args.extend(EC_KEY);
    args.extend([
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(dir, &args);
    std::fs::write(
        dir.join("server.ext"),
        format!(
            "subjectAltName = {subject_alt_name}\n\
             basicConstraints = critical, CA:FALSE\n\
             keyUsage = critical, digitalSignature\n\
             extendedKeyUsage = serverAuth\n"
        ),
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            ca.0.to_str().unwrap(),
            "-CAkey",
            ca.1.to_str().unwrap(),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    ServerCert {
        cert: dir.join("server.crt"),
        key: dir.join("server.key"),
    }
}

/// A CA, a server certificate it signed, and a second CA that signed nothing.
struct Pki {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    other_ca: PathBuf,
    server: ServerCert,
}

/// Server certificate for `localhost` and IP 127.0.0.1.
fn pki() -> Pki {
    pki_for("DNS:localhost, IP:127.0.0.1")
}

fn pki_for(subject_alt_name: &str) -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let ca = make_ca(dir.path(), "ca");
    let other_ca = make_ca(dir.path(), "other-ca");
    let server = server_cert(dir.path(), &ca, subject_alt_name);
    Pki {
        ca: ca.0,
        other_ca: other_ca.0,
        server,
        _dir: dir,
    }
}

fn tcp_cluster(tls: Option<&Pki>, requires_tls: bool) -> Cluster {
    Cluster::start_tcp(Tcp {
        tls: tls.map(|p| p.server.clone()),
        requires_tls,
    })
}

#[track_caller]
fn assert_no_password(out: &Output) {
    assert!(
        !out.all_output().contains(APP_PASSWORD),
        "the planted password leaked:\n{}",
        out.all_output()
    );
}

/// `driftcheck snapshot --url URL -o FILE`; returns the run and the file's text.
fn snapshot(url: &str) -> (Output, Option<String>) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("snap.json");
    let out = Test::new()
        .args(&["snapshot", "--url", url, "-o", file.to_str().unwrap()])
        .run();
    assert_no_password(&out);
    (out, std::fs::read_to_string(&file).ok())
}

fn table_names(snapshot: &str) -> Vec<String> {
    let json: serde_json::Value = serde_json::from_str(snapshot).unwrap();
    json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// Connections the server accepted for `db`, as logged with `log_connections`.
fn authorized_connections(cluster: &Cluster, db: &str) -> Vec<String> {
    cluster
        .log()
        .lines()
        .filter(|l| {
            l.contains("connection authorized")
                && l.contains("user=app")
                && l.contains(&format!("database={db}"))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn local_over_tcp_without_tls_works() {
    let cluster = tcp_cluster(None, false);
    cluster.create_database("plain");
    as_app(
        &cluster,
        "plain",
        "CREATE TABLE widgets (id int PRIMARY KEY);",
    );
    let (out, file) = snapshot(&cluster.tcp_url_with_password("127.0.0.1", "plain"));
    let out = out.status(0);
    let tables = table_names(&file.expect("snapshot written"));
    assert_eq!(tables, vec!["widgets".to_string()], "{}", out.stderr);
}

/// `driftcheck check` with local on the cluster's socket and production on
/// its TCP port, the production URL ending in `query` (e.g. no `sslmode`).
fn check_production_over_tcp(cluster: &Cluster, query: &str) -> serde_json::Value {
    let ini = credentialmate_ini();
    let work = tempfile::tempdir().unwrap();
    let out = Test::new()
        .current_dir(work.path())
        .args(&["--alembic-ini", ini.to_str().unwrap()])
        .args(&["--format", "json", "--no-report"])
        .args(&["--local-url", &cluster.url_with_password("credmate")])
        .args(&[
            "--prod-url",
            &format!(
                "{}{query}",
                cluster.tcp_url_with_password("127.0.0.1", "credmate")
            ),
        ])
        .run();
    assert_no_password(&out);
    // Local is at head, so the exit code follows it whatever production does.
    let json = out.status(0).json();
    assert_eq!(json["targets"]["local"]["state"], "at_head", "{json:#}");
    json
}

#[test]
fn production_requires_tls_by_default() {
    let pki = pki();
    let plain = tcp_cluster(None, false);
    database_at(&plain, "credmate", "heads");
    let json = check_production_over_tcp(&plain, "");
    let prod = &json["targets"]["production"];
    assert_eq!(prod["state"], "unreachable", "{prod:#}");
    assert_eq!(prod["reason"], "tls_failed", "{prod:#}");
    let message = prod["message"].as_str().unwrap();
    assert!(
        message.contains(r#"database "credmate""#) && message.contains("127.0.0.1"),
        "{message}"
    );

    let tls = tcp_cluster(Some(&pki), false);
    database_at(&tls, "credmate", "heads");
    let json = check_production_over_tcp(&tls, "");
    let prod = &json["targets"]["production"];
    assert_eq!(prod["state"], "at_head", "{prod:#}");

    // An untrusted certificate is a TLS failure too, not an unreachable server.
    let untrusted = format!(
        "?sslmode=verify-full&sslrootcert={}",
        pki.other_ca.display()
    );
    let json = check_production_over_tcp(&tls, &untrusted);
    let prod = &json["targets"]["production"];
    assert_eq!(prod["state"], "unreachable", "{prod:#}");
    assert_eq!(prod["reason"], "tls_failed", "{prod:#}");
    // The server saw production's session arrive over TLS.
    let sessions = authorized_connections(&tls, "credmate");
    assert!(
        sessions.iter().any(|l| l.contains("SSL enabled")),
        "no TLS session in the server log:\n{}",
        sessions.join("\n")
    );
}

#[test]
fn verify_full_checks_the_certificate_against_sslrootcert() {
    let pki = pki();
    let cluster = tcp_cluster(Some(&pki), false);
    cluster.create_database("secure");
    as_app(&cluster, "secure", "CREATE TABLE vault (id int);");
    let verified = |host: &str, ca: &Path| {
        format!(
            "{}?sslmode=verify-full&sslrootcert={}",
            cluster.tcp_url_with_password(host, "secure"),
            ca.display()
        )
    };

    for host in ["localhost", "127.0.0.1"] {
        let (out, file) = snapshot(&verified(host, &pki.ca));
        out.status(0);
        assert_eq!(table_names(&file.unwrap()), vec!["vault".to_string()]);
    }

    for host in ["localhost", "127.0.0.1"] {
        let (out, file) = snapshot(&verified(host, &pki.other_ca));
        let out = out.status(3);
        assert!(file.is_none(), "no snapshot may be written on failure");
        assert!(
            out.stderr.contains("TLS failed for")
                && out.stderr.contains(r#"database "secure""#)
                && out.stderr.contains(r#"user "app""#),
            "{}",
            out.stderr
        );
    }
}

#[test]
fn a_hostssl_only_server_refuses_sslmode_disable() {
    let pki = pki();
    let cluster = tcp_cluster(Some(&pki), true);
    cluster.create_database("strict");
    let url = cluster.tcp_url_with_password("127.0.0.1", "strict");

    let (out, file) = snapshot(&format!("{url}?sslmode=disable"));
    let out = out.status(3);
    assert!(file.is_none());
    assert!(
        out.stderr.contains(r#"database "strict""#) && out.stderr.contains(r#"user "app""#),
        "{}",
        out.stderr
    );
    // A pg_hba.conf refusal, not a password problem: the hint points at TLS.
    assert!(
        out.stderr.contains("refused the connection") && out.stderr.contains("sslmode=require"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stderr.contains("check the user name and password"),
        "{}",
        out.stderr
    );

    // The same URL with TLS gets in: the refusal was about encryption.
    let (out, _) = snapshot(&format!("{url}?sslmode=require"));
    out.status(0);
}

/// A certificate naming only `localhost`: `verify-full` to 127.0.0.1 fails on
/// the name, `verify-ca` (chain only, as in libpq) accepts it.
#[test]
fn verify_ca_skips_the_name_check_verify_full_does_not() {
    let pki = pki_for("DNS:localhost");
    let cluster = tcp_cluster(Some(&pki), false);
    cluster.create_database("named");
    let url = |mode: &str| {
        format!(
            "{}?sslmode={mode}&sslrootcert={}",
            cluster.tcp_url_with_password("127.0.0.1", "named"),
            pki.ca.display()
        )
    };
    let (out, file) = snapshot(&url("verify-full"));
    let out = out.status(3);
    assert!(file.is_none());
    assert!(out.stderr.contains("TLS failed for"), "{}", out.stderr);

    let (out, file) = snapshot(&url("verify-ca"));
    out.status(0);
    assert!(file.is_some());
}
