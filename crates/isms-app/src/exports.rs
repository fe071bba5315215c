//! Registers as tables for export (CSV, Markdown). The formats live in `isms-export`.

use crate::audit::AuditQuery;
use crate::orgs::OrgCtx;
use crate::{App, AppError, AppResult};
use isms_domain::ValidationError;
use isms_export::{Report, Section, Table, TableFormat};
use uuid::Uuid;

/// A report document (see `isms_export::Report`).
pub type GapReport = Report;

/// Render a report as Markdown.
pub fn report_markdown(r: &Report) -> AppResult<String> {
    isms_export::markdown_report(r).map_err(|e| AppError::Internal(e.to_string()))
}

/// Write a report as Markdown or PDF. Typesetting is CPU work, so it runs off the async
/// workers.
pub async fn report_bytes(report: Report, fmt: TableFormat) -> AppResult<Vec<u8>> {
    match fmt {
        TableFormat::Pdf => tokio::task::spawn_blocking(move || isms_export::pdf_report(&report))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(|e| AppError::Internal(e.to_string())),
        _ => Ok(report_markdown(&report)?.into_bytes()),
    }
}

/// Write a table in a format, off the async workers.
pub async fn table_bytes(table: Table, fmt: TableFormat) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || isms_export::render(&table, fmt))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Files in a zip, off the async workers.
pub async fn zip_bytes(
    files: Vec<isms_export::archive::ArchiveFile>,
    day: time::Date,
) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(move || isms_export::archive::zip_archive(&files, day))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Where a register's rows go, a page at a time: collected into a [`Table`], or sent to
/// a file writer on a blocking thread (CSV and XLSX are then written while the next
/// page is read, and memory does not grow with the register).
pub(crate) enum RowSink {
    Collect(Vec<Vec<String>>),
    Stream {
        pages: tokio::sync::mpsc::Sender<Vec<Vec<String>>>,
        done: tokio::task::JoinHandle<Result<Vec<u8>, isms_export::ExportError>>,
    },
}

impl RowSink {
    pub(crate) fn collect() -> Self {
        RowSink::Collect(Vec::new())
    }

    pub(crate) fn stream(title: String, headers: Vec<String>, fmt: TableFormat) -> Self {
        let (pages, mut rx) = tokio::sync::mpsc::channel::<Vec<Vec<String>>>(2);
        let done = tokio::task::spawn_blocking(move || {
            let mut w = isms_export::TableWriter::new(&title, &headers, fmt)?;
            while let Some(page) = rx.blocking_recv() {
                for row in page {
                    w.row(row)?;
                }
            }
            w.finish()
        });
        RowSink::Stream { pages, done }
    }

    /// Hand over one page; `false` when the writer has stopped on an error (which
    /// [`RowSink::finish`] gives), so that no more pages need reading.
    pub(crate) async fn push(&mut self, page: Vec<Vec<String>>) -> bool {
        match self {
            RowSink::Collect(rows) => {
                rows.extend(page);
                true
            }
            RowSink::Stream { pages, .. } => pages.send(page).await.is_ok(),
        }
    }

    /// Every row collected (empty for a stream).
    pub(crate) fn into_rows(self) -> Vec<Vec<String>> {
        match self {
            RowSink::Collect(rows) => rows,
            RowSink::Stream { .. } => Vec::new(),
        }
    }

    /// The written file (a collecting sink renders nothing).
    pub(crate) async fn finish(self) -> AppResult<Vec<u8>> {
        match self {
            RowSink::Collect(_) => Ok(Vec::new()),
            RowSink::Stream { pages, done } => {
                drop(pages);
                done.await
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .map_err(|e| AppError::Internal(e.to_string()))
            }
        }
    }
}

/// The columns of the asset inventory export.
const ASSET_HEADERS: [&str; 13] = [
    "reference",
    "name",
    "type",
    "owner",
    "custodian",
    "location",
    "confidentiality",
    "integrity",
    "availability",
    "classification",
    "in_scope",
    "tags",
    "description",
];

/// The columns of the risk register export.
const RISK_HEADERS: [&str; 20] = [
    "reference",
    "title",
    "threat",
    "vulnerability",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "inherent_level",
    "treatment",
    "controls",
    "residual_likelihood",
    "residual_impact",
    "residual_level",
    "status",
    "accepted_until",
    "next_review_on",
    "method_version",
    "needs_reassessment",
    "assets",
    "description",
];

