//! From parsed files to the revision graph, the way Alembic's `RevisionMap`
//! sees it: duplicates, branch labels, edges (down_revision and depends_on),
//! heads, real heads, bases, topological order, and the defects in between.

use super::parse::ParsedFile;
use super::{Codebase, Problem, Revision};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap};
use std::path::{Path, PathBuf};

/// Build the codebase from parsed files (sorted by path) and earlier problems.
pub fn build(dirs: Vec<PathBuf>, files: Vec<ParsedFile>, mut problems: Vec<Problem>) -> Codebase {
    // Sized up front: growing them moves every revision again (10,000 here).
    let mut revisions: Vec<Revision> = Vec::with_capacity(files.len());
    // Per revision: (down_revision line, depends_on line, revision line).
    let mut lines: Vec<(Option<u32>, Option<u32>, Option<u32>)> = Vec::with_capacity(files.len());
    let mut index: HashMap<String, usize> = HashMap::with_capacity(files.len());
    for file in files {
        problems.extend(file.problems.iter().cloned());
        let Some(revision) = file.revision.clone() else {
            continue;
        };
        let (aliases, mismatch) = file_aliases(
            &file.path,
            &revision.value,
            file.header_revision_id.as_deref(),
        );
        if let Some(token) = mismatch {
            problems.push(Problem {
                code: "filename_mismatch".into(),
                severity: "warning".into(),
                message: format!(
                    "{}: the file name starts with revision id {token:?} but the file declares revision {:?}; the file name is kept as an alias",
                    file.path.display(),
                    revision.value
                ),
                file: Some(file.path.clone()),
                line: revision.line,
            });
        }
        let line_info = (
            file.down_revisions.line,
            file.depends_on.line,
            revision.line,
        );
        let entry = Revision {
            revision: revision.value.clone(),
            down_revisions: file.down_revisions.value,
            depends_on: file.depends_on.value,
            branch_labels: file.branch_labels.value,
            file: file.path,
            aliases,
            create_date: file.create_date,
            message: file.message,
        };
        if let Some(&earlier) = index.get(&revision.value) {
            // Alembic's map keeps the file it reads last (same order as ours).
            let ignored = &revisions[earlier];
            problems.push(Problem {
                code: "duplicate_revision".into(),
                severity: "error".into(),
                message: format!(
                    "revision {:?} is declared twice: in {} and in {}; Alembic uses the latter and ignores this file",
                    revision.value,
                    ignored.file.display(),
                    entry.file.display()
                ),
                file: Some(ignored.file.clone()),
                line: lines[earlier].2,
            });
            revisions[earlier] = entry;
            lines[earlier] = line_info;
            continue;
        }
        index.insert(revision.value.clone(), revisions.len());
        lines.push(line_info);
        revisions.push(entry);
    }

    // Branch labels name revisions; depends_on (and, in Alembic's map, any
    // reference) may use them.
    let mut labels: HashMap<String, usize> = HashMap::new();
    for (i, rev) in revisions.iter().enumerate() {
        for label in &rev.branch_labels {
            if let Some(&other) = labels.get(label) {
                problems.push(Problem {
                    code: "duplicate_branch_label".into(),
                    severity: "error".into(),
                    message: format!(
                        "branch label {label:?} of {} is already used by {} ({})",
                        rev.revision,
                        revisions[other].revision,
                        revisions[other].file.display()
                    ),
                    file: Some(rev.file.clone()),
                    line: lines[i].2,
                });
            } else {
                labels.insert(label.clone(), i);
            }
        }
    }
    let resolve = |ident: &str| index.get(ident).or_else(|| labels.get(ident)).copied();

    // parents[i]: (down edges, dependency edges) as indices.
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); revisions.len()];
    let mut deps: Vec<Vec<usize>> = vec![Vec::new(); revisions.len()];
    for (i, rev) in revisions.iter().enumerate() {
        for (list, targets, line, what) in [
            (
                &rev.down_revisions,
                &mut down[i],
                lines[i].0,
                "down_revision",
            ),
            (&rev.depends_on, &mut deps[i], lines[i].1, "depends_on"),
        ] {
            for ident in list {
                match resolve(ident) {
                    Some(parent) => {
                        if !targets.contains(&parent) {
                            targets.push(parent)
                        }
                    }
                    None => problems.push(Problem {
                        code: "missing_parent".into(),
                        severity: "error".into(),
                        message: format!(
                            "{}:{}: revision {} names {what} {ident:?}, which no migration file declares",
                            rev.file.display(),
                            line.unwrap_or(0),
                            rev.revision
                        ),
                        file: Some(rev.file.clone()),
                        line,
                    }),
                }
            }
        }
    }

    let n = revisions.len();
    let mut down_target = vec![false; n];
    let mut any_target = vec![false; n];
    for i in 0..n {
        for &p in &down[i] {
            down_target[p] = true;
            any_target[p] = true;
        }
        for &p in &deps[i] {
            any_target[p] = true;
        }
    }

    let (order, cyclic) = topological(&revisions, &down, &deps);
    if !cyclic.is_empty() {
        let first = cyclic[0];
        let members: Vec<&str> = cyclic
            .iter()
            .map(|&i| revisions[i].revision.as_str())
            .collect();
        let line = lines[first].0.or(lines[first].1);
        problems.push(Problem {
            code: "cycle".into(),
            severity: "error".into(),
            message: format!(
                "revisions {} form a cycle through down_revision/depends_on; Alembic refuses to load them",
                members.join(", ")
            ),
            file: Some(revisions[first].file.clone()),
            line,
        });
    }

    let pick = |keep: &dyn Fn(usize) -> bool| -> Vec<String> {
        order
            .iter()
            .copied()
            .filter(|&i| keep(i))
            .map(|i| revisions[i].revision.clone())
            .collect()
    };
    let heads = pick(&|i| !any_target[i]);
    let branch_heads = pick(&|i| !down_target[i]);
    let bases = pick(&|i| revisions[i].down_revisions.is_empty());

    if heads.len() > 1 {
        let where_: Vec<String> = heads
            .iter()
            .map(|h| format!("{h} ({})", revisions[index[h]].file.display()))
            .collect();
        let last = index[heads.last().expect("several heads")];
        problems.push(Problem {
            code: "multiple_heads".into(),
            severity: "error".into(),
            message: format!(
                "{} heads: {}; `alembic upgrade head` refuses to run until they are merged (`alembic merge heads`)",
                heads.len(),
                where_.join(", ")
            ),
            file: Some(revisions[last].file.clone()),
            line: lines[last].2,
        });
    }

    // Store revisions in upgrade order: callers iterate them that way.
    let mut slots: Vec<Option<Revision>> = revisions.into_iter().map(Some).collect();
    let mut ordered: Vec<Revision> = order
        .iter()
        .chain(cyclic.iter())
        .map(|&i| slots[i].take().expect("each revision once"))
        .collect();
    ordered.extend(slots.into_iter().flatten());

    problems.sort_by(|a, b| {
        (a.file.as_deref(), a.line, &a.code).cmp(&(b.file.as_deref(), b.line, &b.code))
    });
    Codebase {
        migration_dirs: dirs,
        heads,
        branch_heads,
        bases,
        revisions: ordered,
        problems,
    }
}

