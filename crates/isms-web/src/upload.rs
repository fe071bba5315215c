//! Multipart uploads: one file and some text fields. The body is read as a stream (the
//! 1 MiB limit of JSON and forms does not apply here); the file goes chunk by chunk
//! through the hasher into a buffer that never grows past the upload limit
//! (`Settings::upload_limit_bytes`, `--upload-limit-mb`). Past the limit the rest of the
//! body is read and thrown away, so the client gets its 413 answer, and nothing is
//! stored. The client's content type is ignored; its file name is passed on to be
//! sanitised.

use crate::AppState;
use crate::error::ApiError;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use isms_app::blobs::Spool;
use isms_app::blobs::Upload;

/// Longest text field, in bytes.
const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Most fields in one upload.
const MAX_FIELDS: usize = 200;
/// The field that carries the file.
pub const FILE_FIELD: &str = "file";

/// A multipart body: its text fields in order and the file, if one was sent.
#[derive(Debug, Default)]
pub struct MultipartBody {
    pub fields: Vec<(String, String)>,
    pub file: Option<Upload>,
}

impl MultipartBody {
    /// The first value of a text field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a repeated text field.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Why a body could not be read.
#[derive(Debug)]
pub enum UploadError {
    /// The file (or the fields) passed the limit.
    TooLarge,
    /// Not a multipart body, or a broken one.
    Malformed(String),
}

/// Whether the request says it carries `multipart/form-data`.
pub fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Read a multipart body with `limit` bytes for the file.
pub async fn read_multipart(req: Request, limit: u64) -> Result<MultipartBody, UploadError> {
    let ct = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let boundary = multer::parse_boundary(&ct).map_err(|_| {
        UploadError::Malformed("send the upload as multipart/form-data with a boundary".into())
    })?;
    let mut mp = multer::Multipart::new(req.into_body().into_data_stream(), boundary);
    let mut out = MultipartBody::default();
    // Bytes read in all; once past the limit only counted (and dropped) up to a cap, so
    // the client can finish sending and read the answer.
    let mut total: u64 = 0;
    let drain_cap = limit.saturating_mul(2).saturating_add(16 * 1024 * 1024);
    let mut too_large = false;
    let broken =
        |e: multer::Error| UploadError::Malformed(format!("the upload could not be read: {e}"));
    while let Some(mut field) = mp.next_field().await.map_err(broken)? {
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        if too_large {
            while let Some(c) = field.chunk().await.map_err(broken)? {
                total += c.len() as u64;
                if total > drain_cap {
                    return Err(UploadError::TooLarge);
                }
            }
            continue;
        }
        match file_name {
            Some(file_name) => {
                if name != FILE_FIELD {
                    return Err(UploadError::Malformed(format!(
                        "send the file in the field \"{FILE_FIELD}\" (got \"{name}\")"
                    )));
                }
                if out.file.is_some() {
                    return Err(UploadError::Malformed("send one file per upload".into()));
                }
                let mut spool = Spool::new(limit);
                while let Some(c) = field.chunk().await.map_err(broken)? {
                    total += c.len() as u64;
                    if spool.push(&c).is_err() {
                        too_large = true;
                        break;
                    }
                }
                if too_large {
                    drop(spool);
                    while let Some(c) = field.chunk().await.map_err(broken)? {
                        total += c.len() as u64;
                        if total > drain_cap {
                            return Err(UploadError::TooLarge);
                        }
                    }
                    continue;
                }
                // A file input left empty sends a part with an empty name and no bytes.
                let content = spool.finish();
                if !(file_name.is_empty() && content.is_empty()) {
                    out.file = Some(Upload { file_name, content });
                }
            }
            None => {
                if out.fields.len() >= MAX_FIELDS {
                    return Err(UploadError::Malformed(format!(
                        "send at most {MAX_FIELDS} fields"
                    )));
                }
                let mut buf: Vec<u8> = Vec::new();
                while let Some(c) = field.chunk().await.map_err(broken)? {
                    total += c.len() as u64;
                    if buf.len() + c.len() > MAX_FIELD_BYTES {
                        return Err(UploadError::Malformed(format!(
                            "the field \"{name}\" is longer than {} KiB",
                            MAX_FIELD_BYTES / 1024
                        )));
                    }
                    buf.extend_from_slice(&c);
                }
                let value = String::from_utf8(buf).map_err(|_| {
                    UploadError::Malformed(format!("the field \"{name}\" is not UTF-8 text"))
                })?;
                out.fields.push((name, value));
            }
        }
    }
    if too_large {
        return Err(UploadError::TooLarge);
    }
    Ok(out)
}

/// A multipart body sent to the API.
pub struct ApiMultipart(pub MultipartBody);

impl FromRequest<AppState> for ApiMultipart {
    type Rejection = ApiError;
    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        if !is_multipart(req.headers()) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "send the upload as multipart/form-data",
            ));
        }
        match read_multipart(req, st.app.upload_limit()).await {
            Ok(b) => Ok(ApiMultipart(b)),
            Err(UploadError::TooLarge) => Err(st.app.too_large().into()),
            Err(UploadError::Malformed(m)) => Err(ApiError::bad_request(m)),
        }
    }
}

