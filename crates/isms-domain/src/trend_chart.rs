//! Trend charts for measurements, drawn as SVG text on the server (no script): time on
//! the x axis, the value on the y axis, the target as a dashed line, one point per
//! measurement, dates under the axis; for control checks a strip of coloured results.

use crate::measurement::Outcome;
use crate::time::format_date;
use std::fmt::Write;
use time::Date;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number for an axis label: no needless decimals.
pub fn number(x: f64) -> String {
    if (x - x.round()).abs() < 1e-9 {
        format!("{x:.0}")
    } else if (x * 10.0 - (x * 10.0).round()).abs() < 1e-9 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    }
}

/// A round step for about four grid lines over `span`: 1, 2 or 5 times a power of ten.
fn nice_step(span: f64) -> f64 {
    let raw = (span / 4.0).max(1e-9);
    let mag = 10f64.powf(raw.log10().floor());
    let f = raw / mag;
    let m = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    m * mag
}

/// The value range to draw: the points and the target, widened to round grid lines.
/// Returns (low, high, step).
fn y_range(points: &[(Date, f64)], target: Option<f64>) -> (f64, f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in points.iter().map(|p| p.1).chain(target) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0, 0.25);
    }
    if (hi - lo).abs() < 1e-9 {
        let pad = if hi.abs() > 1e-9 { hi.abs() * 0.1 } else { 1.0 };
        lo -= pad;
        hi += pad;
    }
    let step = nice_step(hi - lo);
    let low = (lo / step).floor() * step;
    let high = (hi / step).ceil() * step;
    let high = if (high - hi).abs() < 1e-9 {
        high + step
    } else {
        high
    };
    (low, high, step)
}

fn day_number(d: Date) -> f64 {
    f64::from(d.to_julian_day())
}

struct Frame {
    left: f64,
    top: f64,
    w: f64,
    h: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn x(&self, d: Date) -> f64 {
        let span = (self.x1 - self.x0).max(1.0);
        self.left + (day_number(d) - self.x0) / span * self.w
    }

    fn y(&self, v: f64) -> f64 {
        let span = (self.y1 - self.y0).max(1e-9);
        self.top + self.h - (v - self.y0) / span * self.h
    }
}

fn date_span(dates: impl Iterator<Item = Date>) -> Option<(Date, Date)> {
    let mut span: Option<(Date, Date)> = None;
    for d in dates {
        span = Some(match span {
            None => (d, d),
            Some((a, b)) => (a.min(d), b.max(d)),
        });
    }
    span
}

