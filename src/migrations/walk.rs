//! Listing version directories and reading migration files, safe on hostile
//! trees. Which entries count is Alembic's rule (`_list_py_dir`: names
//! `(?!\.\#|__init__)(.*\.py)$` among non-directories, sorted; subdirectories
//! only when recursive, never `__pycache__`, and never through a symlink, as
//! `os.walk` does not follow them; a file reached twice through a symlink is
//! read once). Reading opens only regular files (a FIFO named `x.py` would
//! block forever; files are opened without waiting, so one swapped in
//! between the check and the open is refused too), at most
//! [`MAX_MIGRATION_BYTES`], and checks the bytes the way Python's import
//! does (UTF-8 unless declared otherwise, no NUL). Every
//! entry refused is a [`Problem`] naming it; only a version location that
//! cannot be listed is an input error. docs/graph.md, "Hostile trees".

use super::parse::problem;
use super::{MigrationsError, Problem};
use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// Largest migration file read: 10 MiB. Hand-written migrations are a few
/// KiB; the biggest data migrations seen in public projects (inline seed
/// rows) stay well under 1 MiB. A larger file is reported, never read.
pub const MAX_MIGRATION_BYTES: u64 = 10 * 1024 * 1024;

/// What the version locations hold, in Alembic's order.
#[derive(Debug, Default)]
pub struct Listing {
    /// Migration files to read (always valid UTF-8 paths).
    pub files: Vec<PathBuf>,
    /// Entries refused while listing.
    pub problems: Vec<Problem>,
    /// Directories listed, by (device, inode): each is read once.
    seen_dirs: HashSet<(u64, u64)>,
    /// Real paths of the files listed (as Alembic dedupes them) → index in `files`.
    seen_files: HashMap<PathBuf, usize>,
}

impl Listing {
    /// List one version location. `Ok(None)`: it was listed already (named
    /// twice, or inside an earlier recursive location); else how many
    /// entries had a migration file name.
    pub fn add(&mut self, root: &Path, recursive: bool) -> Result<Option<usize>, MigrationsError> {
        let io = |source| MigrationsError::Io {
            path: root.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(root).map_err(io)?;
        if !self.seen_dirs.insert((meta.dev(), meta.ino())) {
            return Ok(None);
        }
        let real_root = std::fs::canonicalize(root).map_err(io)?;
        let mut candidates = 0;
        // Depth first, each directory's files before its subdirectories, as
        // `os.walk(topdown=True)`; a stack, so no depth overflows ours.
        let mut stack = vec![(root.to_path_buf(), real_root)];
        while let Some((dir, real_dir)) = stack.pop() {
            let entries = match read_dir(&dir) {
                Ok(entries) => entries,
                Err(source) if dir == root => return Err(io(source)),
                Err(error) => {
                    self.problems.push(problem(
                        "unreadable_directory",
                        "error",
                        format!("{}: cannot list this directory ({error}); migrations under it are left out", dir.display()),
                        &dir,
                        None,
                    ));
                    continue;
                }
            };
            let mut subdirs = Vec::new();
            for entry in entries {
                let path = dir.join(&entry.name);
                let Some(name) = entry.name.to_str() else {
                    let bytes = entry.name.as_bytes();
                    if entry.is_dir && recursive || !entry.is_dir && is_migration_name(bytes) {
                        self.problems.push(non_utf8_name(&path, entry.is_dir));
                        candidates += usize::from(!entry.is_dir);
                    }
                    continue;
                };
                if entry.is_dir {
                    if !recursive || name.ends_with("__pycache__") {
                        continue;
                    }
                    if entry.is_symlink {
                        self.problems.push(symlinked_directory(&path));
                        continue;
                    }
                    match std::fs::metadata(&path) {
                        // A directory listed already (an overlapping location, a bind mount).
                        Ok(meta) if !self.seen_dirs.insert((meta.dev(), meta.ino())) => {}
                        _ => subdirs.push((path, real_dir.join(name))),
                    }
                    continue;
                }
                if !is_migration_name(name.as_bytes()) {
                    continue;
                }
                candidates += 1;
                let real = if entry.is_symlink {
                    // Dangling or looping: reading it says which.
                    std::fs::canonicalize(&path).ok()
                } else {
                    Some(real_dir.join(name))
                };
                if let Some(real) = real {
                    if let Some(&first) = self.seen_files.get(&real) {
                        self.problems.push(problem(
                            "duplicate_file",
                            "warning",
                            format!(
                                "{}: the same file as {} ({}), read once; Alembic warns \"File loaded twice! ignoring\"",
                                path.display(),
                                self.files[first].display(),
                                real.display()
                            ),
                            &path,
                            None,
                        ));
                        continue;
                    }
                    self.seen_files.insert(real, self.files.len());
                }
                self.files.push(path);
            }
            stack.extend(subdirs.into_iter().rev());
        }
        Ok(Some(candidates))
    }
}

struct Entry {
    name: std::ffi::OsString,
    /// A directory, or a symlink to one.
    is_dir: bool,
    is_symlink: bool,
}

/// One directory's entries, sorted by name (Alembic sorts its names).
fn read_dir(dir: &Path) -> std::io::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let file_type = entry.file_type()?;
        let is_symlink = file_type.is_symlink();
        let is_dir = file_type.is_dir() || (is_symlink && entry.path().is_dir());
        entries.push(Entry {
            name: entry.file_name(),
            is_dir,
            is_symlink,
        });
    }
    entries.sort_unstable_by(|a, b| a.name.cmp(&b.name));
    Ok(entries)
}

