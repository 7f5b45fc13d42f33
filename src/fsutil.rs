//! Writing files without ever losing one: atomic (temp file + link/rename in
//! the same directory) and never over an existing file. Temporary files in
//! flight are registered, so that a signal ending the process removes them
//! ([`remove_in_flight`], called by `signals`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{path} already exists; driftcheck never overwrites a file (choose another path or move the old one)")]
    Exists { path: PathBuf },
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Paths of the temporary files this process is writing. Held while a temp
/// file is created or linked into place, so that a signal handler taking it
/// sees either the temp file (and removes it) or the finished file, never
/// something in between.
static IN_FLIGHT: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn in_flight() -> MutexGuard<'static, Vec<PathBuf>> {
    IN_FLIGHT.lock().unwrap_or_else(|p| p.into_inner())
}

/// Remove every temporary file still being written and keep others from
/// starting: the returned guard holds the registry until the process exits.
/// Returns how many were removed.
pub fn remove_in_flight() -> (usize, MutexGuard<'static, Vec<PathBuf>>) {
    let mut registry = in_flight();
    let removed = registry
        .drain(..)
        .filter(|path| std::fs::remove_file(path).is_ok())
        .count();
    (removed, registry)
}

/// A temporary file in the directory of its final name, registered until it
/// is linked into place or dropped (which deletes it).
pub struct TempFile {
    file: Option<tempfile::NamedTempFile>,
}

impl TempFile {
    /// `dir/<prefix>XXXXXX.tmp`, created and registered atomically.
    pub fn new_in(dir: &Path, prefix: &str) -> std::io::Result<TempFile> {
        let mut registry = in_flight();
        let file = tempfile::Builder::new()
            .prefix(prefix)
            .suffix(".tmp")
            .tempfile_in(dir)?;
        registry.push(file.path().to_path_buf());
        Ok(TempFile { file: Some(file) })
    }

    /// Write everything and sync it to disk.
    pub fn write_synced(&mut self, contents: &[u8]) -> std::io::Result<()> {
        let file = self.file.as_mut().expect("a live temp file");
        file.write_all(contents)?;
        file.as_file().sync_all()
    }

    /// Link into place as `target`, failing with `AlreadyExists` when it is taken.
    /// On failure the temp file is deleted.
    pub fn persist_noclobber(mut self, target: &Path) -> std::io::Result<()> {
        let file = self.file.take().expect("a live temp file");
        let mut registry = in_flight();
        let temp = file.path().to_path_buf();
        let result = file
            .persist_noclobber(target)
            .map(drop)
            .map_err(|e| e.error);
        registry.retain(|p| *p != temp);
        result
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            let mut registry = in_flight();
            registry.retain(|p| p != file.path());
            drop(file); // deletes it
        }
    }
}

/// Create `path` with `contents`, atomically, failing with [`WriteError::Exists`]
/// when it already exists. Missing parent directories are created. A reader never
/// sees a half-written file: the data is written and synced to a temporary file in
/// the same directory, then linked into place with a no-clobber rename.
pub fn write_new(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let io = |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.exists() {
        return Err(WriteError::Exists {
            path: path.to_path_buf(),
        });
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(io)?;
    let mut temp = TempFile::new_in(&dir, ".driftcheck-").map_err(io)?;
    temp.write_synced(contents).map_err(io)?;
    temp.persist_noclobber(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            WriteError::Exists {
                path: path.to_path_buf(),
            }
        } else {
            io(e)
        }
    })
}

/// Write `text` to standard output (see [`write_stdout`]).
pub fn to_stdout(text: &str) {
    write_stdout(|out| out.write_all(text.as_bytes()));
}

/// Write to standard output with `write`. A reader that stopped early
/// (`| head`) is not an error: the rest is dropped quietly, as other Unix
/// tools do, where `print!` would panic. Any other failure is said once on
/// stderr; the run's exit code stays its own.
pub fn write_stdout(write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>) {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("driftcheck: cannot write to standard output: {e}");
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<std::ffi::OsString> {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn writes_a_new_file_and_refuses_to_overwrite_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/report.md");
        write_new(&path, b"first").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        let err = write_new(&path, b"second").unwrap_err();
        assert!(matches!(err, WriteError::Exists { .. }), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), b"first");
        // No temporary file is left behind.
        assert_eq!(names(path.parent().unwrap()), ["report.md"]);
    }

    #[test]
    fn temp_files_in_flight_are_registered_until_linked_or_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let registered = |p: &Path| in_flight().iter().any(|x| x.starts_with(p));
        let mut linked = TempFile::new_in(dir.path(), ".t-").unwrap();
        let dropped = TempFile::new_in(dir.path(), ".t-").unwrap();
        assert!(registered(dir.path()));
        linked.write_synced(b"x").unwrap();
        linked.persist_noclobber(&dir.path().join("a")).unwrap();
        drop(dropped);
        assert!(!registered(dir.path()));
        assert_eq!(names(dir.path()), ["a"]);
    }
}