/// The full chart of a series of values (sorted by date inside). `label` names the
/// series for screen readers; `unit` follows the values (`%`, `days`).
pub fn line_chart(points: &[(Date, f64)], target: Option<f64>, unit: &str, label: &str) -> String {
    let (width, height) = (720.0, 280.0);
    let mut pts = points.to_vec();
    pts.sort_by_key(|p| p.0);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"trend-chart\" viewBox=\"0 0 {width} {height}\" width=\"100%\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        esc(label)
    );
    let Some((first, last)) = date_span(pts.iter().map(|p| p.0)) else {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#666\">No measurements yet</text></svg>",
            width / 2.0,
            height / 2.0
        );
        return s;
    };
    let (y0, y1, step) = y_range(&pts, target);
    let f = Frame {
        left: 60.0,
        top: 16.0,
        w: width - 80.0,
        h: height - 60.0,
        x0: day_number(first),
        x1: day_number(last),
        y0,
        y1,
    };
    let unit_txt = if unit.is_empty() {
        String::new()
    } else {
        format!(" {}", esc(unit))
    };
    // Axes and horizontal grid with value labels.
    let _ = write!(
        s,
        "<line x1=\"{l}\" y1=\"{t}\" x2=\"{l}\" y2=\"{b}\" stroke=\"#888\"/><line x1=\"{l}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"#888\"/>",
        l = f.left,
        t = f.top,
        b = f.top + f.h,
        r = f.left + f.w
    );
    let lines = ((y1 - y0) / step).round().clamp(1.0, 12.0) as u32;
    for i in 0..=lines {
        let v = y0 + step * f64::from(i);
        let y = f.y(v);
        let _ = write!(
            s,
            "<line x1=\"{l}\" y1=\"{y:.1}\" x2=\"{r}\" y2=\"{y:.1}\" stroke=\"#eee\"/><text x=\"{tx}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">{}</text>",
            number(v),
            l = f.left,
            r = f.left + f.w,
            tx = f.left - 6.0,
            ty = y + 4.0
        );
    }
    // Date labels: first, last and up to four between, at measured dates.
    let n = pts.len();
    let step = n.div_ceil(6).max(1);
    let mut labelled: Vec<usize> = (0..n).step_by(step).collect();
    if labelled.last() != Some(&(n - 1)) {
        if labelled.len() > 1 && n - 1 - labelled[labelled.len() - 1] < step / 2 + 1 {
            labelled.pop();
        }
        labelled.push(n - 1);
    }
    for i in labelled {
        if let Some(p) = pts.get(i) {
            let anchor = if n > 1 && i == n - 1 {
                "end"
            } else if n > 1 && i == 0 {
                "start"
            } else {
                "middle"
            };
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\" font-size=\"11\" fill=\"#555\">{}</text>",
                f.x(p.0),
                f.top + f.h + 18.0,
                format_date(p.0)
            );
        }
    }
    if let Some(t) = target {
        let y = f.y(t);
        let _ = write!(
            s,
            "<line class=\"target\" x1=\"{l}\" y1=\"{y:.1}\" x2=\"{r}\" y2=\"{y:.1}\" stroke=\"#1565c0\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/><text x=\"{r}\" y=\"{ty:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#1565c0\">target {}{unit_txt}</text>",
            number(t),
            l = f.left,
            r = f.left + f.w,
            ty = y - 4.0
        );
    }
    let path: Vec<String> = pts
        .iter()
        .map(|p| format!("{:.1},{:.1}", f.x(p.0), f.y(p.1)))
        .collect();
    if pts.len() > 1 {
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"2\" points=\"{}\"/>",
            path.join(" ")
        );
    }
    for p in &pts {
        let _ = write!(
            s,
            "<circle class=\"point\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"#333\"><title>{}: {}{unit_txt}</title></circle>",
            f.x(p.0),
            f.y(p.1),
            format_date(p.0),
            number(p.1)
        );
    }
    s.push_str("</svg>");
    s
}

/// A small line for a register row: the values and the target, no labels.
pub fn sparkline(points: &[(Date, f64)], target: Option<f64>) -> String {
    let (width, height) = (120.0, 28.0);
    let mut pts = points.to_vec();
    pts.sort_by_key(|p| p.0);
    let mut s = format!(
        "<svg class=\"sparkline\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" aria-hidden=\"true\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    if let Some((first, last)) = date_span(pts.iter().map(|p| p.0)) {
        let (y0, y1, _) = y_range(&pts, target);
        let f = Frame {
            left: 2.0,
            top: 2.0,
            w: width - 4.0,
            h: height - 4.0,
            x0: day_number(first),
            x1: day_number(last),
            y0,
            y1,
        };
        if let Some(t) = target {
            let _ = write!(
                s,
                "<line x1=\"2\" y1=\"{y:.1}\" x2=\"{r}\" y2=\"{y:.1}\" stroke=\"#1565c0\" stroke-dasharray=\"3 2\"/>",
                y = f.y(t),
                r = width - 2.0
            );
        }
        let path: Vec<String> = pts
            .iter()
            .map(|p| format!("{:.1},{:.1}", f.x(p.0), f.y(p.1)))
            .collect();
        let _ = write!(
            s,
            "<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"1.5\" points=\"{}\"/>",
            path.join(" ")
        );
    }
    s.push_str("</svg>");
    s
}