/// Alembic's `(?!\.\#|__init__)(.*\.py)$`.
fn is_migration_name(name: &[u8]) -> bool {
    name.ends_with(b".py") && !name.starts_with(b".#") && !name.starts_with(b"__init__")
}

fn non_utf8_name(path: &Path, is_dir: bool) -> Problem {
    let shown = PathBuf::from(escaped(path));
    let what = if is_dir {
        "a directory whose name is not valid UTF-8; migrations under it are left out"
    } else {
        "a file name that is not valid UTF-8; driftcheck skips it, but Alembic would load it (rename it)"
    };
    problem(
        "non_utf8_name",
        "error",
        format!("{}: {what}", shown.display()),
        &shown,
        None,
    )
}

fn symlinked_directory(link: &Path) -> Problem {
    let target = std::fs::read_link(link)
        .map(|t| format!(" (→ {})", escaped(&t)))
        .unwrap_or_default();
    problem(
        "symlinked_directory",
        "warning",
        format!(
            "{}{target}: a symlink to a directory, not followed: Alembic's recursive scan does not follow symlinks, so migrations under it are not part of the graph",
            link.display()
        ),
        link,
        None,
    )
}

/// `path` for display: bytes that are not UTF-8 as `\xNN`, control characters escaped.
pub fn escaped(path: &Path) -> String {
    let mut out = String::new();
    for chunk in path.as_os_str().as_bytes().utf8_chunks() {
        out.push_str(&printable(chunk.valid()));
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02X}"));
        }
    }
    out
}

/// `text` with control characters escaped (`\u{1b}`), safe for a terminal.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

/// A migration file's text, with problems that do not stop parsing.
pub struct Source {
    pub text: String,
    pub problems: Vec<Problem>,
}