fn headers(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| (*s).to_owned()).collect()
}

fn asset_row(a: crate::assets::Asset) -> Vec<String> {
    vec![
        a.reference,
        a.name,
        a.asset_type,
        a.owner_name.unwrap_or_default(),
        a.custodian_name.unwrap_or_default(),
        a.location,
        a.confidentiality.to_string(),
        a.integrity.to_string(),
        a.availability.to_string(),
        a.classification_label,
        if a.in_scope { "yes" } else { "no" }.to_owned(),
        a.tags.join(" "),
        a.description,
    ]
}

fn risk_row(r: crate::risks::Risk) -> Vec<String> {
    let res = r.residual.clone();
    vec![
        r.reference.clone(),
        r.title,
        r.threat,
        r.vulnerability,
        r.owner_name.unwrap_or_default(),
        r.inherent.likelihood.to_string(),
        r.inherent.impact.to_string(),
        r.inherent.level_name,
        r.treatment.unwrap_or_default(),
        r.controls.join("; "),
        res.as_ref()
            .map(|x| x.likelihood.to_string())
            .unwrap_or_default(),
        res.as_ref()
            .map(|x| x.impact.to_string())
            .unwrap_or_default(),
        res.map(|x| x.level_name).unwrap_or_default(),
        r.status,
        r.acceptance
            .as_ref()
            .and_then(|a| a.expires_on.clone())
            .unwrap_or_default(),
        r.next_review_on.unwrap_or_default(),
        r.method_number.to_string(),
        if r.needs_reassessment { "yes" } else { "no" }.to_owned(),
        r.linked_assets
            .iter()
            .map(|a| a.reference.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        r.description,
    ]
}

/// What can be exported today, by collection name.
pub const EXPORT_KINDS: &[&str] = &[
    "audit-trail",
    "members",
    "gap",
    "tasks",
    "risks",
    "risk-treatment-plan",
    "scope",
    "policy",
    "issues",
    "interested-parties",
    "roles",
    "objectives",
    "assets",
    "data-flows",
    "controls",
    "documents",
    "evidence",
    "audits",
    "findings",
    "corrective-actions",
    "management-reviews",
    "incidents",
    "suppliers",
    "trainings",
    "measurements",
    "certification-audits",
    "soa",
    "readiness",
    "stage1-pack",
];

/// A finished export.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
    /// A suggested file name, e.g. `northwind-members.csv`.
    pub file_name: String,
}

