//! Full and read-only disks (issue 16, item 3): a report or an incident draft
//! that cannot be written is a clear error naming the path, and leaves no
//! partial file. The file systems are real: small tmpfs mounts (the test
//! mounts them as root; it says SKIPPED, loudly, where mounting is not
//! permitted).

mod common;

use common::cluster::{Cluster, APP_PASSWORD};
use common::migrated::{credentialmate_ini, ris052_database};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A tmpfs mounted for the test, unmounted on drop.
struct Mount {
    dir: tempfile::TempDir,
}

impl Mount {
    fn tmpfs(options: &str) -> Option<Mount> {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(dir.path())
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!(
                "SKIPPED: cannot mount a tmpfs here ({}); the full/read-only disk cases did not run",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(Mount { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Fill a file system to the last byte.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let block = vec![b'x'; 4096];
    while file.write_all(&block).is_ok() {}
    while file.write_all(b"x").is_ok() {}
    let _ = file.sync_all();
    path
}

fn check(cluster: &Cluster, cwd: &Path, extra: &[&str]) -> std::process::Output {
    let ini = credentialmate_ini();
    let out = Command::new(env!("CARGO_BIN_EXE_driftcheck"))
        .args(["--skip-production", "--alembic-ini", ini.to_str().unwrap()])
        .args(["--local-url", &cluster.url_with_password("disk")])
        .args(extra)
        .current_dir(cwd)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains(APP_PASSWORD));
    assert!(!String::from_utf8_lossy(&out.stdout).contains(APP_PASSWORD));
    out
}

/// Names under `dir` (recursively), without the filler.
fn names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() {
            out.extend(
                names(&entry.path())
                    .into_iter()
                    .map(|n| format!("{name}/{n}")),
            );
        } else if name != "filler" {
            out.push(name);
        }
    }
    out
}

#[test]
fn a_full_or_read_only_disk_is_a_clear_error_and_leaves_no_partial_file() {
    let Some(full) = Mount::tmpfs("size=64k") else {
        return;
    };
    let Some(read_only) = Mount::tmpfs("size=64k") else {
        return;
    };
    // --ris-dir must exist: create it, then fill one disk and make the other read-only.
    std::fs::create_dir(full.path().join("ris")).unwrap();
    std::fs::create_dir(read_only.path().join("ris")).unwrap();
    fill(full.path());
    let remount = Command::new("mount")
        .args(["-o", "remount,ro"])
        .arg(read_only.path())
        .status()
        .unwrap();
    assert!(remount.success(), "remount read-only");
    let cluster = Cluster::start();
    ris052_database(&cluster, "disk");
    let work = tempfile::tempdir().unwrap();

    let cases: [(&Path, &str); 2] = [
        (full.path(), "No space left on device"),
        (read_only.path(), "Read-only file system"),
    ];
    let mut runs = 0;
    for (dir, cause) in cases {
        // The markdown report, at a path given and in the default directory.
        let report = dir.join("report.md");
        let out = check(
            &cluster,
            work.path(),
            &["--report", report.to_str().unwrap()],
        );
        runs += 1;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&report.display().to_string()) && stderr.contains(cause),
            "{stderr}"
        );
        let out = check(&cluster, dir, &[]);
        runs += 1;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("drift-reports") && stderr.contains(cause),
            "{stderr}"
        );

        // The incident draft.
        let ris = dir.join("ris");
        let out = check(
            &cluster,
            work.path(),
            &[
                "--no-report",
                "--create-ris",
                "--ris-dir",
                ris.to_str().unwrap(),
            ],
        );
        runs += 1;
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(matches!(out.status.code(), Some(2) | Some(3)), "{stderr}");
        assert!(stderr.contains(&ris.display().to_string()), "{stderr}");
        assert!(stderr.contains(cause), "{stderr}");

        let files = names(dir);
        assert!(files.is_empty(), "{cause}: left {files:?}");
    }
    eprintln!("disks: {runs} runs on a full and a read-only tmpfs: {runs} clear errors naming the path, 0 partial files");
}
