//! Charts drawn on the server as SVG (no JavaScript, no external assets).

/// Escape text for an XML/HTML text node or attribute.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The colours a page's stylesheet gives the charts, for a chart shown on its own (in a PDF
/// or opened as a file): the same look without the page's CSS.
const STANDALONE_STYLE: &str = "<style>text{font-family:'Libertinus Serif',serif}.grid{stroke:#d9dee8}.tick{font-size:11px;fill:#5d6679}.label{font-size:13px;fill:#1d2433}.value{font-size:12px;fill:#5d6679}rect.current{fill:#1f4e8c}line.target{stroke:#e0891a;stroke-width:3}rect.bar{fill:#1f4e8c}rect.bar.late{fill:#a32020}rect.bar.phase{fill:#5b7fb3}.count{font-size:18px;font-weight:bold}.cell{font-size:13px;font-weight:bold}.strong{font-weight:bold}line.today{stroke:#e0891a;stroke-width:2;stroke-dasharray:4 3}.today-label{fill:#b36b00}.gauge-value.ok{stroke:#1d6b3a}.gauge-value.warn{stroke:#e0891a}.gauge-value.bad{stroke:#a32020}.gauge-score{font-size:34px;font-weight:bold}</style>";

/// The chart with its own style sheet, so it looks the same outside the web page.
pub fn standalone(svg: &str) -> String {
    match svg.find('>') {
        Some(i) if svg.starts_with("<svg") => {
            format!("{}{}{}", &svg[..=i], STANDALONE_STYLE, &svg[i + 1..])
        }
        _ => svg.to_owned(),
    }
}

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

/// A Gantt chart: one bar per row (label, start, end exclusive), month ticks, and a line
/// for today. Rows with `late` set are drawn as late.
pub struct GanttRow {
    pub label: String,
    pub start: time::Date,
    pub end: time::Date,
    pub late: bool,
    /// A phase of the plan rather than a task (drawn in a different colour).
    pub phase: bool,
}

/// Months between two ticks of a time axis `span_days` long drawn `width` wide: 1, 2, 3, 6
/// or 12, the smallest that keeps ticks at least 48 units apart.
pub fn month_step(span_days: f64, width: f64) -> u8 {
    let months = (span_days / 30.44).max(1.0);
    let per_month = width / months;
    [1u8, 2, 3, 6, 12]
        .into_iter()
        .find(|s| per_month * f64::from(*s) >= 48.0)
        .unwrap_or(12)
}

pub fn gantt(rows: &[GanttRow], today: time::Date) -> String {
    let Some(first) = rows.iter().map(|r| r.start).min() else {
        return String::new();
    };
    let last = rows
        .iter()
        .map(|r| r.end)
        .max()
        .unwrap_or(first)
        .max(first + time::Duration::days(7));
    let first = first.min(today);
    let last = last.max(today + time::Duration::days(1));
    let span = (last - first).whole_days().max(1) as f64;
    let label_w = 330.0;
    let chart_w = 620.0;
    let row_h = 30.0;
    let top = 34.0;
    let width = label_w + chart_w + 20.0;
    let height = top + row_h * rows.len() as f64 + 12.0;
    let x = |d: time::Date| label_w + chart_w * ((d - first).whole_days() as f64 / span);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" class=\"chart gantt\" role=\"img\" aria-labelledby=\"gantt-title\"><title id=\"gantt-title\">Plan from {} to {}</title>",
        isms_domain::time::format_date(first),
        isms_domain::time::format_date(last)
    );
    // Month ticks on the first of every `step`-th month, far enough apart to read.
    let step = month_step(span, chart_w);
    let mut m = time::Date::from_calendar_date(first.year(), first.month(), 1).unwrap_or(first);
    while m <= last {
        if m >= first && (u8::from(m.month()) - 1) % step == 0 {
            let mx = x(m);
            s.push_str(&format!(
                "<line x1=\"{mx}\" y1=\"{}\" x2=\"{mx}\" y2=\"{}\" class=\"grid\"/><text x=\"{}\" y=\"{}\" class=\"tick\">{} {}</text>",
                top - 8.0,
                height - 8.0,
                mx + 2.0,
                top - 14.0,
                &format!("{:?}", m.month())[..3],
                m.year() % 100
            ));
        }
        m = m
            .replace_day(1)
            .ok()
            .and_then(|d| d.checked_add(time::Duration::days(32)))
            .and_then(|d| d.replace_day(1).ok())
            .unwrap_or(last + time::Duration::days(1));
    }
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + row_h / 2.0 + 4.0,
            escape(&r.label)
        ));
        let (x0, x1) = (x(r.start), x(r.end));
        let class = match (r.late, r.phase) {
            (true, _) => "bar late",
            (false, true) => "bar phase",
            (false, false) => "bar",
        };
        s.push_str(&format!(
            "<rect x=\"{x0}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" class=\"{class}\"><title>{}: {} to {}{}</title></rect>",
            y + 6.0,
            (x1 - x0).max(3.0),
            row_h - 12.0,
            escape(&r.label),
            isms_domain::time::format_date(r.start),
            isms_domain::time::format_date(r.end),
            if r.late { " (late)" } else { "" }
        ));
    }
    let tx = x(today);
    s.push_str(&format!("<line x1=\"{tx}\" y1=\"{}\" x2=\"{tx}\" y2=\"{}\" class=\"today\"/><text x=\"{}\" y=\"{}\" class=\"tick today-label\">today</text>", top - 6.0, height - 4.0, tx + 3.0, height - 2.0));
    s.push_str("</svg>");
    s
}