/// A strip of coloured cells, one per check, oldest first, each with its date and
/// result as a tooltip.
pub fn result_strip(results: &[(Date, Outcome)], large: bool) -> String {
    let mut rs = results.to_vec();
    rs.sort_by_key(|r| r.0);
    let cell = if large { 22.0 } else { 9.0 };
    let gap = if large { 3.0 } else { 1.0 };
    let n = rs.len().max(1) as f64;
    let width = n * (cell + gap);
    let height = if large { cell + 20.0 } else { cell + 2.0 };
    let mut s = format!(
        "<svg class=\"result-strip\" viewBox=\"0 0 {width} {height}\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"Check results, oldest first: {}\" xmlns=\"http://www.w3.org/2000/svg\">",
        if large {
            format!("{}", width.min(720.0))
        } else {
            format!("{width}")
        },
        rs.iter()
            .map(|r| r.1.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", ")
    );
    for (i, (d, o)) in rs.iter().enumerate() {
        let x = i as f64 * (cell + gap);
        let _ = write!(
            s,
            "<rect class=\"{}\" x=\"{x:.1}\" y=\"1\" width=\"{cell}\" height=\"{cell}\" fill=\"{}\"><title>{}: {}</title></rect>",
            o.as_str(),
            o.colour(),
            format_date(*d),
            o.label()
        );
    }
    if large && let (Some(a), Some(b)) = (rs.first(), rs.last()) {
        let _ = write!(
            s,
            "<text x=\"0\" y=\"{y}\" font-size=\"11\" fill=\"#555\">{}</text><text x=\"{width}\" y=\"{y}\" font-size=\"11\" text-anchor=\"end\" fill=\"#555\">{}</text>",
            format_date(a.0),
            format_date(b.0),
            y = cell + 16.0
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_chart_has_points_a_dashed_target_and_dated_axis() {
        let pts = [
            (date!(2026 - 01 - 31), 80.0),
            (date!(2026 - 02 - 28), 88.5),
            (date!(2026 - 03 - 31), 96.0),
        ];
        let svg = line_chart(&pts, Some(95.0), "%", "Staff trained <all>");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<circle class=\"point\"").count(), 3);
        assert!(svg.contains("stroke-dasharray"));
        assert!(svg.contains("target 95 %"));
        assert!(svg.contains("2026-01-31") && svg.contains("2026-03-31"));
        assert!(
            svg.contains("Staff trained &lt;all&gt;"),
            "labels are escaped"
        );
        // The higher value is drawn higher (smaller y).
        let ys: Vec<f64> = svg
            .split("<circle class=\"point\" cx=\"")
            .skip(1)
            .filter_map(|p| p.split("cy=\"").nth(1)?.split('"').next()?.parse().ok())
            .collect();
        assert!(ys[0] > ys[1] && ys[1] > ys[2], "{ys:?}");
    }

    #[test]
    fn an_empty_or_single_series_still_draws() {
        assert!(line_chart(&[], Some(1.0), "", "x").contains("No measurements yet"));
        let one = line_chart(&[(date!(2026 - 01 - 31), 5.0)], None, "", "x");
        assert_eq!(one.matches("<circle").count(), 1);
        assert!(!one.contains("NaN"));
        assert!(sparkline(&[(date!(2026 - 01 - 31), 5.0)], Some(5.0)).contains("polyline"));
    }

    #[test]
    fn the_strip_colours_each_result_in_date_order() {
        let svg = result_strip(
            &[
                (date!(2026 - 02 - 01), Outcome::Fail),
                (date!(2026 - 01 - 01), Outcome::Pass),
            ],
            true,
        );
        let first = svg.find("class=\"pass\"").unwrap();
        let second = svg.find("class=\"fail\"").unwrap();
        assert!(first < second);
        assert!(svg.contains(Outcome::Fail.colour()));
        assert!(svg.contains("oldest first: pass, fail"));
    }

    #[test]
    fn the_value_axis_has_round_steps() {
        assert_eq!(
            y_range(&[(date!(2026 - 01 - 31), 69.4)], Some(95.0)),
            (60.0, 100.0, 10.0)
        );
        assert_eq!(nice_step(3.0), 1.0);
        assert!((nice_step(0.3) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn numbers_lose_needless_decimals() {
        assert_eq!(number(95.0), "95");
        assert_eq!(number(88.5), "88.5");
        assert_eq!(number(1.234), "1.23");
    }
}