/// Kahn's algorithm, parents first; ties broken by revision id so the order
/// is deterministic. Returns (order, revisions on a cycle). Revisions that
/// only descend from a cycle are neither (they are appended by the caller).
fn topological(
    revisions: &[Revision],
    down: &[Vec<usize>],
    deps: &[Vec<usize>],
) -> (Vec<usize>, Vec<usize>) {
    let n = revisions.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut pending_parents = vec![0usize; n];
    for i in 0..n {
        for &p in down[i].iter().chain(deps[i].iter()) {
            children[p].push(i);
            pending_parents[i] += 1;
        }
    }
    let mut ready: BinaryHeap<Reverse<(&str, usize)>> = (0..n)
        .filter(|&i| pending_parents[i] == 0)
        .map(|i| Reverse((revisions[i].revision.as_str(), i)))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse((_, i))) = ready.pop() {
        order.push(i);
        for &c in &children[i] {
            pending_parents[c] -= 1;
            if pending_parents[c] == 0 {
                ready.push(Reverse((revisions[c].revision.as_str(), c)));
            }
        }
    }
    if order.len() == n {
        return (order, Vec::new());
    }
    // Left over: cycles and their descendants. Peel off descendants (nodes
    // with no remaining children) until only cycle members remain.
    let mut left: BTreeSet<usize> = (0..n).filter(|&i| pending_parents[i] > 0).collect();
    loop {
        let leaves: Vec<usize> = left
            .iter()
            .copied()
            .filter(|&i| !children[i].iter().any(|c| left.contains(c)))
            .collect();
        if leaves.is_empty() {
            break;
        }
        for leaf in leaves {
            left.remove(&leaf);
        }
    }
    let mut cyclic: Vec<usize> = left.into_iter().collect();
    cyclic.sort_by(|&a, &b| revisions[a].revision.cmp(&revisions[b].revision));
    (order, cyclic)
}

