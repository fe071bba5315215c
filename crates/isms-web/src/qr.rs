//! QR codes drawn as SVG on the server (for enrolling an authenticator app).

use qrcodegen::{QrCode, QrCodeEcc};

/// An SVG image of `text` as a QR code, or an empty string if it cannot be encoded.
pub fn svg(text: &str) -> String {
    let Ok(qr) = QrCode::encode_text(text, QrCodeEcc::Medium) else {
        return String::new();
    };
    let border = 4;
    let size = qr.size();
    let dim = size + border * 2;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {dim} {dim}\" width=\"220\" height=\"220\" role=\"img\" aria-label=\"QR code for your authenticator app\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/><path d=\"{path}\" fill=\"#000000\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_svg() {
        let s = super::svg("otpauth://totp/x?secret=ABC");
        assert!(s.starts_with("<svg"));
        assert!(s.contains("<path d=\"M"));
    }
}
