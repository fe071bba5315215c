//! The blob store as services see it: store an upload (sniffed, hashed, content-addressed)
//! inside the caller's transaction, read it back verifying its hash, and walk the whole
//! store to find bytes that no longer match.
//!
//! The file name a client sends is cleaned for display and never used to store or find
//! bytes; the content type a client sends is never used at all.

use crate::orgs::OrgCtx;
use crate::{App, AppError, AppResult};
use isms_blob::ContentHash;
pub use isms_blob::{HashedBytes, Spool, content_disposition, sanitise_file_name};
use isms_db::blobs::{self as store, BlobRow};
use isms_db::{Ts, Tx};
use isms_domain::ValidationError;
use isms_domain::rbac::Permission;
use uuid::Uuid;

/// A file received from a client: the name it gave and the bytes, hashed as they came in.
#[derive(Debug, Clone)]
pub struct Upload {
    pub file_name: String,
    pub content: HashedBytes,
}

impl Upload {
    /// An upload from bytes already in memory (demo data, imports, tests).
    pub fn from_bytes(file_name: &str, bytes: Vec<u8>) -> Self {
        Self {
            file_name: file_name.to_owned(),
            content: HashedBytes::of(bytes),
        }
    }
}

/// What was stored for an upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// SHA-256 of the bytes, 64 lower-case hex characters.
    pub sha256: String,
    pub size: i64,
    /// Sniffed from the bytes.
    pub content_type: String,
    /// The client's name, sanitised: for display and the download's suggested name only.
    pub file_name: String,
}

/// A stored file read back, its hash checked.
#[derive(Debug, Clone)]
pub struct FileBytes {
    pub bytes: Vec<u8>,
    pub content_type: String,
    pub sha256: String,
}

/// A blob whose bytes no longer hash to the name it is stored under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadBlob {
    pub org_id: Uuid,
    /// The recorded hash.
    pub sha256: String,
    /// What the stored bytes hash to now.
    pub actual: String,
}

/// The outcome of walking the whole blob store.
#[derive(Debug, Clone, Default)]
pub struct BlobCheck {
    pub checked: u64,
    pub bad: Vec<BadBlob>,
}

/// Blobs read per query while verifying (each can be as large as the upload limit).
const VERIFY_BATCH: i64 = 8;

impl App {
    /// The largest upload accepted, in bytes.
    pub fn upload_limit(&self) -> u64 {
        self.settings.upload_limit_bytes
    }

    /// The refusal for an upload over the limit.
    pub fn too_large(&self) -> AppError {
        let limit = self.upload_limit();
        AppError::TooLarge(format!(
            "the file is larger than the upload limit of {}; nothing was stored",
            human_size(limit)
        ))
    }

    /// Store `up` for the organisation inside `tx` (idempotent: the same bytes are kept
    /// once) and say what was stored. Refuses empty files (422) and files over the limit
    /// (413). The caller has authorised the change and records it.
    pub async fn store_upload_tx(
        &self,
        tx: &mut Tx,
        org_id: Uuid,
        up: &Upload,
    ) -> AppResult<StoredFile> {
        if up.content.len() > self.upload_limit() {
            return Err(self.too_large());
        }
        if up.content.is_empty() {
            return Err(
                ValidationError::single("file", "is empty; choose a file with content").into(),
            );
        }
        let content_type = isms_blob::sniff(up.content.bytes(), &up.file_name).to_owned();
        let sha256 = up.content.hash().as_str().to_owned();
        let size = i64::try_from(up.content.len()).map_err(|_| self.too_large())?;
        store::put(
            tx,
            &BlobRow {
                id: Uuid::now_v7(),
                org_id,
                sha256: sha256.clone(),
                size,
                content_type: content_type.clone(),
                data: up.content.bytes().to_vec(),
                created_at: Ts(self.now()),
            },
        )
        .await?;
        Ok(StoredFile {
            sha256,
            size,
            content_type,
            file_name: isms_blob::sanitise_file_name(&up.file_name),
        })
    }

    /// Read a stored file of the organisation back, checking its hash: bytes that no
    /// longer match are never returned (an integrity error, logged). `what` names the
    /// record for the message (`EV-0003`). The caller has checked access to the record.
    pub async fn read_file(&self, ctx: &OrgCtx, sha256: &str, what: &str) -> AppResult<FileBytes> {
        ctx.require(Permission::Read, "download files")?;
        let mut c = self.db.read().await?;
        let row = store::get(&mut c, ctx.org.id, sha256)
            .await?
            .ok_or(AppError::NotFound("file"))?;
        let recorded = ContentHash::parse(&row.sha256);
        if recorded
            .as_ref()
            .is_none_or(|h| !isms_blob::verify(&row.data, h))
        {
            let actual = ContentHash::of(&row.data);
            tracing::error!(
                org = %ctx.org.slug, record = what, recorded = %row.sha256, actual = %actual,
                "stored file does not match its recorded SHA-256; not served"
            );
            return Err(AppError::Integrity(format!(
                "the stored file of {what} no longer matches its recorded SHA-256 and was not served; \
                 the instance administrator should run `isms evidence verify` and restore the file from a backup"
            )));
        }
        Ok(FileBytes {
            bytes: row.data,
            content_type: row.content_type,
            sha256: row.sha256,
        })
    }

    /// Re-hash every stored blob of every organisation, a few at a time.
    pub async fn verify_blob_store(&self) -> AppResult<BlobCheck> {
        let mut out = BlobCheck::default();
        let mut after: Option<(Uuid, String)> = None;
        loop {
            let mut c = self.db.read().await?;
            let rows = store::batch_after(
                &mut c,
                after.as_ref().map(|(o, s)| (*o, s.as_str())),
                VERIFY_BATCH,
            )
            .await?;
            drop(c);
            let n = rows.len();
            for r in rows {
                out.checked += 1;
                let ok =
                    ContentHash::parse(&r.sha256).is_some_and(|h| isms_blob::verify(&r.data, &h));
                if !ok {
                    out.bad.push(BadBlob {
                        org_id: r.org_id,
                        sha256: r.sha256.clone(),
                        actual: ContentHash::of(&r.data).to_string(),
                    });
                }
                after = Some((r.org_id, r.sha256));
            }
            if n < VERIFY_BATCH as usize {
                break;
            }
        }
        Ok(out)
    }
}

/// `25 MiB`, `512 KiB`, `800 bytes`.
pub fn human_size(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= KIB {
        format!("{:.0} KiB", n as f64 / KIB as f64)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(human_size(25 * 1024 * 1024), "25 MiB");
        assert_eq!(human_size(1536 * 1024), "1.5 MiB");
        assert_eq!(human_size(2048), "2 KiB");
        assert_eq!(human_size(800), "800 bytes");
    }
}
