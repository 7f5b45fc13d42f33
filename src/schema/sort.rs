//! Sorting catalog rows: rows are large structs, so they are sorted through
//! a list of indices and moved once each, in place.

/// Sort rows by `cmp`, stably, moving each row at most a few times: rows are
/// large structs, and a comparison sort moves them O(n log n) times (a fifth
/// of driftcheck's CPU at 10,000 tables was `memmove` in sorting). Sorts a
/// list of indices instead, then applies it in place, cycle by cycle.
pub fn sort_rows<T>(rows: &mut [T], mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering) {
    if rows.is_sorted_by(|a, b| cmp(a, b) != std::cmp::Ordering::Greater) {
        return;
    }
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|&a, &b| cmp(&rows[a], &rows[b]));
    apply_order(rows, order);
}

/// [`sort_rows`] for rows that belong to a parent (columns and constraints
/// of a table) by `(group, within)`. The server sends a table's rows one
/// after the other: runs of one parent are sorted as blocks, one comparison
/// per run instead of per row, then each parent's rows among themselves.
/// (Sorting 70,000 columns row by row was a sixth of driftcheck's CPU.)
pub fn sort_grouped_rows<T>(
    rows: &mut [T],
    group: impl Fn(&T, &T) -> std::cmp::Ordering,
    within: impl Fn(&T, &T) -> std::cmp::Ordering,
) {
    use std::cmp::Ordering;
    let cmp = |a: &T, b: &T| group(a, b).then_with(|| within(a, b));
    if rows.is_sorted_by(|a, b| cmp(a, b) != Ordering::Greater) {
        return;
    }
    // Runs of consecutive rows with one parent, as (start, end).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for i in 0..rows.len() {
        match runs.last_mut() {
            Some((start, end)) if group(&rows[*start], &rows[i]) == Ordering::Equal => *end = i + 1,
            _ => runs.push((i, i + 1)),
        }
    }
    // Stable: runs of one parent become neighbours, then sorted together.
    runs.sort_by(|a, b| group(&rows[a.0], &rows[b.0]));
    let mut order: Vec<usize> = runs.iter().flat_map(|&(start, end)| start..end).collect();
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && group(&rows[order[start]], &rows[order[end]]) == Ordering::Equal
        {
            end += 1;
        }
        order[start..end].sort_by(|&a, &b| within(&rows[a], &rows[b]));
        start = end;
    }
    apply_order(rows, order);
}

/// Put `rows` in `order`: `order[i]` is the index of the row that belongs at
/// `i`. In place, cycle by cycle, moving each row once.
fn apply_order<T>(rows: &mut [T], mut order: Vec<usize>) {
    for start in 0..rows.len() {
        let mut current = start;
        while order[current] != current {
            let next = order[current];
            order[current] = current;
            if next == start {
                break;
            }
            rows.swap(current, next);
            current = next;
        }
    }
}

#[cfg(test)]
mod sort_tests {
    use super::*;

    #[test]
    fn sort_rows_matches_a_stable_sort_on_every_permutation_shape() {
        // Pseudo-random rows with many ties: the key, and the original place
        // to check stability.
        let mut seed = 7u64;
        for len in [0usize, 1, 2, 3, 10, 257, 1000] {
            let rows: Vec<(u64, usize)> = (0..len)
                .map(|i| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 17, i)
                })
                .collect();
            let mut expected = rows.clone();
            expected.sort_by_key(|a| a.0);
            let mut sorted = rows.clone();
            sort_rows(&mut sorted, |a, b| a.0.cmp(&b.0));
            assert_eq!(sorted, expected, "len {len}");
        }
    }

    #[test]
    fn sort_grouped_rows_matches_a_stable_sort_by_group_then_within() {
        // (parent, position, original place): parents in runs of varied
        // length, some split in two runs (a column added later), positions
        // out of order in some runs, ties.
        let mut seed = 11u64;
        let mut next = |m: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % m
        };
        for runs in [0usize, 1, 2, 5, 40, 300] {
            let mut rows: Vec<(u64, u64, usize)> = Vec::new();
            for _ in 0..runs {
                let parent = next(runs as u64 / 2 + 1);
                let length = next(6) + 1;
                let shuffled = next(3) == 0;
                for k in 0..length {
                    let position = if shuffled { next(4) } else { k };
                    rows.push((parent, position, rows.len()));
                }
            }
            let mut expected = rows.clone();
            expected.sort_by_key(|r| (r.0, r.1));
            let mut sorted = rows.clone();
            sort_grouped_rows(&mut sorted, |a, b| a.0.cmp(&b.0), |a, b| a.1.cmp(&b.1));
            assert_eq!(sorted, expected, "{runs} runs");
        }
    }
}
