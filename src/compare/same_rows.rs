//! Rows that are the same on both sides never become items. At 5,000 tables
//! nearly every catalog row is identical on the two databases, and building
//! their items (normal forms, display text) was most of the diff's time and
//! memory. Items come from their row alone (and the options), so two equal
//! rows under one name give two equal items: nothing to report.
//!
//! Rows are grouped by the name their item gets (the same text `key()`
//! builds, compared without building it). A name is dropped only when each
//! side has exactly one row under it and the rows are equal; anything else
//! (a name on one side, several rows under one name) goes to the item diff
//! unchanged, so the result is the same as diffing every row.

use std::cmp::Ordering;

use crate::schema::Snapshot;

/// An item name as the pieces `key()` joins (`schema`, `.`, `table`, ...),
/// compared as the joined text. Unused pieces are empty.
type Name<'a> = [&'a str; 6];

/// Compare two names as their joined texts, without joining them.
fn cmp_joined(a: &Name, b: &Name) -> Ordering {
    let (mut a_piece, mut a_at, mut b_piece, mut b_at) = (0, 0, 0, 0);
    loop {
        while a_piece < a.len() && a_at == a[a_piece].len() {
            (a_piece, a_at) = (a_piece + 1, 0);
        }
        while b_piece < b.len() && b_at == b[b_piece].len() {
            (b_piece, b_at) = (b_piece + 1, 0);
        }
        let (x, y) = match (a.get(a_piece), b.get(b_piece)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => (&x.as_bytes()[a_at..], &y.as_bytes()[b_at..]),
        };
        let n = x.len().min(y.len());
        match x[..n].cmp(&y[..n]) {
            Ordering::Equal => (a_at, b_at) = (a_at + n, b_at + n),
            other => return other,
        }
    }
}

/// The rows of each side not matched by one equal row under the same name
/// on the other side, in name order (rows under one name in their order).
///
/// `pieces` gives a row's name as the pieces `key()` joins (separators left
/// out), `joined` the full name. When no piece but the last holds its
/// separator, two names are equal exactly when their pieces are, and rows
/// are matched in piece order, which the snapshot's sort mostly already
/// has; otherwise (`a.b` . `c` against `a` . `b.c`) by the joined text.
fn unmatched<'a, T: PartialEq + Clone>(
    local: &'a [T],
    production: &'a [T],
    pieces: impl Fn(&'a T) -> [&'a str; 3],
    joined: impl Fn(&'a T) -> Name<'a>,
) -> (Vec<T>, Vec<T>) {
    let ambiguous = |rows: &'a [T]| {
        rows.iter().any(|row| {
            let [first, second, _] = pieces(row);
            // Bytes, not a `char` pattern: this runs over every row.
            let separator = |piece: &str| piece.bytes().any(|b| b == b'.' || b == b'(');
            separator(first) || separator(second)
        })
    };
    if ambiguous(local) || ambiguous(production) {
        return matched_by(
            local,
            production,
            |a, b| cmp_joined(&joined(a), &joined(b)),
            |_| {},
        );
    }
    matched_by(
        local,
        production,
        |a, b| pieces(a).cmp(&pieces(b)),
        |rows| sort_within_parents(rows, &pieces),
    )
}

/// Sort each run of rows with one parent (the first two pieces) by the last
/// piece. Columns come sorted by table and position: this leaves them sorted
/// by name with short sorts of one table each, where one sort of them all
/// costs a random memory access per comparison.
fn sort_within_parents<'a, T>(rows: &mut [&'a T], pieces: &impl Fn(&'a T) -> [&'a str; 3]) {
    let mut start = 0;
    while start < rows.len() {
        let parent = &pieces(rows[start])[..2];
        let end = start
            + rows[start..]
                .iter()
                .take_while(|row| &pieces(row)[..2] == parent)
                .count();
        rows[start..end].sort_by(|a, b| pieces(a)[2].cmp(pieces(b)[2]));
        start = end;
    }
}