fn is_hex12(token: &str) -> bool {
    token.len() == 12
        && token
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// Ids a file carries besides its `revision`: 12-hex tokens in its name and
/// the `Revision ID:` header. Also returns the leading id-like token of the
/// name when the name contradicts the revision (`filename_mismatch`).
pub fn file_aliases(
    path: &Path,
    revision: &str,
    header_id: Option<&str>,
) -> (Vec<String>, Option<String>) {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    let tokens: Vec<&str> = stem.split('_').collect();
    let mut aliases: BTreeSet<String> = tokens
        .iter()
        .filter(|t| is_hex12(t) && **t != revision)
        .map(|t| t.to_string())
        .collect();
    if let Some(id) = header_id {
        if id != revision && !id.contains(char::is_whitespace) {
            aliases.insert(id.to_string());
        }
    }
    // The id-like token a name starts with: a 12-hex token, possibly after a
    // `<date>_<time>_` prefix of digit tokens.
    let leading = tokens
        .iter()
        .find(|t| !t.bytes().all(|b| b.is_ascii_digit()) || t.is_empty())
        .filter(|t| is_hex12(t));
    let named_for_revision =
        stem == revision || stem.starts_with(&format!("{revision}_")) || tokens.contains(&revision);
    let mismatch = match leading {
        Some(token) if !named_for_revision => Some(token.to_string()),
        _ => None,
    };
    (aliases.into_iter().collect(), mismatch)
}

/// Index of revisions by id, for the query methods.
pub fn by_id(codebase: &Codebase) -> HashMap<&str, &Revision> {
    codebase
        .revisions
        .iter()
        .map(|r| (r.revision.as_str(), r))
        .collect()
}

/// Every revision reachable from `starts` (included) through down_revisions and depends_on.
pub fn closure(codebase: &Codebase, starts: &[&str]) -> BTreeSet<String> {
    let ids = by_id(codebase);
    let labels: BTreeMap<&str, &str> = codebase
        .revisions
        .iter()
        .flat_map(|r| {
            r.branch_labels
                .iter()
                .map(move |l| (l.as_str(), r.revision.as_str()))
        })
        .collect();
    let find = |ident: &str| -> Option<&Revision> {
        ids.get(ident)
            .copied()
            .or_else(|| labels.get(ident).and_then(|id| ids.get(id).copied()))
    };
    let mut seen = BTreeSet::new();
    let mut stack: Vec<&Revision> = starts.iter().filter_map(|s| find(s)).collect();
    while let Some(rev) = stack.pop() {
        if !seen.insert(rev.revision.clone()) {
            continue;
        }
        for parent in rev.down_revisions.iter().chain(rev.depends_on.iter()) {
            if let Some(p) = find(parent) {
                if !seen.contains(&p.revision) {
                    stack.push(p);
                }
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrations::parse::Declared;

    fn file(rev: &str, down: &[&str], deps: &[&str], labels: &[&str]) -> ParsedFile {
        let v = |xs: &[&str]| Declared {
            value: xs.iter().map(|s| s.to_string()).collect(),
            line: Some(2),
        };
        ParsedFile {
            path: PathBuf::from(format!("v/{rev}_x.py")),
            revision: Some(Declared {
                value: rev.into(),
                line: Some(1),
            }),
            assigns_revision: true,
            down_revisions: v(down),
            depends_on: v(deps),
            branch_labels: v(labels),
            ..ParsedFile::default()
        }
    }

    fn codes(c: &Codebase) -> Vec<&str> {
        c.problems.iter().map(|p| p.code.as_str()).collect()
    }

    #[test]
    fn depends_on_makes_real_heads_differ_from_branch_heads() {
        let c = build(
            vec![],
            vec![
                file("a", &[], &[], &[]),
                file("b", &["a"], &[], &[]),
                file("c", &["a"], &[], &[]),
                file("d", &["b"], &["c"], &[]),
            ],
            vec![],
        );
        assert_eq!(c.heads, ["d"]);
        assert_eq!(c.branch_heads, ["c", "d"]);
        assert_eq!(c.bases, ["a"]);
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let order: Vec<_> = c
            .upgrade_order()
            .iter()
            .map(|r| r.revision.as_str())
            .collect();
        assert_eq!(order, ["a", "b", "c", "d"]);
        assert_eq!(c.branch_points().len(), 1);
    }

    #[test]
    fn depends_on_a_branch_label() {
        let c = build(
            vec![],
            vec![
                file("a", &[], &[], &["data"]),
                file("b", &[], &[], &["schema"]),
                file("c", &["b"], &["data"], &[]),
            ],
            vec![],
        );
        assert_eq!(c.heads, ["c"]);
        assert_eq!(c.branch_heads, ["a", "c"]);
        assert!(c.problems.is_empty());
        assert_eq!(
            c.ancestors("c").into_iter().collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
    }

    #[test]
    fn two_heads_is_an_error() {
        let c = build(
            vec![],
            vec![
                file("a", &[], &[], &[]),
                file("b", &["a"], &[], &[]),
                file("c", &["a"], &[], &[]),
            ],
            vec![],
        );
        assert_eq!(c.heads, ["b", "c"]);
        assert_eq!(codes(&c), ["multiple_heads"]);
        assert!(c.has_errors());
    }

    #[test]
    fn merge_resolves_heads() {
        let c = build(
            vec![],
            vec![
                file("a", &[], &[], &[]),
                file("b", &["a"], &[], &[]),
                file("c", &["a"], &[], &[]),
                file("m", &["b", "c"], &[], &[]),
            ],
            vec![],
        );
        assert_eq!(c.heads, ["m"]);
        assert_eq!(c.merge_points().len(), 1);
        let pending: Vec<_> = c
            .pending(&["b".into()])
            .iter()
            .map(|r| r.revision.as_str())
            .collect();
        assert_eq!(pending, ["c", "m"]);
        assert!(c.pending(&["m".into()]).is_empty());
    }

    #[test]
    fn cycle_and_missing_parent() {
        let c = build(
            vec![],
            vec![
                file("a", &["c"], &[], &[]),
                file("b", &["a"], &[], &[]),
                file("c", &["b"], &[], &[]),
                file("d", &["c"], &[], &[]),
            ],
            vec![],
        );
        let cycle = c.problems.iter().find(|p| p.code == "cycle").unwrap();
        // d only descends from the cycle: it is not named as a member.
        assert!(
            cycle.message.starts_with("revisions a, b, c form"),
            "{}",
            cycle.message
        );
        assert_eq!(c.revisions.len(), 4);

        let c = build(vec![], vec![file("b", &["gone"], &[], &[])], vec![]);
        assert_eq!(codes(&c), ["missing_parent"]);
        assert_eq!(c.problems[0].line, Some(2));
    }

    #[test]
    fn duplicates_keep_the_last_like_alembic() {
        let mut second = file("a", &[], &[], &[]);
        second.path = PathBuf::from("v/zz.py");
        let c = build(vec![], vec![file("a", &[], &[], &[]), second], vec![]);
        assert_eq!(codes(&c), ["duplicate_revision"]);
        assert_eq!(c.problems[0].file.as_deref(), Some(Path::new("v/a_x.py")));
        assert_eq!(c.revisions.len(), 1);
        assert_eq!(c.revisions[0].file, Path::new("v/zz.py"));
    }

    #[test]
    fn aliases_and_filename_mismatch() {
        let p = Path::new("v/20251230_1643_394c8c3cbf42_merge_batch_id_and_audit_index_.py");
        assert_eq!(
            file_aliases(p, "20251230_1643", Some("394c8c3cbf42")),
            (vec!["394c8c3cbf42".to_string()], None)
        );
        assert_eq!(
            file_aliases(Path::new("v/31337ec0ffee_flavors.py"), "313373c0ffee", None),
            (
                vec!["31337ec0ffee".to_string()],
                Some("31337ec0ffee".to_string())
            )
        );
        assert_eq!(
            file_aliases(
                Path::new("v/a1b2c3d4e5f6_init.py"),
                "a1b2c3d4e5f6",
                Some("a1b2c3d4e5f6")
            ),
            (vec![], None)
        );
        assert_eq!(
            file_aliases(
                Path::new("v/20240101_0900_a1b2c3d4e5f6_x.py"),
                "a1b2c3d4e5f6",
                None
            ),
            (vec![], None)
        );
        assert_eq!(
            file_aliases(Path::new("v/0001_initial.py"), "abc", None),
            (vec![], None)
        );
        // The header id alone is an alias, not a mismatch.
        assert_eq!(
            file_aliases(Path::new("v/x.py"), "r2", Some("r1")),
            (vec!["r1".to_string()], None)
        );
    }

    #[test]
    fn lookups_and_json_shape() {
        let mut merge = file("20251230_1643", &["a"], &[], &[]);
        merge.path = PathBuf::from("v/20251230_1643_394c8c3cbf42_merge.py");
        merge.header_revision_id = Some("394c8c3cbf42".into());
        let c = build(
            vec![PathBuf::from("v")],
            vec![file("a", &[], &[], &[]), merge],
            vec![],
        );
        assert_eq!(
            c.find_by_alias("394c8c3cbf42").unwrap().revision,
            "20251230_1643"
        );
        assert!(c.find_by_alias("20251230_1643").is_none());
        assert_eq!(c.get("a").unwrap().revision, "a");
        assert_eq!(c.prefix_matches("2025").len(), 1);
        assert!(c.prefix_matches("").is_empty());
        let json = c.codebase_json();
        assert_eq!(json["revisions"], 2);
        assert_eq!(json["heads"], serde_json::json!(["20251230_1643"]));
        let graph = c.graph_json();
        assert_eq!(
            graph["revisions_list"][1]["aliases"],
            serde_json::json!(["394c8c3cbf42"])
        );
        assert_eq!(graph["revisions_list"][0]["revision"], "a");
    }

    #[test]
    fn pending_follows_depends_on() {
        let c = build(
            vec![],
            vec![
                file("a", &[], &[], &[]),
                file("b", &["a"], &[], &[]),
                file("c", &["a"], &[], &[]),
                file("d", &["b"], &["c"], &[]),
            ],
            vec![],
        );
        let ids = |revs: Vec<&Revision>| -> Vec<String> {
            revs.iter().map(|r| r.revision.clone()).collect()
        };
        assert_eq!(ids(c.pending(&[])), ["a", "b", "c", "d"]);
        assert_eq!(ids(c.pending(&["b".into()])), ["c", "d"]);
        assert_eq!(ids(c.pending(&["b".into(), "c".into()])), ["d"]);
        assert!(c.pending(&["d".into()]).is_empty());
    }
}