/// Read one listed file: only a regular file (or a symlink to one), at most
/// [`MAX_MIGRATION_BYTES`]. `Err`: the file is skipped, for this reason.
pub fn read(path: &Path) -> Result<Source, Problem> {
    let skipped = |code: &str, why: String| {
        problem(
            code,
            "error",
            format!("{}: {why}", path.display()),
            path,
            None,
        )
    };
    let unreadable = |error: std::io::Error| {
        skipped(
            "unreadable_file",
            format!(
                "cannot read it ({error}); driftcheck skips it, and Alembic cannot load it either"
            ),
        )
    };
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err(skipped(
                "not_a_regular_file",
                format!(
                    "not a regular file ({}), skipped without opening it; Alembic would try to import it (and wait forever on a FIFO)",
                    kind(&meta.file_type())
                ),
            ));
        }
        if meta.len() > MAX_MIGRATION_BYTES {
            return Err(too_large(path, meta.len()));
        }
        Ok(())
    };
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let target = std::fs::read_link(path)
                .map(|t| escaped(&t))
                .unwrap_or_else(|_| "?".into());
            return Err(skipped(
                "dangling_symlink",
                format!("a symlink to {target}, which does not exist; Alembic stops with \"Can't find Python file\""),
            ));
        }
        Err(error) => return Err(unreadable(error)),
    };
    check(&meta)?;
    let mut file = open_without_waiting(path).map_err(unreadable)?;
    // The entry may have changed since: check what was opened.
    let meta = file.metadata().map_err(unreadable)?;
    check(&meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    (&mut file)
        .take(MAX_MIGRATION_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(unreadable)?;
    if bytes.len() as u64 > MAX_MIGRATION_BYTES {
        return Err(too_large(path, bytes.len() as u64));
    }
    Ok(decode(path, bytes))
}

/// Open for reading with `O_NONBLOCK`: a FIFO swapped in after the first
/// check then opens at once instead of waiting for a writer, and the check
/// of what was opened refuses it. Reading a regular file ignores the flag.
fn open_without_waiting(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
}

fn too_large(path: &Path, size: u64) -> Problem {
    problem(
        "file_too_large",
        "error",
        format!(
            "{}: {size} bytes, over driftcheck's limit of {MAX_MIGRATION_BYTES} bytes for one migration file; skipped without reading it (keep bulk data out of migrations)",
            path.display()
        ),
        path,
        None,
    )
}

fn kind(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_fifo() {
        "a FIFO"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

/// The text to parse. Python refuses NUL bytes (parsed here as spaces), and
/// bytes that are not UTF-8 unless a `coding:` line declares another encoding
/// (then the text is read lossily: ids are ASCII).
fn decode(path: &Path, bytes: Vec<u8>) -> Source {
    let mut problems = Vec::new();
    let line_at =
        |offset: usize| bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        let line = line_at(offset);
        problems.push(problem(
            "nul_byte",
            "error",
            format!("{}:{line}: a NUL byte at byte offset {offset}; Python refuses to import the file (\"source code cannot contain null bytes\")", path.display()),
            path,
            Some(line),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let bytes = error.into_bytes();
            let offset = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
            if !declares_encoding(&bytes) {
                let line = bytes[..offset].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
                problems.push(problem(
                    "non_utf8_content",
                    "error",
                    format!("{}:{line}: byte offset {offset} is not UTF-8 and no `coding:` line declares another encoding; Python refuses to import the file", path.display()),
                    path,
                    Some(line),
                ));
            }
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    // Reported once above, not again as a syntax error for each NUL.
    let text = if text.contains('\0') {
        text.replace('\0', " ")
    } else {
        text
    };
    Source { text, problems }
}

/// PEP 263: `# -*- coding: NAME -*-` on line 1 or 2, naming something other than UTF-8.
fn declares_encoding(bytes: &[u8]) -> bool {
    bytes.split(|&b| b == b'\n').take(2).any(|line| {
        let line = String::from_utf8_lossy(line);
        let Some(comment) = line.trim_start().strip_prefix('#') else {
            return false;
        };
        let Some(at) = comment.find("coding").map(|i| &comment[i + 6..]) else {
            return false;
        };
        let Some(name) = at.strip_prefix([':', '=']) else {
            return false;
        };
        let name: String = name
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect();
        !name.is_empty()
            && !matches!(
                name.to_ascii_lowercase().replace('_', "-").as_str(),
                "utf-8" | "utf8"
            )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn a_fifo_opens_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.py");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo");
        // A blocking open would never return: wait for it on another thread.
        let (sender, receiver) = std::sync::mpsc::channel();
        let path = fifo.clone();
        std::thread::spawn(move || {
            let opened = open_without_waiting(&path).and_then(|file| file.metadata());
            let _ = sender.send(opened.map(|meta| meta.file_type().is_fifo()));
        });
        let opened = receiver
            .recv_timeout(std::time::Duration::from_secs(10))
            .expect("opening a FIFO waited for a writer");
        assert!(opened.unwrap(), "what was opened is seen as a FIFO");
        // A regular file reads as usual.
        let file = dir.path().join("m.py");
        std::fs::write(&file, "x = 1\n").unwrap();
        let mut text = String::new();
        open_without_waiting(&file)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "x = 1\n");
    }

    #[test]
    fn escaped_shows_bad_bytes_and_control_characters() {
        let path = Path::new(OsStr::from_bytes(b"v/a\xff\x1bb.py"));
        assert_eq!(escaped(path), "v/a\\xFF\\u{1b}b.py");
    }

    #[test]
    fn decode_names_offset_and_line() {
        let source = decode(Path::new("m.py"), b"x = 1\ny = '\xe9'\n".to_vec());
        assert_eq!(source.problems.len(), 1);
        let p = &source.problems[0];
        assert_eq!((p.code.as_str(), p.line), ("non_utf8_content", Some(2)));
        assert!(p.message.contains("byte offset 11"), "{}", p.message);
        assert!(source.text.contains("y = '\u{fffd}'"));

        let latin = decode(
            Path::new("m.py"),
            b"# -*- coding: latin-1 -*-\ny = '\xe9'\n".to_vec(),
        );
        assert!(latin.problems.is_empty());
        let utf8_declared = decode(Path::new("m.py"), b"# coding=utf-8\ny = '\xe9'\n".to_vec());
        assert_eq!(utf8_declared.problems[0].code, "non_utf8_content");

        let nul = decode(Path::new("m.py"), b"a = 1\n\nb = 2\0\n".to_vec());
        assert_eq!(nul.problems[0].code, "nul_byte");
        assert_eq!(nul.problems[0].line, Some(3));
        assert!(nul.problems[0].message.contains("byte offset 12"));
    }

    #[test]
    fn migration_names_follow_alembic() {
        assert!(is_migration_name(b"abc_x.py"));
        assert!(!is_migration_name(b"__init__.py"));
        assert!(!is_migration_name(b".#abc.py"));
        assert!(!is_migration_name(b"abc.pyc"));
    }
}
