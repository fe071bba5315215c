//! Register imports from CSV or XLSX (see docs/import.md): rows keyed by their reference
//! create or update records, all or nothing. Every row is validated first with the
//! register's own parsers (the ones its create and update use); any bad row and nothing
//! is written, each problem named by line and field. Then everything is written in one
//! transaction with ONE audit-trail entry for the import, naming the file's SHA-256, the
//! counts and the references created and updated. A dry run says the same and writes
//! nothing. The organisation's existing records are read once; new records go in as
//! multi-row INSERTs.

use crate::assets::{asset_reference, text};
use crate::orgs::OrgCtx;
use crate::progress::Progress;
use crate::{Actor, App, AppError, AppResult, Change, record};
use isms_db::assets::{self as asset_store, AssetRow};
use isms_db::import as bulk;
use isms_db::{Ts, orgs};
use isms_domain::ValidationError;
use isms_domain::asset::{AssetType, check_name, classification, normalise_tags, parse_rating};
use isms_domain::import::{Cells, Column, Header, SeenRefs, data_rows, parse_reference};
use isms_domain::peer_sheets;
use isms_domain::rbac::{Permission, membership_active};
use isms_export::{Limits, unescape_cell};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The registers `import_register` reads (the SoA has its own import).
pub const IMPORT_KINDS: &[&str] = &[
    "assets",
    "data-flows",
    "risks",
    "controls",
    "documents",
    "evidence",
    "incidents",
    "suppliers",
    "findings",
    "corrective-actions",
    "tasks",
];

/// The columns a register's import reads (for the help on the import page), `None` for
/// a kind that cannot be imported here.
pub fn columns_of(kind: &str) -> Option<&'static [Column]> {
    match kind {
        "assets" => Some(ASSET_COLUMNS),
        "data-flows" => Some(crate::assets::DATA_FLOW_COLUMNS),
        "risks" => Some(crate::risks::RISK_COLUMNS),
        "controls" => Some(crate::controls::CONTROL_COLUMNS),
        "documents" => Some(crate::documents::DOCUMENT_COLUMNS),
        "evidence" => Some(crate::evidence::EVIDENCE_COLUMNS),
        "incidents" => Some(crate::incidents::INCIDENT_COLUMNS),
        "suppliers" => Some(crate::suppliers::SUPPLIER_COLUMNS),
        "findings" => Some(crate::findings::FINDING_COLUMNS),
        "corrective-actions" => Some(crate::findings::ACTION_COLUMNS),
        "tasks" => Some(crate::tasks::TASK_COLUMNS),
        _ => None,
    }
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct RegisterImportReport {
    /// `assets`, …
    pub kind: String,
    pub dry_run: bool,
    /// SHA-256 of the file, hex (also in the audit-trail entry).
    pub sha256: String,
    /// Data rows read.
    pub rows: usize,
    /// References of the records created (or that would be).
    pub created: Vec<String>,
    /// References of the records changed (or that would be).
    pub updated: Vec<String>,
    /// Rows that match the record exactly.
    pub unchanged: usize,
}

/// The columns of the asset import, as the asset export writes them. `classification`
/// is derived from the ratings and ignored.
pub const ASSET_COLUMNS: &[Column] = &[
    Column::opt("reference").aka(&["ref", "asset id", "id"]),
    Column::req("name"),
    Column::req("type").aka(&["asset type", "category"]),
    Column::req("owner").aka(&["asset owner", "owner email"]),
    Column::opt("custodian"),
    Column::opt("location"),
    Column::req("confidentiality").aka(&["c"]),
    Column::req("integrity").aka(&["i"]),
    Column::req("availability").aka(&["a"]),
    Column::opt("in_scope").aka(&["in scope", "scope"]),
    Column::opt("tags").aka(&["labels"]),
    Column::opt("description"),
];

/// Members by e-mail address and by name (as the exports write owners).
pub(crate) struct Members {
    by_email: HashMap<String, Uuid>,
    by_name: HashMap<String, Vec<Uuid>>,
}

impl Members {
    /// The member a cell names (blank → `None`); unknown or ambiguous is reported.
    pub(crate) fn resolve(&self, cells: &mut Cells<'_>, field: &str) -> Option<Uuid> {
        let s = cells.get(field);
        if s.is_empty() {
            return None;
        }
        if let Some(id) = self.by_email.get(&s.to_lowercase()) {
            return Some(*id);
        }
        match self.by_name.get(&s.to_lowercase()).map(Vec::as_slice) {
            Some([one]) => Some(*one),
            Some([_, _, ..]) => {
                cells.bad(
                    field,
                    format!("\"{s}\" is the name of several members; give the e-mail address"),
                );
                None
            }
            _ => {
                cells.bad(
                    field,
                    format!("\"{s}\" is not a member of this organisation (give the e-mail address or the name)"),
                );
                None
            }
        }
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The file's rows, every cell given back as the export had it before its formula guard.
pub(crate) fn read_rows(bytes: &[u8]) -> AppResult<Vec<Vec<String>>> {
    let rows = isms_export::read_table_with(bytes, &Limits::REGISTER)
        .map_err(|e| AppError::from(ValidationError::single("file", e.to_string())))?;
    Ok(rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| match unescape_cell(&c) {
                    u if u.len() == c.len() => c,
                    u => u.to_owned(),
                })
                .collect()
        })
        .collect())
}

