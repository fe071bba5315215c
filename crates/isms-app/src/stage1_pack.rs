//! The Stage 1 document pack: the documented information a certification body reads at
//! Stage 1 (scope, policy, risk method, SoA, risk treatment plan, objectives, the latest
//! internal audit report and management review minutes), each in the version in force, as
//! PDF and Markdown in one zip. A README says what is inside and what is missing or only
//! in draft; `manifest.json` and `SHA256SUMS` give each file's SHA-256 so that an external
//! auditor can check that nothing changed after the export.

use crate::exports::{ExportFile, report_bytes};
use crate::internal_audits::AuditQuery;
use crate::orgs::OrgCtx;
use crate::{App, AppError, AppResult};
use isms_domain::foundation::registers::Objective;
use isms_domain::foundation::scope::{PolicyContent, ScopeContent};
use isms_domain::foundation::versioned::{VersionStatus, VersionedContent};
use isms_domain::time::format_date;
use isms_export::archive::ArchiveFile;
use isms_export::{Report, Table, TableFormat};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// Whether a document made it into the pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PackState {
    /// In the pack, in the version in force.
    Included,
    /// Only a draft (or an audit or review not yet done) exists: not in the pack.
    DraftOnly,
    /// Nothing recorded yet.
    Missing,
}

impl PackState {
    pub fn label(self) -> &'static str {
        match self {
            PackState::Included => "included",
            PackState::DraftOnly => "only in draft, not included",
            PackState::Missing => "missing",
        }
    }
}

/// One file of the pack with its SHA-256.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackFile {
    /// The path inside the zip (`01-scope-v2.pdf`).
    pub path: String,
    /// SHA-256 of the file's bytes, lower-case hex.
    pub sha256: String,
    pub bytes: u64,
}

/// One document of the pack: what it is, which version, who approved it, its files.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackItem {
    /// `scope`, `policy`, `risk-method`, `soa`, `risk-treatment-plan`, `objectives`,
    /// `internal-audit`, `management-review`.
    pub key: &'static str,
    pub title: &'static str,
    /// The ISO/IEC 27001:2022 clause that requires it.
    pub clause: &'static str,
    pub state: PackState,
    /// "version 2", "AUD-2026-01", "as of 2026-12-01".
    pub version: Option<String>,
    /// YYYY-MM-DD.
    pub approved_on: Option<String>,
    pub approved_by: Option<String>,
    /// What a reader should know (what is in draft, what is not yet approved).
    pub note: String,
    pub files: Vec<PackFile>,
}

/// What the pack holds, as written into `manifest.json`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PackManifest {
    pub organisation: String,
    /// YYYY-MM-DD. (No time of day: the same records give the same pack all day long.)
    pub generated_on: String,
    pub items: Vec<PackItem>,
}

/// What was found for one item: its entry in the manifest and, when included, the
/// document and the stem of its file names.
struct Found {
    item: PackItem,
    doc: Option<(String, Report)>,
}

fn item(key: &'static str, title: &'static str, clause: &'static str) -> PackItem {
    PackItem {
        key,
        title,
        clause,
        state: PackState::Missing,
        version: None,
        approved_on: None,
        approved_by: None,
        note: String::new(),
        files: Vec::new(),
    }
}

/// The approved version in force of a versioned document.
struct InForce {
    number: i64,
    approved_at: Option<String>,
    approved_by: Option<String>,
}

/// The manifest entry of a versioned document (scope, policy, risk method, SoA): included
/// in the approved version, else only in draft, else missing.
fn versioned(
    mut it: PackItem,
    approved: Option<InForce>,
    draft: Option<i64>,
    approve_hint: &str,
    missing: &str,
) -> PackItem {
    match (approved, draft) {
        (Some(a), draft) => {
            it.state = PackState::Included;
            it.version = Some(format!("version {}", a.number));
            it.approved_on = day_of(&a.approved_at);
            it.approved_by = a.approved_by;
            if draft.is_some() {
                it.note = "A newer draft exists; the pack holds the approved version.".into();
            }
        }
        (None, Some(n)) => {
            it.state = PackState::DraftOnly;
            it.version = Some(format!("version {n} (draft)"));
            it.note = approve_hint.into();
        }
        (None, None) => it.note = missing.into(),
    }
    it
}

