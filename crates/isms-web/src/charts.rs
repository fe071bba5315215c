//! Charts drawn on the server as SVG (no JavaScript, no external assets).

use crate::html::escape;

/// Horizontal bars, one per row: the current level as a filled bar and the target as a
/// marker, on a 0–5 scale. Rows are (label, current, target).
pub fn maturity_bars(rows: &[(String, f64, f64)]) -> String {
    let label_w = 230.0;
    let bar_w = 420.0;
    let row_h = 34.0;
    let top = 28.0;
    let width = label_w + bar_w + 60.0;
    let height = top + row_h * rows.len() as f64 + 24.0;
    let x = |v: f64| label_w + bar_w * (v.clamp(0.0, 5.0) / 5.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" class=\"chart\" role=\"img\" aria-labelledby=\"chart-title\"><title id=\"chart-title\">Maturity per area: current (bar) and target (line), scale 0 to 5</title>"
    );
    for level in 0..=5 {
        let lx = x(f64::from(level));
        s.push_str(&format!(
            "<line x1=\"{lx}\" y1=\"{}\" x2=\"{lx}\" y2=\"{}\" class=\"grid\"/><text x=\"{lx}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{level}</text>",
            top - 6.0,
            height - 20.0,
            top - 10.0
        ));
    }
    for (i, (label, current, target)) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + row_h / 2.0 + 4.0,
            escape(label)
        ));
        s.push_str(&format!(
            "<rect x=\"{label_w}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"current\"><title>{}: current {current:.1}, target {target:.1}</title></rect>",
            y + 7.0,
            (x(*current) - label_w).max(0.0),
            row_h - 14.0,
            escape(label)
        ));
        let tx = x(*target);
        s.push_str(&format!(
            "<line x1=\"{tx}\" y1=\"{}\" x2=\"{tx}\" y2=\"{}\" class=\"target\"/>",
            y + 3.0,
            y + row_h - 3.0
        ));
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"value\">{current:.1} / {target:.1}</text>",
            label_w + bar_w + 8.0,
            y + row_h / 2.0 + 4.0
        ));
    }
    s.push_str(&format!(
        "<rect x=\"{label_w}\" y=\"{}\" width=\"12\" height=\"10\" class=\"current\"/><text x=\"{}\" y=\"{}\" class=\"tick\">current</text><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" class=\"target\"/><text x=\"{}\" y=\"{}\" class=\"tick\">target</text>",
        height - 12.0,
        label_w + 16.0,
        height - 3.0,
        label_w + 80.0,
        height - 13.0,
        label_w + 80.0,
        height - 1.0,
        label_w + 86.0,
        height - 3.0
    ));
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_are_drawn_and_escaped() {
        let svg = super::maturity_bars(&[
            ("Risk <method>".into(), 2.5, 4.0),
            ("Policies".into(), 0.0, 3.0),
        ]);
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("class=\"current\"").count(), 3);
        assert!(svg.contains("Risk &lt;method&gt;"));
        assert!(svg.contains("2.5 / 4.0"));
    }
}