/// A point on a half-circle gauge: `frac` 0 is the left end, 1 the right end, over the
/// top (SVG y grows downwards). Values outside 0–1 are clamped.
pub fn gauge_point(frac: f64, cx: f64, cy: f64, r: f64) -> (f64, f64) {
    let angle = std::f64::consts::PI * (1.0 - frac.clamp(0.0, 1.0));
    (cx + r * angle.cos(), cy - r * angle.sin())
}

/// The SVG path of a gauge arc from the left end to `frac` (empty for 0). Never more
/// than half a circle, so the large-arc flag is always 0.
pub fn gauge_arc(frac: f64, cx: f64, cy: f64, r: f64) -> String {
    if frac <= 0.0 {
        return String::new();
    }
    let (x0, y0) = gauge_point(0.0, cx, cy, r);
    let (x1, y1) = gauge_point(frac, cx, cy, r);
    format!("M {x0:.2} {y0:.2} A {r} {r} 0 0 1 {x1:.2} {y1:.2}")
}

/// The band a readiness score falls in: `ok` from 80, `warn` from 50, else `bad`.
pub fn score_band(score: u8) -> &'static str {
    match score {
        80.. => "ok",
        50..=79 => "warn",
        _ => "bad",
    }
}

/// A half-circle gauge for a 0–100 score, the score in the middle and a caption under it;
/// `title` names it for screen readers and as a tooltip.
pub fn gauge(score: u8, title: &str, caption: &str) -> String {
    let (cx, cy, r) = (100.0, 100.0, 80.0);
    let frac = f64::from(score.min(100)) / 100.0;
    let band = score_band(score);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 200 140\" class=\"chart gauge\" role=\"img\" aria-label=\"{}: {score} out of 100\"><title>{}: {score} out of 100</title>",
        escape(title),
        escape(title)
    );
    s.push_str(&format!(
        "<path d=\"{}\" class=\"gauge-track\" fill=\"none\" stroke=\"#d9dee8\" stroke-width=\"18\"/>",
        gauge_arc(1.0, cx, cy, r)
    ));
    let arc = gauge_arc(frac, cx, cy, r);
    if !arc.is_empty() {
        s.push_str(&format!(
            "<path d=\"{arc}\" class=\"gauge-value {band}\" fill=\"none\" stroke-width=\"18\"/>"
        ));
    }
    s.push_str(&format!(
        "<text x=\"{cx}\" y=\"{}\" class=\"gauge-score\" text-anchor=\"middle\">{score}</text><text x=\"{cx}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
        cy - 8.0,
        cy + 30.0,
        escape(caption)
    ));
    s.push_str("</svg>");
    s
}

/// A readable text colour (dark or white) on a background of `colour` (`#rrggbb`).
pub fn ink_on(colour: &str) -> &'static str {
    let hex = colour.trim_start_matches('#');
    let ch = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0.0, f64::from)
    };
    let luminance = 0.299 * ch(0) + 0.587 * ch(2) + 0.114 * ch(4);
    if luminance > 150.0 {
        "#1d2433"
    } else {
        "#ffffff"
    }
}

/// Only `#rrggbb` reaches an attribute; anything else is drawn grey.
fn safe_colour(c: &str) -> &str {
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok { c } else { "#cccccc" }
}