/// A multipart form from a signed-in person, with its `_csrf` field checked before
/// anything in it is used.
pub struct WebMultipart(pub MultipartBody);

impl FromRequest<AppState> for WebMultipart {
    type Rejection = Response;
    async fn from_request(req: Request, st: &AppState) -> Result<Self, Self::Rejection> {
        let expected = crate::auth::session_csrf(&req);
        if !is_multipart(req.headers()) {
            return Err((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the form must be sent as multipart/form-data",
            )
                .into_response());
        }
        let body = match read_multipart(req, st.app.upload_limit()).await {
            Ok(b) => b,
            Err(UploadError::TooLarge) => return Err(crate::html::error_page(&st.app.too_large())),
            Err(UploadError::Malformed(m)) => {
                return Err((StatusCode::BAD_REQUEST, m).into_response());
            }
        };
        if !crate::auth::csrf_ok(expected.as_deref(), body.get("_csrf").unwrap_or("")) {
            return Err(crate::auth::csrf_refused());
        }
        Ok(WebMultipart(body))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(parts: &[(&str, Option<&str>, &[u8])]) -> Request {
        let mut body = Vec::new();
        for (name, file, data) in parts {
            body.extend_from_slice(b"--XyZ\r\n");
            match file {
                Some(f) => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/html\r\n\r\n").as_bytes(),
                ),
                None => body.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                ),
            }
            body.extend_from_slice(data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(b"--XyZ--\r\n");
        Request::builder()
            .method("POST")
            .uri("/")
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
            .body(Body::from(body))
            .unwrap()
    }

    #[tokio::test]
    async fn fields_and_the_file_are_read_and_hashed() {
        let req = request(&[
            ("_csrf", None, b"tok"),
            ("title", None, b"Access review"),
            ("controls", None, b"5.15"),
            ("controls", None, b"5.18"),
            ("file", Some("../../x.csv"), b"a,b\n1,2\n"),
        ]);
        let b = read_multipart(req, 1024).await.unwrap();
        assert_eq!(b.get("title"), Some("Access review"));
        assert_eq!(b.all("controls"), vec!["5.15", "5.18"]);
        let f = b.file.unwrap();
        assert_eq!(f.file_name, "../../x.csv", "sanitised later, by the store");
        assert_eq!(f.content.bytes(), b"a,b\n1,2\n");
        assert_eq!(
            f.content,
            isms_app::blobs::HashedBytes::of(b"a,b\n1,2\n".to_vec())
        );
    }

    #[tokio::test]
    async fn a_file_over_the_limit_is_refused_after_the_body_is_read() {
        let big = vec![b'x'; 5000];
        let req = request(&[("file", Some("big.txt"), &big), ("title", None, b"after")]);
        assert!(matches!(
            read_multipart(req, 4096).await,
            Err(UploadError::TooLarge)
        ));
        let req = request(&[("file", Some("ok.txt"), &big[..4096])]);
        assert_eq!(
            read_multipart(req, 4096)
                .await
                .unwrap()
                .file
                .unwrap()
                .content
                .len(),
            4096
        );
    }

    #[tokio::test]
    async fn broken_bodies_are_malformed_not_errors_inside() {
        let req = request(&[("file", Some("a"), b"1"), ("file", Some("b"), b"2")]);
        assert!(matches!(
            read_multipart(req, 100).await,
            Err(UploadError::Malformed(_))
        ));
        let req = request(&[("other", Some("a"), b"1")]);
        assert!(matches!(
            read_multipart(req, 100).await,
            Err(UploadError::Malformed(_))
        ));
        let long = vec![b'y'; MAX_FIELD_BYTES + 1];
        let req = request(&[("title", None, &long)]);
        assert!(matches!(
            read_multipart(req, 100).await,
            Err(UploadError::Malformed(_))
        ));
        let req = Request::builder()
            .method("POST")
            .header(header::CONTENT_TYPE, "multipart/form-data")
            .body(Body::from("x"))
            .unwrap();
        assert!(matches!(
            read_multipart(req, 100).await,
            Err(UploadError::Malformed(_))
        ));
        // An empty file input sends no file.
        let req = request(&[("file", Some(""), b""), ("title", None, b"t")]);
        assert!(read_multipart(req, 100).await.unwrap().file.is_none());
    }
}
