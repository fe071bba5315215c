//! File names from clients are for display only: the store names bytes by their hash. A
//! name is still shown and offered on download, so it is cleaned first.

/// Longest kept name, in characters.
pub const MAX_NAME_CHARS: usize = 120;

/// Bidirectional-text controls that can make `exe.pdf` look like `fdp.exe`.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// The name a client sent, made safe to show and offer: only the last path part (`/` and
/// `\` both count), no control or bidi characters, none of `: * ? " < > |`, no leading
/// dots, trimmed, at most [`MAX_NAME_CHARS`] characters (keeping a short extension), and
/// `file` when nothing is left.
pub fn sanitise_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_bidi_control(*c))
        .map(|c| {
            if matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let mut name = trimmed.to_owned();
    if name.chars().count() > MAX_NAME_CHARS {
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e)
            .filter(|e| !e.is_empty() && e.chars().count() <= 10)
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        let keep = MAX_NAME_CHARS - ext.chars().count();
        let stem: String = name.chars().take(keep).collect();
        name = format!("{}{ext}", stem.trim_end());
    }
    if name.is_empty() || name.chars().all(|c| c == '.') {
        "file".to_owned()
    } else {
        name
    }
}

/// A `Content-Disposition: attachment` value for `name` (RFC 6266 / RFC 8187): a plain
/// ASCII `filename` for old clients and the exact name as UTF-8 in `filename*`.
pub fn content_disposition(name: &str) -> String {
    let name = sanitise_file_name(name);
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' && c != '%' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_cannot_escape() {
        assert_eq!(sanitise_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitise_file_name("a\u{0}b"), "ab");
        assert_eq!(sanitise_file_name("C:\\x\\y.pdf"), "y.pdf");
        assert_eq!(sanitise_file_name("C:y.pdf"), "C_y.pdf");
        assert_eq!(sanitise_file_name(".."), "file");
        assert_eq!(sanitise_file_name("../"), "file");
        assert_eq!(sanitise_file_name(""), "file");
        assert_eq!(sanitise_file_name("   \t\n "), "file");
        assert_eq!(sanitise_file_name(".bashrc"), "bashrc");
        assert_eq!(
            sanitise_file_name("a\r\nSet-Cookie: x.txt"),
            "aSet-Cookie_ x.txt"
        );
        assert_eq!(sanitise_file_name("inv\u{202E}fdp.exe"), "invfdp.exe");
        assert_eq!(
            sanitise_file_name("  Access review Q3.csv  "),
            "Access review Q3.csv"
        );
        assert_eq!(sanitise_file_name("Prüfbericht.pdf"), "Prüfbericht.pdf");
    }

    #[test]
    fn long_names_are_cut_keeping_the_extension() {
        let long = format!("{}.pdf", "x".repeat(500));
        let s = sanitise_file_name(&long);
        assert_eq!(s.chars().count(), MAX_NAME_CHARS);
        assert!(s.ends_with(".pdf"));
        let no_ext = "y".repeat(300);
        assert_eq!(sanitise_file_name(&no_ext).chars().count(), MAX_NAME_CHARS);
        let wide = "ü".repeat(300);
        assert_eq!(sanitise_file_name(&wide).chars().count(), MAX_NAME_CHARS);
    }

    #[test]
    fn disposition_is_rfc6266() {
        assert_eq!(
            content_disposition("report.pdf"),
            "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
        );
        assert_eq!(
            content_disposition("Prüf bericht.pdf"),
            "attachment; filename=\"Pr_f bericht.pdf\"; filename*=UTF-8''Pr%C3%BCf%20bericht.pdf"
        );
        let d = content_disposition("../a\"b\r\n.txt");
        assert!(!d.contains('\r') && !d.contains('\n'), "{d}");
        assert!(d.starts_with("attachment; filename=\"a_b.txt\""), "{d}");
    }
}