/// One cell of a risk matrix or heat map.
pub struct MatrixCell {
    /// Background, `#rrggbb` (the risk level's colour).
    pub colour: String,
    /// The risk level's name.
    pub label: String,
    /// Number of risks in the cell (a heat map), or `None` for the bare matrix.
    pub count: Option<usize>,
    /// Where a click on the cell leads (e.g. the register filtered to it).
    pub href: Option<String>,
}

/// A risk matrix (or, with counts, a heat map): likelihood down (rows given top to
/// bottom, highest first), impact across, each cell in its level's colour. `legend` lists
/// (name, colour, note) per level.
pub fn risk_matrix(
    title: &str,
    row_heads: &[String],
    col_heads: &[String],
    cells: &[Vec<MatrixCell>],
    legend: &[(String, String, String)],
) -> String {
    let head_w = 150.0;
    let cell_w = 104.0;
    let cell_h = 46.0;
    let top = 40.0;
    let cols = col_heads.len().max(1) as f64;
    let width = head_w + cell_w * cols + 10.0;
    let grid_h = cell_h * row_heads.len() as f64;
    let legend_top = top + grid_h + 30.0;
    let height = legend_top + 22.0 * legend.len() as f64 + 6.0;
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width} {height}\" class=\"chart matrix-chart\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
        escape(title),
        escape(title)
    );
    s.push_str(&format!(
        "<text x=\"{}\" y=\"14\" class=\"tick\" text-anchor=\"middle\">Impact →</text><text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"end\">Likelihood ↓</text>",
        head_w + cell_w * cols / 2.0,
        head_w - 10.0,
        top - 8.0
    ));
    for (c, h) in col_heads.iter().enumerate() {
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
            head_w + cell_w * (c as f64 + 0.5),
            top - 8.0,
            escape(h)
        ));
    }
    for (r, h) in row_heads.iter().enumerate() {
        let y = top + cell_h * r as f64;
        s.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"label\" text-anchor=\"end\">{}</text>",
            head_w - 10.0,
            y + cell_h / 2.0 + 4.0,
            escape(h)
        ));
        for (c, cell) in cells
            .get(r)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            let x = head_w + cell_w * c as f64;
            let fill = safe_colour(&cell.colour);
            let ink = ink_on(fill);
            let tip = match cell.count {
                Some(n) => format!("{}: {n} risk{}", cell.label, if n == 1 { "" } else { "s" }),
                None => cell.label.clone(),
            };
            let mut body = format!(
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{fill}\"><title>{}</title></rect>",
                x + 2.0,
                y + 2.0,
                cell_w - 4.0,
                cell_h - 4.0,
                escape(&format!(
                    "{} × {}: {tip}",
                    row_heads.get(r).map_or("", String::as_str),
                    col_heads.get(c).map_or("", String::as_str)
                ))
            );
            match cell.count {
                Some(n) => body.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" fill=\"{ink}\" class=\"count\" text-anchor=\"middle\">{}</text>",
                    x + cell_w / 2.0,
                    y + cell_h / 2.0 + 6.0,
                    if n == 0 { String::new() } else { n.to_string() }
                )),
                None => body.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" fill=\"{ink}\" class=\"cell\" text-anchor=\"middle\">{}</text>",
                    x + cell_w / 2.0,
                    y + cell_h / 2.0 + 4.0,
                    escape(&cell.label)
                )),
            }
            match &cell.href {
                Some(h) => s.push_str(&format!("<a href=\"{}\">{body}</a>", escape(h))),
                None => s.push_str(&body),
            }
        }
    }
    for (i, (name, colour, note)) in legend.iter().enumerate() {
        let y = legend_top + 22.0 * i as f64;
        s.push_str(&format!(
            "<rect x=\"{head_w}\" y=\"{}\" width=\"16\" height=\"14\" rx=\"2\" fill=\"{}\"/><text x=\"{}\" y=\"{}\" class=\"value\"><tspan class=\"strong\">{}</tspan> {}</text>",
            y - 11.0,
            safe_colour(colour),
            head_w + 24.0,
            y,
            escape(name),
            escape(note)
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn gantt_draws_bars_and_today() {
        use time::macros::date;
        let rows = vec![
            super::GanttRow {
                label: "Gap".into(),
                start: date!(2026 - 12 - 01),
                end: date!(2026 - 12 - 22),
                late: false,
                phase: true,
            },
            super::GanttRow {
                label: "Stage <2>".into(),
                start: date!(2027 - 05 - 01),
                end: date!(2027 - 05 - 08),
                late: true,
                phase: false,
            },
        ];
        let svg = super::gantt(&rows, date!(2026 - 11 - 28));
        assert_eq!(svg.matches("class=\"bar").count(), 2);
        assert!(svg.contains("bar late") && svg.contains("bar phase"));
        assert!(svg.contains("class=\"today\""));
        assert!(svg.contains("Stage &lt;2&gt;"));
        assert!(svg.contains(">Jan 27<"));
        assert!(super::gantt(&[], date!(2026 - 11 - 28)).is_empty());
    }

    #[test]
    fn risk_matrix_colours_cells_counts_and_links() {
        let cell = |c: &str, l: &str, n: Option<usize>| super::MatrixCell {
            colour: c.into(),
            label: l.into(),
            count: n,
            href: n.map(|_| "/o/a/risks?l=2&i=1".into()),
        };
        let svg = super::risk_matrix(
            "Inherent <risk>",
            &["2 Likely".into(), "1 Rare".into()],
            &["1 Minor".into(), "2 Major".into()],
            &[
                vec![
                    cell("#ffcc00", "Medium", Some(3)),
                    cell("#aa0000", "High", Some(0)),
                ],
                vec![
                    cell("#00aa00", "Low", Some(1)),
                    cell("red;x", "Medium", Some(2)),
                ],
            ],
            &[("Low".into(), "#00aa00".into(), "owner may accept".into())],
        );
        assert!(svg.contains("fill=\"#ffcc00\"") && svg.contains("fill=\"#cccccc\""));
        assert!(!svg.contains("red;x"), "only #rrggbb reaches an attribute");
        assert_eq!(svg.matches("<a href=").count(), 4);
        assert!(svg.contains(">3</text>") && svg.contains("Inherent &lt;risk&gt;"));
        assert_eq!(super::ink_on("#ffffff"), "#1d2433");
        assert_eq!(super::ink_on("#1f4e8c"), "#ffffff");
    }

    #[test]
    fn month_ticks_thin_out_over_long_plans() {
        assert_eq!(super::month_step(180.0, 620.0), 1);
        assert_eq!(super::month_step(400.0, 620.0), 2);
        assert_eq!(super::month_step(1000.0, 620.0), 3);
        assert_eq!(super::month_step(1800.0, 620.0), 6);
        assert_eq!(super::month_step(20_000.0, 620.0), 12);
        use time::macros::date;
        let rows = vec![super::GanttRow {
            label: "Certificate".into(),
            start: date!(2026 - 03 - 10),
            end: date!(2029 - 03 - 10),
            late: false,
            phase: true,
        }];
        let svg = super::gantt(&rows, date!(2026 - 12 - 01));
        // Three years at quarterly ticks: Apr 26 … Jan 29, no February tick.
        assert!(svg.contains(">Apr 26<") && svg.contains(">Jan 29<"));
        assert!(!svg.contains(">Feb 27<"));
    }

    #[test]
    fn gauge_arcs_follow_the_score() {
        let (x, y) = super::gauge_point(0.0, 100.0, 100.0, 80.0);
        assert!((x - 20.0).abs() < 1e-9 && (y - 100.0).abs() < 1e-9);
        let (x, y) = super::gauge_point(0.5, 100.0, 100.0, 80.0);
        assert!((x - 100.0).abs() < 1e-9 && (y - 20.0).abs() < 1e-9);
        let (x, y) = super::gauge_point(1.5, 100.0, 100.0, 80.0);
        assert!((x - 180.0).abs() < 1e-9 && (y - 100.0).abs() < 1e-6);
        assert_eq!(super::gauge_arc(0.0, 100.0, 100.0, 80.0), "");
        assert_eq!(
            super::gauge_arc(1.0, 100.0, 100.0, 80.0),
            "M 20.00 100.00 A 80 80 0 0 1 180.00 100.00"
        );
        let svg = super::gauge(72, "Stage <1>", "3 failed");
        assert!(svg.contains("gauge-value warn") && svg.contains(">72<"));
        assert!(svg.contains("Stage &lt;1&gt;"));
        let empty = super::gauge(0, "Stage 2", "nothing yet");
        assert!(empty.contains("gauge-track") && !empty.contains("gauge-value"));
        assert_eq!(super::score_band(80), "ok");
        assert_eq!(super::score_band(49), "bad");
    }

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
