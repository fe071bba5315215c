//! Coverage of an imported framework: the share of its assessable requirements met by at
//! least one implemented control (an Annex A control mapped to it, or an ISO or own
//! control the organisation linked to it), overall and per group (a group counts every
//! assessable requirement below it).

use super::NodeKind;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// The part of a requirement coverage needs.
#[derive(Debug, Clone, Copy)]
pub struct Node<'a> {
    pub ref_id: &'a str,
    pub parent_ref: Option<&'a str>,
    pub kind: NodeKind,
    pub assessable: bool,
}

/// Covered out of total.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Share {
    /// Assessable requirements met by an implemented control.
    pub covered: u64,
    /// Assessable requirements.
    pub total: u64,
}

impl Share {
    /// Whole per cent, rounded down (0 when there is nothing to cover).
    pub fn percent(self) -> u64 {
        (self.covered * 100).checked_div(self.total).unwrap_or(0)
    }
}

/// Coverage of a framework.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    pub overall: Share,
    /// Per group ref.
    pub groups: HashMap<String, Share>,
}

/// `met` holds the refs of requirements an implemented control meets. Parents must come
/// before their children (document order); a parent ref that is not in `nodes` is ignored.
pub fn compute(nodes: &[Node<'_>], met: &HashSet<String>) -> Coverage {
    let parent: HashMap<&str, Option<&str>> =
        nodes.iter().map(|n| (n.ref_id, n.parent_ref)).collect();
    let groups: HashSet<&str> = nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Group)
        .map(|n| n.ref_id)
        .collect();
    let mut out = Coverage::default();
    for g in &groups {
        out.groups.insert((*g).to_owned(), Share::default());
    }
    for n in nodes.iter().filter(|n| n.assessable) {
        let hit = met.contains(n.ref_id);
        out.overall.total += 1;
        out.overall.covered += u64::from(hit);
        // Walk up; the bound stops a cycle a broken tree could hold.
        let mut up = n.parent_ref;
        let mut steps = 0;
        while let Some(p) = up {
            if steps > nodes.len() {
                break;
            }
            steps += 1;
            if groups.contains(p)
                && let Some(s) = out.groups.get_mut(p)
            {
                s.total += 1;
                s.covered += u64::from(hit);
            }
            up = parent.get(p).copied().flatten();
        }
    }
    out
}