impl App {
    /// The whole audit trail (or the filtered part), oldest page last, as a table.
    pub async fn audit_table(&self, ctx: &OrgCtx, q: &AuditQuery) -> AppResult<Table> {
        let mut rows = Vec::new();
        let mut q = AuditQuery {
            limit: Some(500),
            cursor: None,
            ..q.clone()
        };
        loop {
            let page = self.list_audit(ctx, &q).await?;
            for e in page.items {
                rows.push(vec![
                    e.seq.to_string(),
                    e.at,
                    e.actor,
                    e.entity,
                    e.entity_id,
                    e.action,
                    e.summary,
                    isms_domain::audit::canonical_json(&e.details),
                    e.prev_hash,
                    e.hash,
                ]);
            }
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        // Oldest first: the order in which the chain is verified.
        rows.reverse();
        Ok(Table {
            title: format!("Audit trail of {}", ctx.org.name),
            headers: [
                "seq",
                "at",
                "actor",
                "entity",
                "entity_id",
                "action",
                "summary",
                "details",
                "prev_hash",
                "hash",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// The roadmap's tasks, as a table, oldest first; the import keys rows by the
    /// reference (`T-001`).
    pub async fn tasks_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_tasks(ctx, None, cursor.as_deref(), Some(500))
                .await?;
            for t in page.items {
                rows.push(vec![
                    t.reference,
                    t.title,
                    t.item_key.unwrap_or_default(),
                    t.owner,
                    t.start_on.unwrap_or_default(),
                    t.due_on.unwrap_or_default(),
                    t.status,
                    t.priority,
                    if t.late { "yes" } else { "no" }.to_owned(),
                    t.description,
                ]);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(Table {
            title: format!("Roadmap of {}", ctx.org.name),
            headers: [
                "reference",
                "title",
                "item",
                "owner",
                "start_on",
                "due_on",
                "status",
                "priority",
                "late",
                "description",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// Every member with role and access dates, as a table.
    pub async fn members_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_members(ctx, None, cursor.as_deref(), Some(500))
                .await?;
            for m in page.items {
                rows.push(vec![
                    m.email,
                    m.name,
                    m.role.as_str().to_owned(),
                    m.role.label().to_owned(),
                    m.expires_on.unwrap_or_default(),
                    if m.active { "yes" } else { "no" }.to_owned(),
                    if m.totp_enabled { "yes" } else { "no" }.to_owned(),
                    m.created_at,
                ]);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(Table {
            title: format!("Members of {}", ctx.org.name),
            headers: [
                "email",
                "name",
                "role",
                "role_label",
                "expires_on",
                "active",
                "two_step",
                "member_since",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// The gap report of one assessment (the newest when `id` is `None`).
    pub async fn gap_report(&self, ctx: &OrgCtx, id: Option<Uuid>) -> AppResult<Report> {
        let id = match id {
            Some(id) => id,
            None => self
                .list_gap_assessments(ctx, None, Some(1))
                .await?
                .items
                .first()
                .map(|a| a.id)
                .ok_or_else(|| {
                    ValidationError::single("kind", "this organisation has no gap assessment yet")
                })?,
        };
        let r = self.gap_results(ctx, id).await?;
        let a = &r.assessment;
        let fmt1 = |x: f64| format!("{x:.1}");
        let gap_rows = |gs: &[crate::gap::GapEntry]| -> Vec<Vec<String>> {
            gs.iter()
                .map(|g| {
                    vec![
                        g.priority.clone(),
                        format!("{} {}", g.label, g.title),
                        g.area_label.clone(),
                        g.current.to_string(),
                        g.target.to_string(),
                        g.score.to_string(),
                        g.owner.clone(),
                    ]
                })
                .collect()
        };
        let gap_headers = [
            "Priority", "Item", "Area", "Now", "Target", "Score", "Owner",
        ]
        .map(str::to_owned)
        .to_vec();
        let mut sections = vec![
            Section {
                heading: "Summary".into(),
                paragraphs: vec![format!(
                    "{} of {} items answered; {} controls marked not applicable. {} open gaps, of which {} high priority. {} documentation gaps; {} applicable controls missing and {} weak.",
                    a.answered,
                    a.total,
                    r.not_applicable,
                    r.gaps.len(),
                    r.gaps.iter().filter(|g| g.priority == "High").count(),
                    r.documentation_gaps.len(),
                    r.missing_controls.len(),
                    r.weak_controls.len()
                )],
                ..Default::default()
            },
            Section {
                heading: "Maturity per area".into(),
                paragraphs: vec!["Average current and target maturity (0–5) of the answered, applicable items in each area.".into()],
                table: Some(Table {
                    title: String::new(),
                    headers: ["Area", "Items", "Answered", "Average now", "Average target", "Total gap"].map(str::to_owned).to_vec(),
                    rows: r.areas.iter().map(|x| vec![x.label.clone(), x.items.to_string(), x.answered.to_string(), fmt1(x.average_current), fmt1(x.average_target), x.total_gap.to_string()]).collect(),
                }),
                chart: Some(isms_export::charts::standalone(&r.area_chart())),
                ..Default::default()
            },
            Section {
                heading: "Documentation gaps".into(),
                paragraphs: vec!["Documented information that a clause or an applicable control requires and that is not yet written down and followed (below level 3).".into()],
                bullets: r.documentation_gaps.iter().map(|g| format!("{} {} (now {})", g.label, g.title, g.current)).collect(),
                ..Default::default()
            },
            Section {
                heading: "Gaps by priority".into(),
                paragraphs: vec!["Priority = gap × weight: clause requirements 3 (4 with documented information), controls that require a document or policy 2, other controls 1.".into()],
                table: Some(Table { title: String::new(), headers: gap_headers.clone(), rows: gap_rows(&r.gaps) }),
                ..Default::default()
            },
        ];
        if !r.missing_controls.is_empty() || !r.weak_controls.is_empty() {
            sections.push(Section {
                heading: "Missing and weak controls".into(),
                bullets: r
                    .missing_controls
                    .iter()
                    .map(|g| format!("Missing: {} {}", g.label, g.title))
                    .chain(
                        r.weak_controls.iter().map(|g| {
                            format!("Weak (level {}): {} {}", g.current, g.label, g.title)
                        }),
                    )
                    .collect(),
                ..Default::default()
            });
        }
        Ok(Report {
            title: format!("Gap assessment report: {}", a.title),
            meta: vec![
                ("Organisation".into(), ctx.org.name.clone()),
                ("Assessment".into(), a.title.clone()),
                ("Status".into(), a.status.replace('_', " ")),
                (
                    "Started".into(),
                    a.created_at.get(..10).unwrap_or_default().to_owned(),
                ),
                (
                    "Report date".into(),
                    isms_domain::time::format_date(self.today()),
                ),
            ],
            sections,
            landscape: false,
            title_page: false,
        })
    }

    /// Every risk of the register (filters as given), in number order.
    async fn all_risks(&self, ctx: &OrgCtx) -> AppResult<Vec<crate::risks::Risk>> {
        let mut q = crate::risks::RiskQuery {
            limit: Some(500),
            ..Default::default()
        };
        let mut out = Vec::new();
        loop {
            let page = self.list_risks(ctx, &q).await?;
            out.extend(page.items);
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    /// Every asset, a page at a time, in number order, into `sink`.
    async fn asset_rows(&self, ctx: &OrgCtx, sink: &mut RowSink) -> AppResult<()> {
        let mut q = crate::assets::AssetQuery {
            limit: Some(500),
            ..Default::default()
        };
        loop {
            let page = self.list_assets(ctx, &q).await?;
            let open = sink
                .push(page.items.into_iter().map(asset_row).collect())
                .await;
            match page.next_cursor {
                Some(c) if open => q.cursor = Some(c),
                _ => return Ok(()),
            }
        }
    }

    /// Every risk, a page at a time, in number order, into `sink`.
    async fn risk_rows(&self, ctx: &OrgCtx, sink: &mut RowSink) -> AppResult<()> {
        let mut q = crate::risks::RiskQuery {
            limit: Some(500),
            ..Default::default()
        };
        loop {
            let page = self.list_risks(ctx, &q).await?;
            let open = sink
                .push(page.items.into_iter().map(risk_row).collect())
                .await;
            match page.next_cursor {
                Some(c) if open => q.cursor = Some(c),
                _ => return Ok(()),
            }
        }
    }

    fn assets_title(ctx: &OrgCtx) -> String {
        format!("Asset inventory of {}", ctx.org.name)
    }

    fn risks_title(ctx: &OrgCtx) -> String {
        format!("Risk register of {}", ctx.org.name)
    }

    /// The asset inventory as a table (one row per asset), in number order.
    pub async fn assets_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let mut sink = RowSink::collect();
        self.asset_rows(ctx, &mut sink).await?;
        Ok(Table {
            title: Self::assets_title(ctx),
            headers: headers(&ASSET_HEADERS),
            rows: sink.into_rows(),
        })
    }

    /// The asset inventory written as it is read (the export of a large inventory).
    async fn assets_file(&self, ctx: &OrgCtx, fmt: TableFormat) -> AppResult<Vec<u8>> {
        let mut sink = RowSink::stream(Self::assets_title(ctx), headers(&ASSET_HEADERS), fmt);
        self.asset_rows(ctx, &mut sink).await?;
        sink.finish().await
    }

    /// The risk register written as it is read.
    async fn risks_file(&self, ctx: &OrgCtx, fmt: TableFormat) -> AppResult<Vec<u8>> {
        let mut sink = RowSink::stream(Self::risks_title(ctx), headers(&RISK_HEADERS), fmt);
        self.risk_rows(ctx, &mut sink).await?;
        sink.finish().await
    }

    /// Every control with its implementation (one row per control), Annex A by number
    /// and then own controls.
    pub async fn controls_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let mut q = crate::controls::ControlQuery {
            limit: Some(500),
            ..Default::default()
        };
        // Own controls' descriptions (Annex A controls have the catalogue's text instead).
        let mut descriptions = std::collections::HashMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_own_controls(ctx, None, cursor.as_deref(), Some(500))
                .await?;
            descriptions.extend(page.items.into_iter().map(|o| (o.code, o.description)));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let mut rows = Vec::new();
        loop {
            let page = self.list_controls(ctx, &q).await?;
            for c in page.items {
                let flags: Vec<&str> = [
                    (c.implementation_overdue, "implementation overdue"),
                    (c.check_overdue, "check due"),
                    (c.unmonitored, "no monitoring"),
                ]
                .into_iter()
                .filter_map(|(on, l)| on.then_some(l))
                .collect();
                rows.push(vec![
                    c.label,
                    c.title,
                    c.status_label,
                    c.owner_name.unwrap_or_default(),
                    c.implementation,
                    c.due_on.unwrap_or_default(),
                    c.monitoring,
                    c.check_frequency.unwrap_or_default(),
                    c.last_check_on.unwrap_or_default(),
                    c.last_check_result.unwrap_or_default(),
                    c.last_check_note,
                    c.next_check_on.unwrap_or_default(),
                    flags.join("; "),
                    c.clauses.join(" "),
                    c.risks
                        .iter()
                        .map(|r| r.reference.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                    descriptions.remove(&c.control_ref).unwrap_or_default(),
                ]);
            }
            match page.next_cursor {
                Some(c) => q.cursor = Some(c),
                None => break,
            }
        }
        Ok(Table {
            title: format!("Controls of {}", ctx.org.name),
            headers: [
                "control",
                "title",
                "status",
                "owner",
                "implementation",
                "due_on",
                "monitoring",
                "check_frequency",
                "last_check_on",
                "last_check_result",
                "last_check_note",
                "next_check_on",
                "flags",
                "clauses",
                "risks",
                "description",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// The data flows as a table (one row per flow), in number order. `from` and `to`
    /// are the assets' references (what an import reads); their names follow at the end.
    pub async fn data_flows_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let flows = self
            .all_data_flows(ctx, &crate::assets::FlowQuery::default())
            .await?;
        let numbers: std::collections::HashMap<Uuid, i64> = {
            let mut c = self.db.read().await?;
            isms_db::import::all_assets(&mut c, ctx.org.id)
                .await?
                .into_iter()
                .map(|a| (a.id, a.number))
                .collect()
        };
        let reference = |id: &Uuid| {
            numbers
                .get(id)
                .map(|n| crate::assets::asset_reference(*n))
                .unwrap_or_default()
        };
        let rows = flows
            .into_iter()
            .map(|f| {
                vec![
                    f.reference,
                    reference(&f.from_asset_id),
                    reference(&f.to_asset_id),
                    f.data_category,
                    f.mechanism,
                    if f.encrypted { "yes" } else { "no" }.to_owned(),
                    f.description,
                    f.from_name,
                    f.to_name,
                ]
            })
            .collect();
        Ok(Table {
            title: format!("Data flows of {}", ctx.org.name),
            headers: [
                "reference",
                "from",
                "to",
                "data_category",
                "mechanism",
                "encrypted",
                "description",
                "from_name",
                "to_name",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }

    /// The risk register as a table (one row per risk).
    pub async fn risks_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        let mut sink = RowSink::collect();
        self.risk_rows(ctx, &mut sink).await?;
        Ok(Table {
            title: Self::risks_title(ctx),
            headers: headers(&RISK_HEADERS),
            rows: sink.into_rows(),
        })
    }

    /// The risk treatment plan (6.1.3): each risk's treatment, controls, owner, tasks and
    /// the level expected afterwards, with the acceptances on record.
    pub async fn treatment_plan_report(&self, ctx: &OrgCtx) -> AppResult<Report> {
        let risks = self.all_risks(ctx).await?;
        let mut tasks: std::collections::HashMap<Uuid, Vec<crate::tasks::Task>> =
            std::collections::HashMap::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_tasks(ctx, None, cursor.as_deref(), Some(500))
                .await?;
            for t in page.items {
                if let Some(r) = t.risk_id {
                    tasks.entry(r).or_default().push(t);
                }
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let method = self.risk_method_in_force(ctx).await?;
        let count = |t: &str| {
            risks
                .iter()
                .filter(|r| r.treatment.as_deref() == Some(t))
                .count()
        };
        let undecided = risks.iter().filter(|r| r.treatment.is_none()).count();
        let plan_rows: Vec<Vec<String>> = risks
            .iter()
            .filter(|r| r.status != "closed")
            .map(|r| {
                let ts = tasks.get(&r.id).map(Vec::as_slice).unwrap_or(&[]);
                vec![
                    r.reference.clone(),
                    r.title.clone(),
                    r.owner_name.clone().unwrap_or_default(),
                    r.inherent.level_name.clone(),
                    r.treatment.clone().unwrap_or_else(|| "to decide".into()),
                    r.controls
                        .iter()
                        .map(|c| isms_domain::control::display_ref(c))
                        .collect::<Vec<_>>()
                        .join(", "),
                    ts.iter()
                        .map(|t| {
                            format!(
                                "{} ({}, due {})",
                                t.title,
                                t.status.replace('_', " "),
                                t.due_on.as_deref().unwrap_or("—")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    r.residual
                        .as_ref()
                        .map(|x| x.level_name.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        let accepted: Vec<String> = risks
            .iter()
            .filter_map(|r| {
                r.acceptance.as_ref().map(|a| {
                    format!(
                        "{} {}: {} accepted{} on {} until {}{}. Reason: {}",
                        r.reference,
                        r.title,
                        a.rating.level_name,
                        a.accepted_by
                            .as_ref()
                            .map(|b| format!(" by {b}"))
                            .unwrap_or_default(),
                        a.accepted_at.get(..10).unwrap_or_default(),
                        a.expires_on.as_deref().unwrap_or("—"),
                        if a.outdated {
                            " (rating changed since: to be accepted again)"
                        } else {
                            ""
                        },
                        a.rationale
                    )
                })
            })
            .collect();
        let mut meta = vec![("Organisation".to_owned(), ctx.org.name.clone())];
        if let Some(m) = &method {
            meta.push(("Risk method".to_owned(), format!("version {}", m.number)));
        }
        meta.push((
            "Report date".to_owned(),
            isms_domain::time::format_date(self.today()),
        ));
        Ok(Report {
            title: format!("Risk treatment plan: {}", ctx.org.name),
            meta,
            sections: vec![
                Section {
                    heading: "Summary".into(),
                    paragraphs: vec![format!(
                        "{} risks in the register: {} to modify (reduce with controls), {} to retain, {} to avoid, {} to share; {} without a treatment decision. {} acceptances on record.",
                        risks.len(),
                        count("modify"),
                        count("retain"),
                        count("avoid"),
                        count("share"),
                        undecided,
                        accepted.len()
                    )],
                    ..Default::default()
                },
                Section {
                    heading: "Treatment per risk".into(),
                    paragraphs: vec!["Open risks with the chosen option, the Annex A controls that carry it out, the tasks with owners and dates, and the level expected after treatment.".into()],
                    table: Some(Table {
                        title: String::new(),
                        headers: ["Ref", "Risk", "Owner", "Before", "Treatment", "Controls", "Tasks", "After"]
                            .map(str::to_owned)
                            .to_vec(),
                        rows: plan_rows,
                    }),
                    ..Default::default()
                },
                Section {
                    heading: "Acceptance of residual risk".into(),
                    paragraphs: vec!["Risk owners (or, above the acceptance criteria, management) accept what remains after treatment; each acceptance runs until a set date.".into()],
                    bullets: accepted,
                    ..Default::default()
                },
            ],
            landscape: true,
            title_page: false,
        })
    }

    /// The gap report of one assessment (the newest when `id` is `None`) as a PDF or Markdown
    /// file.
    pub async fn gap_report_file(
        &self,
        ctx: &OrgCtx,
        id: Option<Uuid>,
        fmt: TableFormat,
    ) -> AppResult<ExportFile> {
        if !matches!(fmt, TableFormat::Markdown | TableFormat::Pdf) {
            return Err(ValidationError::single(
                "format",
                "the gap report is available as pdf or md (Markdown)",
            )
            .into());
        }
        let report = self.gap_report(ctx, id).await?;
        Ok(ExportFile {
            bytes: report_bytes(report, fmt).await?,
            content_type: fmt.content_type(),
            file_name: format!("{}-gap-report.{}", ctx.org.slug, fmt.extension()),
        })
    }

    /// The risk assessment methodology document of one method version, as PDF or Markdown.
    pub async fn risk_method_file(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        fmt: TableFormat,
    ) -> AppResult<ExportFile> {
        if !matches!(fmt, TableFormat::Markdown | TableFormat::Pdf) {
            return Err(ValidationError::single(
                "format",
                "the methodology document is available as pdf or md (Markdown)",
            )
            .into());
        }
        let report = self.risk_method_report(ctx, id).await?;
        let number = self.get_risk_method(ctx, id).await?.number;
        Ok(ExportFile {
            bytes: report_bytes(report, fmt).await?,
            content_type: fmt.content_type(),
            file_name: format!("{}-risk-method-v{number}.{}", ctx.org.slug, fmt.extension()),
        })
    }

    /// Export a register by its collection name in a format (`csv`, `md`).
    pub async fn export(
        &self,
        ctx: &OrgCtx,
        kind: &str,
        format: &str,
        audit_filter: Option<&AuditQuery>,
    ) -> AppResult<ExportFile> {
        if kind == "stage1-pack" {
            return self.stage1_pack_export(ctx, format).await;
        }
        let mut v = ValidationError::new();
        let fmt = TableFormat::parse(format);
        if fmt.is_none() {
            v.push(
                "format",
                format!("\"{format}\" is not an export format; choose csv, md, xlsx or pdf"),
            );
        }
        if !EXPORT_KINDS.contains(&kind) {
            v.push(
                "kind",
                format!(
                    "\"{kind}\" cannot be exported yet; choose one of: {}",
                    EXPORT_KINDS.join(", ")
                ),
            );
        }
        v.into_result()?;
        let Some(fmt) = fmt else {
            return Err(AppError::Internal("format checked above".into()));
        };
        let bytes = match kind {
            "gap" => return self.gap_report_file(ctx, None, fmt).await,
            "soa" => return self.soa_file(ctx, None, fmt).await,
            "readiness" => return self.readiness_file(ctx, None, fmt).await,
            "issues" => {
                table_bytes(self.register_table::<registers::Issue>(ctx).await?, fmt).await?
            }
            "interested-parties" => {
                table_bytes(self.register_table::<registers::Party>(ctx).await?, fmt).await?
            }
            "roles" => table_bytes(self.register_table::<registers::Role>(ctx).await?, fmt).await?,
            "objectives" => {
                table_bytes(self.register_table::<registers::Objective>(ctx).await?, fmt).await?
            }
            "scope" => {
                return self
                    .doc_in_force_file::<isms_domain::foundation::scope::ScopeContent>(ctx, fmt)
                    .await;
            }
            "policy" => {
                return self
                    .doc_in_force_file::<isms_domain::foundation::scope::PolicyContent>(ctx, fmt)
                    .await;
            }
            "tasks" => table_bytes(self.tasks_table(ctx).await?, fmt).await?,
            "risks" => self.risks_file(ctx, fmt).await?,
            "assets" => self.assets_file(ctx, fmt).await?,
            "data-flows" => table_bytes(self.data_flows_table(ctx).await?, fmt).await?,
            "controls" => {
                if fmt == TableFormat::Pdf {
                    return Err(ValidationError::single(
                        "format",
                        "the controls are exported as csv, xlsx or md",
                    )
                    .into());
                }
                table_bytes(self.controls_table(ctx).await?, fmt).await?
            }
            "documents" => {
                if fmt == TableFormat::Pdf {
                    return Err(ValidationError::single(
                        "format",
                        "the document register is exported as csv, xlsx or md",
                    )
                    .into());
                }
                table_bytes(self.documents_table(ctx).await?, fmt).await?
            }
            "evidence" => table_bytes(self.evidence_table(ctx).await?, fmt).await?,
            "audits" => {
                if fmt == TableFormat::Pdf {
                    return Err(ValidationError::single(
                        "format",
                        "the audit register is exported as csv, xlsx or md; each audit's report is a PDF",
                    )
                    .into());
                }
                table_bytes(self.audits_table(ctx).await?, fmt).await?
            }
            "findings" => table_bytes(self.findings_table(ctx).await?, fmt).await?,
            "corrective-actions" => {
                table_bytes(self.corrective_actions_table(ctx).await?, fmt).await?
            }
            "management-reviews" => table_bytes(self.reviews_table(ctx).await?, fmt).await?,
            "incidents" => table_bytes(self.incidents_table(ctx).await?, fmt).await?,
            "suppliers" => table_bytes(self.suppliers_table(ctx).await?, fmt).await?,
            "certification-audits" => table_bytes(self.cert_audits_table(ctx).await?, fmt).await?,
            "trainings" => table_bytes(self.trainings_table(ctx).await?, fmt).await?,
            "measurements" => table_bytes(self.measurements_table(ctx).await?, fmt).await?,
            "risk-treatment-plan" => {
                if !matches!(fmt, TableFormat::Markdown | TableFormat::Pdf) {
                    return Err(ValidationError::single(
                        "format",
                        "the risk treatment plan is available as pdf or md (Markdown)",
                    )
                    .into());
                }
                report_bytes(self.treatment_plan_report(ctx).await?, fmt).await?
            }
            "audit-trail" => {
                if fmt == TableFormat::Pdf {
                    return Err(ValidationError::single(
                        "format",
                        "the audit trail is exported as csv, xlsx or md; a PDF of every entry would be unreadable",
                    )
                    .into());
                }
                let table = self
                    .audit_table(ctx, &audit_filter.cloned().unwrap_or_default())
                    .await?;
                table_bytes(table, fmt).await?
            }
            _ => table_bytes(self.members_table(ctx).await?, fmt).await?,
        };
        Ok(ExportFile {
            bytes,
            content_type: fmt.content_type(),
            file_name: format!("{}-{kind}.{}", ctx.org.slug, fmt.extension()),
        })
    }
}

use isms_domain::foundation::registers;

impl App {
    /// A foundation register as a table: the reference, every field of the entry (lists
    /// joined with "; "), and the name of the person it names.
    pub async fn register_table<B: registers::RegisterBody + Default>(
        &self,
        ctx: &OrgCtx,
    ) -> AppResult<Table> {
        let entries = self.all_entries::<B>(ctx).await?;
        let mut headers = vec!["reference".to_owned()];
        headers.extend(B::default().fields().into_iter().map(|(f, _)| f.to_owned()));
        headers.push("person".to_owned());
        let rows = entries
            .into_iter()
            .map(|e| {
                let mut row = vec![e.reference.clone()];
                row.extend(e.data.fields().into_iter().map(|(_, l)| l.join("; ")));
                row.push(e.person_name.unwrap_or_default());
                row
            })
            .collect();
        Ok(Table {
            title: format!("{}: {}", B::REGISTER.title(), ctx.org.name),
            headers,
            rows,
        })
    }

    /// The version in force of a foundation document (the approved scope an auditor reads
    /// at Stage 1, the policy), as PDF or Markdown.
    pub async fn doc_in_force_file<C: isms_domain::foundation::versioned::VersionedContent>(
        &self,
        ctx: &OrgCtx,
        fmt: TableFormat,
    ) -> AppResult<ExportFile> {
        let Some(d) = self
            .doc_in_status::<C>(
                ctx,
                isms_domain::foundation::versioned::VersionStatus::Approved,
            )
            .await?
        else {
            return Err(ValidationError::single(
                "kind",
                format!("there is no approved {} yet", C::KIND.label()),
            )
            .into());
        };
        self.doc_file::<C>(ctx, d.id, fmt).await
    }

    /// A versioned foundation document (the scope statement, the policy) of one version,
    /// as PDF or Markdown.
    pub async fn doc_file<C: isms_domain::foundation::versioned::VersionedContent>(
        &self,
        ctx: &OrgCtx,
        id: Uuid,
        fmt: TableFormat,
    ) -> AppResult<ExportFile> {
        if !matches!(fmt, TableFormat::Markdown | TableFormat::Pdf) {
            return Err(ValidationError::single(
                "format",
                "this document is available as pdf or md (Markdown)",
            )
            .into());
        }
        let (report, number) = self.doc_report::<C>(ctx, id).await?;
        Ok(ExportFile {
            bytes: report_bytes(report, fmt).await?,
            content_type: fmt.content_type(),
            file_name: format!(
                "{}-{}-v{number}.{}",
                ctx.org.slug,
                C::KIND.as_str(),
                fmt.extension()
            ),
        })
    }
}
