//! The data-flow diagram: assets as boxes (name and type), data flows as arrows labelled
//! with the data category, unencrypted flows drawn dashed in red and marked. A pure
//! function from nodes and edges to an SVG string; every text is escaped. Presentation
//! attributes only (no `style`), so the drawing looks the same in a page and as a file.

use crate::charts::escape;
use std::collections::BTreeMap;

/// An asset in the diagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowNode {
    pub name: String,
    /// The asset type as shown, e.g. `Software`.
    pub kind: String,
    /// Where the box links to (the asset's page), if anywhere.
    pub href: Option<String>,
    /// The asset the diagram is about (drawn with a thicker border).
    pub focus: bool,
}

/// A data flow between two nodes (indexes into the node list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowEdge {
    pub from: usize,
    pub to: usize,
    /// The data category.
    pub label: String,
    pub encrypted: bool,
}

const BOX_W: f64 = 200.0;
const BOX_H: f64 = 50.0;
const COL_GAP: f64 = 150.0;
const ROW_GAP: f64 = 46.0;
const MARGIN: f64 = 24.0;
const TOP: f64 = 56.0;
const INK: &str = "#1d2433";
const MUTED: &str = "#5d6679";
const LINE: &str = "#1f4e8c";
const DANGER: &str = "#a32020";

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A column per node: sources left, what they feed to the right (longest path, ignoring
/// the edges that close a cycle). A focus node with neighbours sits in the middle column.
fn columns(n: usize, edges: &[FlowEdge]) -> Vec<usize> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in edges {
        if e.from < n && e.to < n && e.from != e.to {
            out[e.from].push(e.to);
        }
    }
    // Depth-first order; an edge to a node still on the stack closes a cycle and is left out.
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut order = Vec::with_capacity(n);
    let mut keep: Vec<Vec<usize>> = vec![Vec::new(); n];
    for start in 0..n {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(top) = stack.last_mut() {
            let (v, i) = *top;
            if let Some(&w) = out[v].get(i) {
                top.1 += 1;
                match state[w] {
                    0 => {
                        keep[v].push(w);
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    2 => keep[v].push(w),
                    _ => {}
                }
            } else {
                state[v] = 2;
                order.push(v);
                stack.pop();
            }
        }
    }
    order.reverse();
    let mut col = vec![0usize; n];
    for &v in &order {
        for &w in &keep[v] {
            col[w] = col[w].max(col[v] + 1);
        }
    }
    col
}

/// Draw the diagram. `title` is shown on top; an empty node list gives a short note.
pub fn data_flow_diagram(title: &str, nodes: &[FlowNode], edges: &[FlowEdge]) -> String {
    let edges: Vec<&FlowEdge> = edges
        .iter()
        .filter(|e| e.from < nodes.len() && e.to < nodes.len())
        .collect();
    let owned: Vec<FlowEdge> = edges.iter().map(|e| (*e).clone()).collect();
    let col = columns(nodes.len(), &owned);
    let ncols = col.iter().max().map_or(1, |m| m + 1);
    let mut by_col: Vec<Vec<usize>> = vec![Vec::new(); ncols];
    for (i, c) in col.iter().enumerate() {
        by_col[*c].push(i);
    }
    // One pass of barycentre ordering: a node sits near the nodes that feed it.
    let mut row = vec![0f64; nodes.len()];
    for list in &mut by_col {
        let key = |v: usize| {
            let feeds: Vec<f64> = owned
                .iter()
                .filter(|e| e.to == v && col[e.from] < col[v])
                .map(|e| row[e.from])
                .collect();
            if feeds.is_empty() {
                f64::from(u32::try_from(v).unwrap_or(u32::MAX))
            } else {
                feeds.iter().sum::<f64>() / feeds.len() as f64
            }
        };
        let mut keyed: Vec<(f64, usize)> = list.iter().map(|&v| (key(v), v)).collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        *list = keyed.into_iter().map(|(_, v)| v).collect();
        for (r, &v) in list.iter().enumerate() {
            row[v] = r as f64;
        }
    }
    let tallest = by_col.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let height_rows = tallest as f64;
    let width = MARGIN * 2.0 + ncols as f64 * BOX_W + (ncols.saturating_sub(1)) as f64 * COL_GAP;
    let body_h = height_rows * BOX_H + (height_rows - 1.0) * ROW_GAP;
    let height = TOP + body_h + MARGIN + 40.0;
    // Each column is centred vertically.
    let mut pos = vec![(0f64, 0f64); nodes.len()];
    for (c, list) in by_col.iter().enumerate() {
        let col_h = list.len() as f64 * BOX_H + (list.len().saturating_sub(1)) as f64 * ROW_GAP;
        let y0 = TOP + (body_h - col_h) / 2.0;
        for (r, &v) in list.iter().enumerate() {
            pos[v] = (
                MARGIN + c as f64 * (BOX_W + COL_GAP),
                y0 + r as f64 * (BOX_H + ROW_GAP),
            );
        }
    }
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" class=\"chart flow-diagram\" role=\"img\" aria-labelledby=\"dfd-title\"><title id=\"dfd-title\">{}</title>\
<defs><marker id=\"dfd-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{LINE}\"/></marker>\
<marker id=\"dfd-arrow-bad\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{DANGER}\"/></marker></defs>\
<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>\
<text x=\"{MARGIN}\" y=\"28\" font-family=\"sans-serif\" font-size=\"16\" font-weight=\"bold\" fill=\"{INK}\">{}</text>",
        escape(title),
        escape(title)
    );
    if nodes.is_empty() {
        s.push_str(&format!(
            "<text x=\"{MARGIN}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"13\" fill=\"{MUTED}\">No data flows recorded yet.</text></svg>",
            TOP + 10.0
        ));
        return s;
    }
    // Arrows first, boxes on top. Several flows between the same pair fan out.
    let mut pair_seen: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut labels = String::new();
    // Label boxes already placed: a new one moves down until it overlaps none.
    let mut placed: Vec<(f64, f64, f64, f64)> = Vec::new();
    for e in &owned {
        let k = pair_seen
            .entry((e.from.min(e.to), e.from.max(e.to)))
            .or_insert(0);
        let fan = *k as f64;
        *k += 1;
        let (fx, fy) = pos[e.from];
        let (tx, ty) = pos[e.to];
        let colour = if e.encrypted { LINE } else { DANGER };
        let marker = if e.encrypted {
            "dfd-arrow"
        } else {
            "dfd-arrow-bad"
        };
        let dash = if e.encrypted {
            ""
        } else {
            " stroke-dasharray=\"6 4\""
        };
        let off = fan * 14.0;
        let (path, lx, ly) = if col[e.to] > col[e.from] {
            // Forward: right side to left side.
            let (x1, y1) = (fx + BOX_W, fy + BOX_H / 2.0 + off);
            let (x2, y2) = (tx, ty + BOX_H / 2.0 + off);
            let mid = (x1 + x2) / 2.0;
            (
                format!("M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"),
                mid,
                (y1 + y2) / 2.0,
            )
        } else {
            // Backward or within a column: under the boxes.
            let (x1, y1) = (fx + BOX_W / 2.0 + off, fy + BOX_H);
            let (x2, y2) = (tx + BOX_W / 2.0 - off, ty + BOX_H);
            let dip = y1.max(y2) + ROW_GAP * 0.8 + off;
            (
                format!("M{x1},{y1} C{x1},{dip} {x2},{dip} {x2},{y2}"),
                (x1 + x2) / 2.0,
                dip - 6.0,
            )
        };
        s.push_str(&format!(
            "<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.8\"{dash} marker-end=\"url(#{marker})\"/>"
        ));
        let text = clip(&e.label, 30);
        let w =
            (text.chars().count() as f64 * 6.6).max(if e.encrypted { 20.0 } else { 84.0 }) + 10.0;
        let lines = if e.encrypted { 1.0 } else { 2.0 };
        let h = 14.0 * lines + 4.0;
        let mut ly = ly;
        for _ in 0..8 {
            let (x0, y0) = (lx - w / 2.0, ly - 10.0);
            let clash = placed.iter().any(|(px, py, pw, ph)| {
                x0 < px + pw && *px < x0 + w && y0 < py + ph && *py < y0 + h
            });
            if !clash {
                break;
            }
            ly += h + 2.0;
        }
        placed.push((lx - w / 2.0, ly - 10.0, w, h));
        labels.push_str(&format!(
            "<g class=\"flow{}\"><rect x=\"{}\" y=\"{}\" width=\"{w}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"{colour}\" stroke-width=\"0.6\"/><text x=\"{lx}\" y=\"{}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"{INK}\">{}</text>",
            if e.encrypted { "" } else { " unencrypted" },
            lx - w / 2.0,
            ly - 10.0,
            h,
            ly + 2.0,
            escape(&text)
        ));
        if !e.encrypted {
            labels.push_str(&format!(
                "<text x=\"{lx}\" y=\"{}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"10\" font-weight=\"bold\" fill=\"{DANGER}\">⚠ not encrypted</text>",
                ly + 16.0
            ));
        }
        labels.push_str("</g>");
    }
    s.push_str(&labels);
    for (i, n) in nodes.iter().enumerate() {
        let (x, y) = pos[i];
        let stroke_w = if n.focus { 3.0 } else { 1.2 };
        let fill = if n.focus { "#e8eef8" } else { "#f7f8fb" };
        let node = format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"6\" fill=\"{fill}\" stroke=\"{LINE}\" stroke-width=\"{stroke_w}\"/>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"13\" font-weight=\"bold\" fill=\"{INK}\">{}</text>\
<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"11\" fill=\"{MUTED}\">{}</text>",
            x + BOX_W / 2.0,
            y + 21.0,
            escape(&clip(&n.name, 27)),
            x + BOX_W / 2.0,
            y + 38.0,
            escape(&clip(&n.kind, 28)),
        );
        match &n.href {
            Some(h) => s.push_str(&format!(
                "<a href=\"{}\"><title>{}</title>{node}</a>",
                escape(h),
                escape(&n.name)
            )),
            None => s.push_str(&format!("<g><title>{}</title>{node}</g>", escape(&n.name))),
        }
    }
    // Legend.
    let ly = height - 18.0;
    s.push_str(&format!(
        "<line x1=\"{MARGIN}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{LINE}\" stroke-width=\"1.8\" marker-end=\"url(#dfd-arrow)\"/><text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"{MUTED}\">encrypted</text>\
<line x1=\"{}\" y1=\"{ly}\" x2=\"{}\" y2=\"{ly}\" stroke=\"{DANGER}\" stroke-width=\"1.8\" stroke-dasharray=\"6 4\" marker-end=\"url(#dfd-arrow-bad)\"/><text x=\"{}\" y=\"{}\" font-family=\"sans-serif\" font-size=\"11\" fill=\"{DANGER}\">not encrypted</text></svg>",
        MARGIN + 36.0,
        MARGIN + 44.0,
        ly + 4.0,
        MARGIN + 120.0,
        MARGIN + 156.0,
        MARGIN + 164.0,
        ly + 4.0,
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str) -> FlowNode {
        FlowNode {
            name: name.into(),
            kind: "Software".into(),
            href: Some(format!("/o/a/assets/{name}")),
            focus: false,
        }
    }

    #[test]
    fn boxes_arrows_labels_and_unencrypted_marks() {
        let nodes = vec![node("CRM <prod>"), node("Billing"), node("Warehouse")];
        let edges = vec![
            FlowEdge {
                from: 0,
                to: 1,
                label: "Customer & order data".into(),
                encrypted: true,
            },
            FlowEdge {
                from: 1,
                to: 2,
                label: "Invoices".into(),
                encrypted: false,
            },
        ];
        let svg = data_flow_diagram("Flows of \"CRM\"", &nodes, &edges);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("CRM &lt;prod&gt;"), "names are escaped");
        assert!(svg.contains("Customer &amp; order data"));
        assert!(svg.contains("Flows of &quot;CRM&quot;"));
        assert_eq!(svg.matches("<rect x=").count(), 3 + 2, "3 boxes, 2 labels");
        assert_eq!(svg.matches("class=\"flow unencrypted\"").count(), 1);
        assert_eq!(
            svg.matches("not encrypted</text>").count(),
            2,
            "mark + legend"
        );
        assert_eq!(svg.matches("<a href=\"/o/a/assets/").count(), 3);
        assert!(!svg.contains("<script"));
    }

    #[test]
    fn columns_follow_the_flow_and_survive_cycles() {
        let e = |from, to| FlowEdge {
            from,
            to,
            label: String::new(),
            encrypted: true,
        };
        assert_eq!(columns(3, &[e(0, 1), e(1, 2)]), vec![0, 1, 2]);
        assert_eq!(columns(3, &[e(2, 1), e(1, 0)]), vec![2, 1, 0]);
        // A cycle still gets finite columns; a self-flow is ignored.
        let c = columns(3, &[e(0, 1), e(1, 2), e(2, 0), e(1, 1)]);
        assert!(c.iter().all(|&x| x < 3));
        let svg = data_flow_diagram("Cycle", &[node("a"), node("b")], &[e(0, 1), e(1, 0)]);
        // Two arrowhead markers, then one path per flow.
        assert_eq!(svg.matches("<path d=\"M").count(), 2 + 2);
        // Edges pointing at nodes that do not exist are left out, never a panic.
        let svg = data_flow_diagram("Bad", &[node("a")], &[e(0, 5)]);
        assert_eq!(svg.matches("<path d=\"M").count(), 2);
    }

    #[test]
    fn empty_diagram_says_so() {
        let svg = data_flow_diagram("Nothing", &[], &[]);
        assert!(svg.contains("No data flows recorded yet."));
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
