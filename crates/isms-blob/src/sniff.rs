//! What a file is, read from its first bytes. The content type a client sends is never
//! used: a file is what its bytes say, and anything we do not recognise is
//! `application/octet-stream` (served as a download, never shown inline).

/// The type of bytes we do not recognise.
pub const OCTET_STREAM: &str = "application/octet-stream";

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const PPTX: &str = "application/vnd.openxmlformats-officedocument.presentationml.presentation";
const ODT: &str = "application/vnd.oasis.opendocument.text";
const ODS: &str = "application/vnd.oasis.opendocument.spreadsheet";
const ODP: &str = "application/vnd.oasis.opendocument.presentation";

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// The content type of `bytes`. `name_hint` (the client's file name) only chooses among
/// text types once the bytes are known to be text (`.csv` → `text/csv`, `.md` →
/// `text/markdown`); it never makes bytes into something they are not.
pub fn sniff(bytes: &[u8], name_hint: &str) -> &'static str {
    if bytes.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return "image/png";
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return "image/jpeg";
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return "image/gif";
    }
    if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        return "image/webp";
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return zip_kind(bytes);
    }
    if is_text(bytes) {
        return text_kind(bytes, name_hint);
    }
    OCTET_STREAM
}

/// Office files are ZIP archives; the names of their parts (stored uncompressed in the
/// local headers and the central directory) say which.
fn zip_kind(bytes: &[u8]) -> &'static str {
    // OpenDocument: a first, uncompressed entry "mimetype" holding the type.
    if contains(bytes, b"mimetypeapplication/vnd.oasis.opendocument.") {
        for (needle, t) in [
            (&b"opendocument.text"[..], ODT),
            (b"opendocument.spreadsheet", ODS),
            (b"opendocument.presentation", ODP),
        ] {
            if contains(bytes, needle) {
                return t;
            }
        }
    }
    if contains(bytes, b"[Content_Types].xml") {
        if contains(bytes, b"word/document.xml") {
            return DOCX;
        }
        if contains(bytes, b"xl/workbook.xml") {
            return XLSX;
        }
        if contains(bytes, b"ppt/presentation.xml") {
            return PPTX;
        }
    }
    "application/zip"
}

/// UTF-8 without NUL or other control characters besides tab, line breaks and form feed.
fn is_text(bytes: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(bytes) else {
        return false;
    };
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0c}'))
}

fn text_kind(bytes: &[u8], name_hint: &str) -> &'static str {
    let s = std::str::from_utf8(bytes).unwrap_or("");
    let t = s.trim_start_matches('\u{feff}').trim();
    let ext = name_hint
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let json_shaped =
        (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('[') && t.ends_with(']'));
    if json_shaped && (ext == "json" || ext.is_empty() || ext == "txt") {
        return "application/json";
    }
    match ext.as_str() {
        "csv" => "text/csv; charset=utf-8",
        "md" | "markdown" => "text/markdown; charset=utf-8",
        _ => "text/plain; charset=utf-8",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes_decide() {
        assert_eq!(sniff(b"%PDF-1.7\n...", "x.txt"), "application/pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0", "a.pdf"), "image/png");
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0], "a"), "image/jpeg");
        assert_eq!(sniff(b"GIF89a\x01\x00", ""), "image/gif");
        assert_eq!(sniff(b"RIFF\x10\0\0\0WEBPVP8 ", ""), "image/webp");
        assert_eq!(sniff(b"PK\x03\x04rest", "a.docx"), "application/zip");
        let docx = b"PK\x03\x04....[Content_Types].xml....word/document.xml";
        assert_eq!(sniff(docx, "a.zip"), DOCX);
        let xlsx = b"PK\x03\x04....[Content_Types].xml....xl/workbook.xml";
        assert_eq!(sniff(xlsx, ""), XLSX);
        let pptx = b"PK\x03\x04....[Content_Types].xml....ppt/presentation.xml";
        assert_eq!(sniff(pptx, ""), PPTX);
        let odt = b"PK\x03\x04.........mimetypeapplication/vnd.oasis.opendocument.textPK";
        assert_eq!(sniff(odt, ""), ODT);
    }

    #[test]
    fn text_is_utf8_and_the_name_only_picks_the_text_kind() {
        assert_eq!(
            sniff(b"hello\nworld\n", "notes"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            sniff(b"a,b\n1,2\n", "export.CSV"),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            sniff(b"# Title\n", "readme.md"),
            "text/markdown; charset=utf-8"
        );
        assert_eq!(sniff(b" {\"a\": 1}\n", "data.json"), "application/json");
        assert_eq!(sniff(b"[1, 2]", ""), "application/json");
        // An HTML page is text, never text/html.
        assert_eq!(
            sniff(b"<html><script>alert(1)</script></html>", "x.html"),
            "text/plain; charset=utf-8"
        );
        // A name cannot make binary into text, nor text into a PDF.
        assert_eq!(sniff(b"\x00\x01\x02binary", "a.txt"), OCTET_STREAM);
        assert_eq!(sniff(&[0xC3, 0x28], "a.csv"), OCTET_STREAM);
        assert_eq!(
            sniff(b"just text", "report.pdf"),
            "text/plain; charset=utf-8"
        );
        assert_eq!(sniff(b"", "x"), "text/plain; charset=utf-8");
    }
}
