//! A line diff between two versions of a document: the longest common subsequence of
//! lines, shown as kept, added and removed lines.

use serde::Serialize;

/// What happened to one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineChange {
    Same,
    Added,
    Removed,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DiffLine {
    pub change: LineChange,
    pub text: String,
}

/// Above this many cells (lines × lines) the middle part is not matched line by line but
/// shown as removed then added, so a huge document cannot make the server work for long.
const MAX_CELLS: usize = 4_000_000;

/// The lines of `before` and `after` with what changed, in order: common lines once,
/// removed lines before the lines added in their place.
pub fn line_diff(before: &str, after: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = before.lines().collect();
    let b: Vec<&str> = after.lines().collect();
    // Common head and tail first: most edits touch a small part of a document.
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    let line = |change, s: &str| DiffLine {
        change,
        text: s.to_owned(),
    };
    let mut out: Vec<DiffLine> = a[..head]
        .iter()
        .map(|s| line(LineChange::Same, s))
        .collect();
    if am.len().saturating_mul(bm.len()) > MAX_CELLS {
        out.extend(am.iter().map(|s| line(LineChange::Removed, s)));
        out.extend(bm.iter().map(|s| line(LineChange::Added, s)));
    } else {
        // lcs[i][j] = length of the LCS of am[i..] and bm[j..].
        let (n, m) = (am.len(), bm.len());
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if am[i] == bm[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && am[i] == bm[j] {
                out.push(line(LineChange::Same, am[i]));
                i += 1;
                j += 1;
            } else if j == m || (i < n && lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                out.push(line(LineChange::Removed, am[i]));
                i += 1;
            } else {
                out.push(line(LineChange::Added, bm[j]));
                j += 1;
            }
        }
    }
    out.extend(
        a[a.len() - tail..]
            .iter()
            .map(|s| line(LineChange::Same, s)),
    );
    out
}

/// How many lines were added and removed.
pub fn counts(d: &[DiffLine]) -> (usize, usize) {
    let added = d.iter().filter(|l| l.change == LineChange::Added).count();
    let removed = d.iter().filter(|l| l.change == LineChange::Removed).count();
    (added, removed)
}