/// [`unmatched`] with one way of ordering rows by name. Rows are held by
/// reference only and names are read from them as they are compared: a
/// vector of names beside them cost 56 bytes a row, while both snapshots
/// are alive (the check's peak of memory).
fn matched_by<'a, T: PartialEq + Clone>(
    local: &'a [T],
    production: &'a [T],
    cmp: impl Fn(&'a T, &'a T) -> Ordering,
    presort: impl Fn(&mut [&'a T]),
) -> (Vec<T>, Vec<T>) {
    let by_name = |rows: &'a [T]| {
        let mut rows: Vec<&'a T> = rows.iter().collect();
        let sorted = |rows: &[&'a T]| rows.is_sorted_by(|a, b| cmp(a, b) != Ordering::Greater);
        if !sorted(&rows) {
            presort(&mut rows);
            if !sorted(&rows) {
                rows.sort_by(|a, b| cmp(a, b));
            }
        }
        rows
    };
    let (l, p) = (by_name(local), by_name(production));
    let (mut kept_local, mut kept_production) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    // The end of the run of rows sharing the name at `start`.
    let run_end = |rows: &[&'a T], start: usize| {
        let mut end = start + 1;
        while end < rows.len() && cmp(rows[end], rows[start]) == Ordering::Equal {
            end += 1;
        }
        end
    };
    while i < l.len() || j < p.len() {
        let order = match (l.get(i), p.get(j)) {
            (Some(a), Some(b)) => cmp(a, b),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        let (l_end, p_end) = match order {
            Ordering::Less => (run_end(&l, i), j),
            Ordering::Greater => (i, run_end(&p, j)),
            Ordering::Equal => (run_end(&l, i), run_end(&p, j)),
        };
        let same = l_end - i == 1 && p_end - j == 1 && l[i] == p[j];
        if !same {
            kept_local.extend(l[i..l_end].iter().map(|row| (*row).clone()));
            kept_production.extend(p[j..p_end].iter().map(|row| (*row).clone()));
        }
        (i, j) = (l_end, p_end);
    }
    (kept_local, kept_production)
}

/// Copies of both snapshots holding only the rows that differ (every row of
/// the kinds items do not come from row by row, such as comments, and the
/// version table). `None` when `COMMENT ON` text is compared and differs:
/// comments join other rows' items, so rows then cannot be judged alone.
pub(super) fn differing_rows(
    local: &Snapshot,
    production: &Snapshot,
    include_comments: bool,
) -> Option<(Snapshot, Snapshot)> {
    if include_comments && local.comments != production.comments {
        return None;
    }
    let (mut l, mut p) = (shell(local), shell(production));
    // The name pieces of each kind, joined with `.` as `key()` joins them
    // (functions: `schema.name(arguments)`).
    macro_rules! keep {
        ($field:ident, [$($piece:ident),+]) => {
            keep!($field, [$($piece),+], |r| dotted([$(r.$piece.as_str()),+]))
        };
        ($field:ident, [$($piece:ident),+], $joined:expr) => {
            (l.$field, p.$field) = unmatched(
                &local.$field,
                &production.$field,
                |r| pieces([$(r.$piece.as_str()),+]),
                $joined,
            )
        };
    }
    keep!(schemas, [name]);
    keep!(tables, [schema, name]);
    keep!(columns, [schema, table, name]);
    keep!(constraints, [schema, table, name]);
    keep!(indexes, [schema, name]);
    keep!(sequences, [schema, name]);
    keep!(views, [schema, name]);
    keep!(enums, [schema, name]);
    keep!(domains, [schema, name]);
    keep!(functions, [schema, name, arguments], |r| [
        &r.schema,
        ".",
        &r.name,
        "(",
        &r.arguments,
        ")"
    ]);
    keep!(triggers, [schema, table, name]);
    keep!(extensions, [name]);
    keep!(policies, [schema, table, name]);
    keep!(types, [schema, name]);
    keep!(rules, [schema, table, name]);
    keep!(event_triggers, [name]);
    Some((l, p))
}

/// A name of one, two or three pieces as three (unused ones empty, at the end).
fn pieces<const N: usize>(given: [&str; N]) -> [&str; 3] {
    let mut all = ["", "", ""];
    all[3 - N..].copy_from_slice(&given);
    all
}

/// A name of one, two or three pieces joined with `.`, as [`Name`].
fn dotted<const N: usize>(given: [&str; N]) -> Name<'_> {
    let mut name = [""; 6];
    for (i, piece) in given.into_iter().enumerate() {
        if i > 0 {
            name[2 * i - 1] = ".";
        }
        name[2 * i] = piece;
    }
    name
}

/// A snapshot with its header and comments but no object rows.
fn shell(snapshot: &Snapshot) -> Snapshot {
    Snapshot {
        format: snapshot.format,
        server_version: snapshot.server_version.clone(),
        database: snapshot.database.clone(),
        taken_at: snapshot.taken_at.clone(),
        version_table: snapshot.version_table.clone(),
        comments: snapshot.comments.clone(),
        visibility: snapshot.visibility.clone(),
        ..Snapshot::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(name: &Name) -> String {
        name.concat()
    }

    #[test]
    fn dotted_names_join_as_key_does() {
        assert_eq!(joined(&dotted(["s"])), "s");
        assert_eq!(joined(&dotted(["s", "t"])), "s.t");
        assert_eq!(joined(&dotted(["s", "t", "c"])), "s.t.c");
        let column = crate::schema::Column {
            schema: "public".into(),
            table: "users".into(),
            name: "email".into(),
            ..Default::default()
        };
        assert_eq!(
            joined(&dotted([&column.schema, &column.table, &column.name])),
            column.key()
        );
    }

    #[test]
    fn names_compare_as_their_joined_text() {
        let names: Vec<Name> = vec![
            ["a", ".", "b", "", "", ""],
            ["a.b", "", "", "", "", ""],
            ["a", ".", "b.c", "", "", ""],
            ["a", ".", "b", ".", "c", ""],
            ["", "", "", "", "", ""],
            ["ab", "", "", "", "", ""],
            ["a", "", "", "", "", ""],
            ["a", ".", "", "", "", "x"],
            ["f", ".", "g", "(", "int", ")"],
            ["f.g(", "", "", "", "int)", ""],
        ];
        for a in &names {
            for b in &names {
                assert_eq!(
                    cmp_joined(a, b),
                    joined(a).cmp(&joined(b)),
                    "{a:?} against {b:?}"
                );
            }
        }
    }

    #[derive(Debug, Clone, PartialEq, PartialOrd)]
    struct Row(&'static str, &'static str, u8);

    /// What [`unmatched`] must return, sorted: every row, grouped by its
    /// joined name, less the names with one equal row on each side.
    fn reference(local: &[Row], production: &[Row]) -> (Vec<Row>, Vec<Row>) {
        use std::collections::BTreeMap;
        let group = |rows: &[Row]| {
            let mut by_name: BTreeMap<String, Vec<Row>> = BTreeMap::new();
            for row in rows {
                by_name
                    .entry(format!("{}.{}", row.0, row.1))
                    .or_default()
                    .push(row.clone());
            }
            by_name
        };
        let (l, p) = (group(local), group(production));
        let (mut kept_l, mut kept_p) = (Vec::new(), Vec::new());
        for name in l
            .keys()
            .chain(p.keys())
            .collect::<std::collections::BTreeSet<_>>()
        {
            let (a, b) = (
                l.get(name).cloned().unwrap_or_default(),
                p.get(name).cloned().unwrap_or_default(),
            );
            if !(a.len() == 1 && b.len() == 1 && a == b) {
                kept_l.extend(a);
                kept_p.extend(b);
            }
        }
        (kept_l, kept_p)
    }

    fn sorted(mut rows: Vec<Row>) -> Vec<Row> {
        rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
        rows
    }

    fn check(local: &[Row], production: &[Row]) -> (Vec<Row>, Vec<Row>) {
        let (l, p) = unmatched(
            local,
            production,
            |r| pieces([r.0, r.1]),
            |r| [r.0, ".", r.1, "", "", ""],
        );
        let (want_l, want_p) = reference(local, production);
        assert_eq!(
            sorted(l.clone()),
            sorted(want_l),
            "local of {local:?} / {production:?}"
        );
        assert_eq!(
            sorted(p.clone()),
            sorted(want_p),
            "production of {local:?} / {production:?}"
        );
        (l, p)
    }

    #[test]
    fn only_a_single_equal_row_under_one_name_is_dropped() {
        let local = [
            Row("s", "b", 1),
            Row("s", "a", 1),
            Row("s", "c", 1),
            Row("s", "d", 1),
            Row("s", "d", 1),
        ];
        let production = [
            Row("s", "a", 1),
            Row("s", "c", 2),
            Row("s", "e", 1),
            Row("s", "d", 1),
        ];
        let (l, p) = check(&local, &production);
        // `a` is the same; `b` and `e` are on one side; `c` differs; `d` has
        // two rows on one side, so it is left to the item diff.
        assert_eq!(
            l,
            [
                Row("s", "b", 1),
                Row("s", "c", 1),
                Row("s", "d", 1),
                Row("s", "d", 1)
            ]
        );
        assert_eq!(p, [Row("s", "c", 2), Row("s", "d", 1), Row("s", "e", 1)]);
    }

    #[test]
    fn names_with_separators_in_them_are_matched_by_the_joined_name() {
        // `a.b` . `c` and `a` . `b.c` are one item name: two rows under it on
        // the local side, so neither is dropped though one equals production's.
        let local = [Row("a.b", "c", 1), Row("a", "b.c", 1), Row("x", "y", 1)];
        let production = [Row("a", "b.c", 1), Row("x", "y", 1)];
        let (l, p) = check(&local, &production);
        assert_eq!(sorted(l), [Row("a", "b.c", 1), Row("a.b", "c", 1)]);
        assert_eq!(p, [Row("a", "b.c", 1)]);
        // Either side may hold the separator, and `(` counts too.
        check(&production, &local);
        check(&[Row("f(", "x", 1), Row("f", "x", 1)], &[Row("f", "x", 1)]);
    }
}