fn day_of(rfc3339: &Option<String>) -> Option<String> {
    rfc3339
        .as_deref()
        .map(|t| t.get(..10).unwrap_or(t).to_owned())
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Markdown table cells: no line breaks, no pipes.
fn cell(s: &str) -> String {
    s.replace(['\n', '\r'], " ").replace('|', "/")
}

impl App {
    /// `isms export stage1-pack --format zip`: the pack comes only as a zip.
    pub async fn stage1_pack_export(&self, ctx: &OrgCtx, format: &str) -> AppResult<ExportFile> {
        match format.trim().to_ascii_lowercase().as_str() {
            "" | "zip" => self.stage1_pack_file(ctx).await,
            other => Err(isms_domain::ValidationError::single(
                "format",
                format!(
                    "\"{other}\" is not a format of the Stage 1 pack; it is a zip (--format zip)"
                ),
            )
            .into()),
        }
    }

    /// The Stage 1 document pack as a zip (`isms export stage1-pack`).
    pub async fn stage1_pack_file(&self, ctx: &OrgCtx) -> AppResult<ExportFile> {
        let found = vec![
            self.pack_doc::<ScopeContent>(ctx, "scope", "Scope of the ISMS", "4.3")
                .await?,
            self.pack_doc::<PolicyContent>(ctx, "policy", "Information security policy", "5.2")
                .await?,
            self.pack_risk_method(ctx).await?,
            self.pack_soa(ctx).await?,
            self.pack_treatment_plan(ctx).await?,
            self.pack_objectives(ctx).await?,
            self.pack_internal_audit(ctx).await?,
            self.pack_review(ctx).await?,
        ];
        let mut files = Vec::new();
        let mut items = Vec::new();
        for (n, f) in found.into_iter().enumerate() {
            let mut item = f.item;
            if let Some((stem, doc)) = f.doc {
                for fmt in [TableFormat::Pdf, TableFormat::Markdown] {
                    let r = &doc;
                    let bytes = report_bytes(r.clone(), fmt).await?;
                    let path = format!("{:02}-{stem}.{}", n + 1, fmt.extension());
                    item.files.push(PackFile {
                        path: path.clone(),
                        sha256: sha256_hex(&bytes),
                        bytes: bytes.len() as u64,
                    });
                    files.push(ArchiveFile { path, bytes });
                }
            }
            items.push(item);
        }
        let today = self.today();
        let manifest = PackManifest {
            organisation: ctx.org.name.clone(),
            generated_on: format_date(today),
            items,
        };
        let json =
            serde_json::to_vec_pretty(&manifest).map_err(|e| AppError::Internal(e.to_string()))?;
        let sums: String = manifest
            .items
            .iter()
            .flat_map(|i| &i.files)
            .map(|f| format!("{}  {}\n", f.sha256, f.path))
            .collect();
        let mut all = vec![
            ArchiveFile {
                path: "README.md".into(),
                bytes: pack_readme(&manifest).into_bytes(),
            },
            ArchiveFile {
                path: "manifest.json".into(),
                bytes: json,
            },
            ArchiveFile {
                path: "SHA256SUMS".into(),
                bytes: sums.into_bytes(),
            },
        ];
        all.extend(files);
        let bytes = crate::exports::zip_bytes(all, today).await?;
        Ok(ExportFile {
            bytes,
            content_type: "application/zip",
            file_name: format!("{}-stage1-pack-{}.zip", ctx.org.slug, format_date(today)),
        })
    }

    async fn pack_doc<C: VersionedContent>(
        &self,
        ctx: &OrgCtx,
        key: &'static str,
        title: &'static str,
        clause: &'static str,
    ) -> AppResult<Found> {
        let approved = self
            .doc_in_status::<C>(ctx, VersionStatus::Approved)
            .await?;
        let draft = self.doc_in_status::<C>(ctx, VersionStatus::Draft).await?;
        let it = versioned(
            item(key, title, clause),
            approved.as_ref().map(|d| InForce {
                number: d.number,
                approved_at: d.approved_at.clone(),
                approved_by: d.approved_by.clone(),
            }),
            draft.map(|d| d.number),
            "Approve the draft before Stage 1: the auditor reads the version in force.",
            &format!("No {} is written yet.", C::KIND.label()),
        );
        let doc = match approved {
            Some(d) => {
                let (report, number) = self.doc_report::<C>(ctx, d.id).await?;
                Some((format!("{key}-v{number}"), report))
            }
            None => None,
        };
        Ok(Found { item: it, doc })
    }

    async fn pack_risk_method(&self, ctx: &OrgCtx) -> AppResult<Found> {
        let methods = self.list_risk_methods(ctx).await?;
        let approved = methods.iter().find(|m| m.is_approved());
        let it = versioned(
            item("risk-method", "Risk assessment method", "6.1.2"),
            approved.map(|m| InForce {
                number: m.number,
                approved_at: m.approved_at.clone(),
                approved_by: m.approved_by.clone(),
            }),
            methods.iter().find(|m| m.is_draft()).map(|m| m.number),
            "Approve the method: risks are assessed by the approved method.",
            "No risk assessment method is set up yet.",
        );
        let doc = match approved {
            Some(m) => Some((
                format!("risk-method-v{}", m.number),
                self.risk_method_report(ctx, m.id).await?,
            )),
            None => None,
        };
        Ok(Found { item: it, doc })
    }

    async fn pack_soa(&self, ctx: &OrgCtx) -> AppResult<Found> {
        let versions = self.list_soa_versions(ctx, None, Some(100)).await?.items;
        let approved = versions.iter().find(|v| v.status == "approved");
        let it = versioned(
            item("soa", "Statement of Applicability", "6.1.3 d"),
            approved.map(|v| InForce {
                number: v.number,
                approved_at: v.approved_at.clone(),
                approved_by: v.approved_by.clone(),
            }),
            versions.iter().find(|v| v.is_draft()).map(|v| v.number),
            "Approve the SoA: Stage 1 reviews the approved version.",
            "No Statement of Applicability is started yet.",
        );
        let doc = match approved {
            Some(v) => {
                let d = self.get_soa(ctx, v.number, None).await?;
                Some((format!("soa-v{}", v.number), self.soa_report(ctx, &d)))
            }
            None => None,
        };
        Ok(Found { item: it, doc })
    }

    async fn pack_treatment_plan(&self, ctx: &OrgCtx) -> AppResult<Found> {
        let mut it = item("risk-treatment-plan", "Risk treatment plan", "6.1.3 e");
        let empty = self
            .list_risks(
                ctx,
                &crate::risks::RiskQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?
            .items
            .is_empty();
        if empty {
            it.note = "The risk register is empty: assess the risks first.".into();
            return Ok(Found {
                item: it,
                doc: None,
            });
        }
        let report = self.treatment_plan_report(ctx).await?;
        it.state = PackState::Included;
        it.version = Some(format!("as of {}", format_date(self.today())));
        it.note = "Drawn from the risk register on the day of the export; the risk owners' acceptances are listed inside.".into();
        Ok(Found {
            item: it,
            doc: Some(("risk-treatment-plan".into(), report)),
        })
    }

    async fn pack_objectives(&self, ctx: &OrgCtx) -> AppResult<Found> {
        let mut it = item("objectives", "Information security objectives", "6.2");
        let all = self.all_entries::<Objective>(ctx).await?;
        let (approved, other): (Vec<_>, Vec<_>) = all
            .into_iter()
            .partition(|e| e.approved_at.is_some() && e.data.status != "draft");
        let drafts: Vec<String> = other
            .iter()
            .filter(|e| e.data.status == "draft")
            .map(|e| format!("{} {}", e.reference, e.data.title))
            .collect();
        let draft_note = if drafts.is_empty() {
            String::new()
        } else {
            format!("Only in draft, not included: {}.", drafts.join("; "))
        };
        if approved.is_empty() {
            it.state = if drafts.is_empty() {
                PackState::Missing
            } else {
                PackState::DraftOnly
            };
            it.note = if drafts.is_empty() {
                "No objective is recorded yet.".into()
            } else {
                draft_note
            };
            return Ok(Found {
                item: it,
                doc: None,
            });
        }
        it.state = PackState::Included;
        it.version = Some(format!(
            "{} approved objective{}",
            approved.len(),
            if approved.len() == 1 { "" } else { "s" }
        ));
        it.approved_on = approved.iter().filter_map(|e| day_of(&e.approved_at)).max();
        let mut by: Vec<String> = approved
            .iter()
            .filter_map(|e| e.approved_by.clone())
            .collect();
        by.sort();
        by.dedup();
        it.approved_by = (!by.is_empty()).then(|| by.join(", "));
        it.note = draft_note;
        let rows = approved
            .iter()
            .map(|e| {
                let o = &e.data;
                let measured = [
                    o.metric.as_str(),
                    o.metric_method.as_str(),
                    o.metric_frequency.as_str(),
                ]
                .into_iter()
                .filter(|x| !x.trim().is_empty())
                .collect::<Vec<_>>()
                .join("; ");
                vec![
                    e.reference.clone(),
                    o.title.clone(),
                    o.target.clone(),
                    o.due_on.clone().unwrap_or_default(),
                    measured,
                    e.person_name.clone().unwrap_or_default(),
                    o.status.clone(),
                    format!(
                        "{} {}",
                        day_of(&e.approved_at).unwrap_or_default(),
                        e.approved_by.clone().unwrap_or_default()
                    )
                    .trim()
                    .to_owned(),
                ]
            })
            .collect();
        let report = Report {
            title: format!("Information security objectives: {}", ctx.org.name),
            meta: vec![
                ("Organisation".into(), ctx.org.name.clone()),
                ("Clause".into(), "ISO/IEC 27001:2022 6.2".into()),
                ("Report date".into(), format_date(self.today())),
            ],
            sections: vec![isms_export::Section {
                heading: "Approved objectives".into(),
                paragraphs: vec!["Each objective with its target, the date it is due, how and how often it is measured, who owns it, and who approved it. Drafts are not included.".into()],
                table: Some(Table {
                    title: String::new(),
                    headers: ["Ref", "Objective", "Target", "Due", "Measured by", "Owner", "Status", "Approved"]
                        .map(str::to_owned)
                        .to_vec(),
                    rows,
                }),
                ..Default::default()
            }],
            landscape: true,
            title_page: false,
        };
        Ok(Found {
            item: it,
            doc: Some(("objectives".into(), report)),
        })
    }

    async fn pack_internal_audit(&self, ctx: &OrgCtx) -> AppResult<Found> {
        let mut it = item("internal-audit", "Internal audit report", "9.2");
        let done = self
            .list_audits(
                ctx,
                &AuditQuery {
                    status: Some("completed".into()),
                    limit: Some(1),
                    cursor: None,
                },
            )
            .await?
            .items;
        if let Some(a) = done.into_iter().next() {
            let report = self.audit_report(ctx, a.id).await?;
            it.state = PackState::Included;
            it.version = Some(a.reference.clone());
            it.approved_on = a.actual_end.clone();
            it.approved_by = a.lead_auditor_name.or(a.lead_auditor_external);
            it.note = format!("The latest completed internal audit: {}.", a.title);
            return Ok(Found {
                item: it,
                doc: Some((
                    format!("internal-audit-{}", a.reference.to_lowercase()),
                    report,
                )),
            });
        }
        let any = self
            .list_audits(
                ctx,
                &AuditQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?
            .items;
        match any.first() {
            Some(a) => {
                it.state = PackState::DraftOnly;
                it.version = Some(a.reference.clone());
                it.note = format!(
                    "{} is {}; Stage 1 expects a completed internal audit.",
                    a.reference,
                    a.status.replace('_', " ")
                );
            }
            None => it.note = "No internal audit is planned yet.".into(),
        }
        Ok(Found {
            item: it,
            doc: None,
        })
    }

    async fn pack_review(&self, ctx: &OrgCtx) -> AppResult<Found> {
        let mut it = item("management-review", "Management review minutes", "9.3");
        let reviews = self.list_reviews(ctx, None, None, Some(50)).await?.items;
        if let Some(s) = reviews.iter().find(|r| r.status != "planned") {
            let r = self.get_review(ctx, s.id).await?;
            let report = crate::reviews::minutes_report(&ctx.org.name, &r);
            it.state = PackState::Included;
            it.version = Some(match &r.held_on {
                Some(d) => format!("{}, held {d}", r.review_ref),
                None => r.review_ref.clone(),
            });
            it.approved_on = day_of(&r.approved_at);
            it.approved_by = r.approved_by_name.clone();
            if r.approved_at.is_none() {
                it.note = "The review was held; its minutes are not yet approved.".into();
            }
            return Ok(Found {
                item: it,
                doc: Some((
                    format!("management-review-{}-minutes", r.review_ref.to_lowercase()),
                    report,
                )),
            });
        }
        match reviews.first() {
            Some(r) => {
                it.state = PackState::DraftOnly;
                it.version = Some(r.review_ref.clone());
                it.note = format!(
                    "{} is planned for {}; Stage 1 expects a review that was held.",
                    r.review_ref, r.planned_on
                );
            }
            None => it.note = "No management review is scheduled yet.".into(),
        }
        Ok(Found {
            item: it,
            doc: None,
        })
    }
}

/// The README of the pack: what is inside, what is missing, how to check the files.
fn pack_readme(m: &PackManifest) -> String {
    let mut s = format!(
        "# Stage 1 document pack: {}\n\nExported on {} from ISMS Workbench. Each document is the version in force, as PDF and as Markdown (the same content, for reading and for comparing).\n\n",
        m.organisation, m.generated_on
    );
    let gaps: Vec<&PackItem> = m
        .items
        .iter()
        .filter(|i| i.state != PackState::Included)
        .collect();
    if gaps.is_empty() {
        s.push_str("Every document Stage 1 reviews is included.\n\n");
    } else {
        s.push_str("Not included:\n\n");
        for i in &gaps {
            s.push_str(&format!(
                "- {} ({}): {}. {}\n",
                i.title,
                i.clause,
                i.state.label(),
                i.note
            ));
        }
        s.push('\n');
    }
    s.push_str("## Contents\n\n| Document | Clause | State | Version | Approved on | Approved by | Files |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for i in &m.items {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            cell(i.title),
            i.clause,
            i.state.label(),
            cell(i.version.as_deref().unwrap_or("—")),
            i.approved_on.as_deref().unwrap_or("—"),
            cell(i.approved_by.as_deref().unwrap_or("—")),
            if i.files.is_empty() {
                "—".to_owned()
            } else {
                i.files
                    .iter()
                    .map(|f| f.path.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ));
    }
    let notes: Vec<&PackItem> = m
        .items
        .iter()
        .filter(|i| i.state == PackState::Included && !i.note.is_empty())
        .collect();
    if !notes.is_empty() {
        s.push_str("\nNotes:\n\n");
        for i in notes {
            s.push_str(&format!("- {}: {}\n", i.title, i.note));
        }
    }
    s.push_str("\n## Checking the files\n\n`SHA256SUMS` lists the SHA-256 of every document file; `manifest.json` holds the same with versions and approvals. To check that no file changed since the export, run `sha256sum -c SHA256SUMS` in the unpacked folder (macOS: `shasum -a 256 -c SHA256SUMS`).\n\n| File | SHA-256 | Bytes |\n| --- | --- | --- |\n");
    for f in m.items.iter().flat_map(|i| &i.files) {
        s.push_str(&format!("| {} | `{}` | {} |\n", f.path, f.sha256, f.bytes));
    }
    s
}