impl App {
    /// Import a register (`kind` in [`IMPORT_KINDS`]) from CSV or XLSX bytes.
    pub async fn import_register(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        kind: &str,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn Progress,
    ) -> AppResult<RegisterImportReport> {
        match kind {
            "assets" => {
                self.import_assets(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "incidents" => {
                self.import_incidents(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "data-flows" => {
                self.import_data_flows(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "risks" => {
                self.import_risks(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "controls" => {
                self.import_controls(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "documents" => {
                self.import_documents(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "evidence" => {
                self.import_evidence(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "suppliers" => {
                self.import_suppliers(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "tasks" => {
                self.import_tasks(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "findings" => {
                self.import_findings(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            "corrective-actions" => {
                self.import_corrective_actions(actor, ctx, bytes, dry_run, progress)
                    .await
            }
            other => Err(ValidationError::single(
                "kind",
                format!(
                    "\"{other}\" cannot be imported; choose one of: soa, {}",
                    IMPORT_KINDS.join(", ")
                ),
            )
            .into()),
        }
    }

    pub(crate) async fn members_index(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
    ) -> AppResult<Members> {
        let today = self.today();
        let mut m = Members {
            by_email: HashMap::new(),
            by_name: HashMap::new(),
        };
        for v in orgs::list_members(c, ctx.org.id, None, None, i64::MAX).await? {
            if !membership_active(v.m.expires_on.map(|d| d.0), today) {
                continue;
            }
            m.by_email.insert(v.email.to_lowercase(), v.m.user_id);
            m.by_name
                .entry(v.user_name.trim().to_lowercase())
                .or_default()
                .push(v.m.user_id);
        }
        Ok(m)
    }

    async fn import_assets(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn Progress,
    ) -> AppResult<RegisterImportReport> {
        ctx.require(Permission::Write, "import assets")?;
        let sha256 = sha256_hex(bytes);
        progress.start("reading the file", 0);
        let rows = read_rows(bytes)?;
        progress.finish();
        let mut tx = self.db.begin().await?;
        let members = self.members_index(&mut tx, ctx).await?;
        let existing: HashMap<i64, AssetRow> = bulk::all_assets(&mut tx, ctx.org.id)
            .await?
            .into_iter()
            .map(|a| (a.number, a))
            .collect();
        // CISO Assistant's asset sheet is read as ours, row for row.
        let rows = match rows.first() {
            Some(head) if peer_sheets::is_ciso_asset_header(head) => {
                let by_name: HashMap<String, i64> = existing
                    .values()
                    .map(|a| (a.name.to_lowercase(), a.number))
                    .collect();
                peer_sheets::ciso_assets(&rows, &by_name)
            }
            _ => rows,
        };
        let (head, data) = data_rows(&rows)?;
        let header = Header::find(head, ASSET_COLUMNS)?;
        let mut existing_tags: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (id, t) in bulk::all_asset_tags(&mut tx, ctx.org.id).await? {
            existing_tags.entry(id).or_default().push(t);
        }
        // Blank references are numbered above every number in use or in the file.
        let in_file = data.iter().filter_map(|(line, row)| {
            let c = Cells::new(*line, row, &header);
            parse_reference("A", c.get("reference")).ok()
        });
        let mut next = existing.keys().copied().chain(in_file).max().unwrap_or(0) + 1;
        let now = Ts(self.now());
        let mut v = ValidationError::new();
        let mut seen = SeenRefs::default();
        let mut creates: Vec<(AssetRow, Vec<String>)> = Vec::new();
        let mut updates: Vec<(AssetRow, Vec<String>, bool)> = Vec::new();
        let mut unchanged = 0usize;
        progress.start("checking the rows", data.len() as u64);
        for (line, row) in &data {
            let mut c = Cells::new(*line, row, &header);
            let number = match c.get("reference") {
                "" => None,
                s => match parse_reference("A", s) {
                    Ok(n) => {
                        seen.check(&mut c, "reference", asset_reference(n));
                        Some(n)
                    }
                    Err(m) => {
                        c.bad("reference", m);
                        None
                    }
                },
            };
            let old = number.and_then(|n| existing.get(&n));
            let mut a = old.cloned().unwrap_or_else(|| AssetRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                number: number.unwrap_or(0),
                asset_type: String::new(),
                name: String::new(),
                description: String::new(),
                owner_id: None,
                custodian_id: None,
                location: String::new(),
                confidentiality: 1,
                integrity: 1,
                availability: 1,
                classification: 1,
                in_scope: true,
                created_at: now,
                updated_at: now,
                version: 1,
            });
            let r = AssetType::parse("type", c.get("type"));
            if let Some(k) = c.check("type", r) {
                a.asset_type = k.as_str().to_owned();
            }
            let r = check_name("name", c.get("name"));
            if let Some(n) = c.check("name", r) {
                a.name = n;
            }
            match members.resolve(&mut c, "owner") {
                Some(o) => a.owner_id = Some(o),
                None if c.get("owner").is_empty() => {
                    c.bad(
                        "owner",
                        "every asset needs an owner: give a member's e-mail or name",
                    );
                }
                None => {}
            }
            if header.has("custodian") {
                a.custodian_id = members.resolve(&mut c, "custodian");
            }
            for (field, max) in [("location", 300), ("description", 8000)] {
                if let Some(s) = c.opt(field) {
                    let mut fv = ValidationError::new();
                    let t = text(&mut fv, field, s, max);
                    c.check(field, fv.into_result());
                    match field {
                        "location" => a.location = t,
                        _ => a.description = t,
                    }
                }
            }
            let mut ratings = [None; 3];
            for (i, field) in ["confidentiality", "integrity", "availability"]
                .into_iter()
                .enumerate()
            {
                match c.int(field) {
                    Some(n) => {
                        let r = parse_rating(field, n);
                        ratings[i] = c.check(field, r).map(|r| (n, r));
                    }
                    None if c.get(field).is_empty() => c.bad(field, "give a rating from 1 to 4"),
                    None => {}
                }
            }
            if let [Some((cn, cr)), Some((inn, ir)), Some((an, ar))] = ratings {
                a.confidentiality = cn;
                a.integrity = inn;
                a.availability = an;
                a.classification = i64::from(classification(cr, ir, ar).value());
            }
            if let Some(s) = c.yes_no("in_scope", Some(a.in_scope)) {
                a.in_scope = s;
            }
            let old_tags = old
                .and_then(|o| existing_tags.get(&o.id))
                .cloned()
                .unwrap_or_default();
            let tags = match c.opt("tags") {
                Some(s) => {
                    let r = normalise_tags("tags", &s.replace(char::is_whitespace, ","));
                    c.check("tags", r).unwrap_or_default()
                }
                None => old_tags.clone(),
            };
            progress.advance(1);
            if !c.errors.is_empty() {
                v.errors.extend(c.errors.errors);
                continue;
            }
            match old {
                Some(o) => {
                    let tags_changed = tags != old_tags;
                    if *o == a && !tags_changed {
                        unchanged += 1;
                    } else {
                        a.updated_at = now;
                        updates.push((a, tags, tags_changed));
                    }
                }
                None => {
                    if number.is_none() {
                        a.number = next;
                        next += 1;
                    }
                    creates.push((a, tags));
                }
            }
        }
        progress.finish();
        if data.is_empty() {
            v.push("file", "the file has a header row but no data rows");
        }
        v.into_result()?;
        let report = RegisterImportReport {
            kind: "assets".into(),
            dry_run,
            sha256,
            rows: data.len(),
            created: creates
                .iter()
                .map(|(a, _)| asset_reference(a.number))
                .collect(),
            updated: updates
                .iter()
                .map(|(a, _, _)| asset_reference(a.number))
                .collect(),
            unchanged,
        };
        if dry_run {
            drop(tx);
            return Ok(report);
        }
        progress.start("writing", (creates.len() + updates.len()) as u64);
        let new_rows: Vec<AssetRow> = creates.iter().map(|(a, _)| a.clone()).collect();
        bulk::insert_assets(&mut tx, &new_rows).await?;
        progress.advance(new_rows.len() as u64);
        let mut tag_sets: Vec<(Uuid, i64, Vec<String>)> = creates
            .into_iter()
            .filter(|(_, t)| !t.is_empty())
            .map(|(a, t)| (a.id, a.number, t))
            .collect();
        for (a, t, changed) in updates {
            if !asset_store::update_asset(&mut tx, &a).await? {
                return Err(AppError::stale("asset"));
            }
            if changed {
                tag_sets.push((a.id, a.number, t));
            }
            progress.advance(1);
        }
        bulk::replace_asset_tags(&mut tx, ctx.org.id, &tag_sets).await?;
        self.record_import(&mut tx, actor, ctx, &report).await?;
        tx.commit().await?;
        progress.finish();
        Ok(report)
    }

    /// One audit-trail entry per import: the file's SHA-256, the counts and the references.
    pub(crate) async fn record_import(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        r: &RegisterImportReport,
    ) -> AppResult<()> {
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "import",
                entity_id: r.sha256.clone(),
                action: "import",
                summary: format!(
                    "imported {} from a file: {} created, {} updated, {} unchanged",
                    r.kind,
                    r.created.len(),
                    r.updated.len(),
                    r.unchanged
                ),
                before: None,
                after: Some(serde_json::json!({
                    "kind": r.kind, "sha256": r.sha256, "rows": r.rows,
                    "created": r.created, "updated": r.updated, "unchanged": r.unchanged,
                })),
            },
        )
        .await
    }
}
