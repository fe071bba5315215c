//! Markdown written by people (document versions, notes) turned into HTML that is safe to
//! put in a page: pulldown-cmark renders it, ammonia keeps only harmless tags and
//! attributes. Raw HTML in the source is never trusted: scripts, event handlers, `style`,
//! `javascript:` and `data:` links are all removed.

use pulldown_cmark::{Options, Parser, html};

/// Render `md` (CommonMark with tables, strikethrough and task lists) to sanitised HTML.
pub fn to_safe_html(md: &str) -> String {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut raw = String::with_capacity(md.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(md, opts));
    ammonia::Builder::default()
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .clean(&raw)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::to_safe_html;

    #[test]
    fn renders_ordinary_markdown() {
        let h = to_safe_html(
            "# Access control\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n**bold** [link](https://example.com)",
        );
        assert!(h.contains("<h1>Access control</h1>"), "{h}");
        assert!(h.contains("<table>") && h.contains("<td>1</td>"), "{h}");
        assert!(h.contains("<strong>bold</strong>"), "{h}");
        assert!(h.contains("href=\"https://example.com\""), "{h}");
        assert!(h.contains("type=\"checkbox\""), "{h}");
    }

    #[test]
    fn hostile_markdown_cannot_inject_script() {
        let hostile = concat!(
            "<script>alert(1)</script>\n\n",
            "<img src=x onerror=alert(2)>\n\n",
            "[click](javascript:alert(3))\n\n",
            "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg0KTwvc2NyaXB0Pg==)\n\n",
            "<a href=\"javascript:alert(5)\">x</a>\n\n",
            "<iframe src=\"https://evil.example\"></iframe>\n\n",
            "<div style=\"background:url(javascript:alert(6))\" onclick=\"alert(7)\">y</div>\n\n",
            "<svg><script>alert(8)</script></svg>\n\n",
            "<form action=\"https://evil.example\"><input name=q></form>\n\n",
            "![i](javascript:alert(9))",
        );
        let h = to_safe_html(hostile).to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "data:text",
            "<iframe",
            "onclick",
            "style=",
            "<svg",
            "<form",
            "alert(8)",
        ] {
            assert!(!h.contains(bad), "{bad} survived in {h}");
        }
    }
}
