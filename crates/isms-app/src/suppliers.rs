//! The supplier register (Annex A 5.19–5.23): what each supplier provides, how critical
//! it is, what data it gets, whether the contract sets security requirements, and the
//! history of its security assessments. The interval, the due date and the flags are
//! `isms_domain::supplier`'s rules; the last assessment is derived from the history.

use crate::orgs::OrgCtx;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, decode_number_cursor, page_limit, record,
};
use isms_db::suppliers::{self as store, AssessmentRow, SupplierFilter, SupplierRow};
use isms_db::{AsConn, Day, Ts};
use isms_domain::ValidationError;
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use isms_domain::supplier::{
    AssessmentResult, Criticality, MAX_NAME, MAX_TEXT, SupplierStatus, assessment_overdue,
    check_assessed_on, check_contract, check_interval, critical_never_assessed, interval_months,
    next_assessment_due, no_security_requirements, supplier_ref,
};
use isms_domain::time::{format_date, parse_date};
use isms_export::Table;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// One security assessment of a supplier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub id: Uuid,
    /// YYYY-MM-DD.
    pub assessed_on: String,
    /// `satisfactory`, `conditional` or `unsatisfactory`.
    pub result: String,
    pub result_label: String,
    pub note: String,
}

/// A supplier.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Supplier {
    pub id: Uuid,
    /// `SUP-001`.
    pub reference: String,
    pub number: i64,
    pub name: String,
    /// The service provided.
    pub service: String,
    /// `low`, `medium`, `high` or `critical`.
    pub criticality: String,
    pub criticality_label: String,
    /// Classes of data the supplier gets.
    pub data_shared: String,
    /// The contract sets security requirements.
    pub contract_security: bool,
    /// Where: the contract and clause.
    pub contract_reference: String,
    pub contact: String,
    /// Who manages the relationship.
    pub owner: String,
    /// Months between assessments in force.
    pub assessment_interval_months: i64,
    /// True when the interval is the default of the criticality.
    pub interval_is_default: bool,
    /// `active` or `offboarded`.
    pub status: String,
    /// The latest assessment.
    pub last_assessment: Option<Assessment>,
    /// YYYY-MM-DD: one interval after the last assessment; none before the first.
    pub next_assessment_due: Option<String>,
    /// Active and the next assessment was due before today.
    pub assessment_overdue: bool,
    /// Active, critical and never assessed.
    pub critical_never_assessed: bool,
    /// Active and the contract sets no security requirements.
    pub no_security_requirements: bool,
    /// Every assessment, latest first.
    pub assessments: Vec<Assessment>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A new supplier.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSupplier {
    pub name: String,
    #[serde(default)]
    pub service: String,
    pub criticality: String,
    #[serde(default)]
    pub data_shared: String,
    #[serde(default)]
    pub contract_security: bool,
    #[serde(default)]
    pub contract_reference: String,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub owner: String,
    /// 1–60; default by criticality (critical and high 12, medium 24, low 36).
    pub assessment_interval_months: Option<i64>,
    /// Default `active`.
    pub status: Option<String>,
}

/// Changes to a supplier. Omitted fields keep their value; an interval of `null` goes
/// back to the default of the criticality.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupplierPatch {
    pub name: Option<String>,
    pub service: Option<String>,
    pub criticality: Option<String>,
    pub data_shared: Option<String>,
    pub contract_security: Option<bool>,
    pub contract_reference: Option<String>,
    pub contact: Option<String>,
    pub owner: Option<String>,
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    pub assessment_interval_months: Option<Option<i64>>,
    pub status: Option<String>,
    pub version: i64,
}

/// A security assessment to record.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssessment {
    /// YYYY-MM-DD, not in the future; default today.
    pub assessed_on: Option<String>,
    /// `satisfactory`, `conditional` or `unsatisfactory`.
    pub result: String,
    #[serde(default)]
    pub note: String,
}

fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

/// Filters of the register.
#[derive(Debug, Clone, Default)]
pub struct SupplierQuery {
    pub status: Option<String>,
    pub criticality: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

fn text(v: &mut ValidationError, field: &str, s: &str, max: usize) -> String {
    let s = s.trim();
    if s.chars().count() > max {
        v.push(field, format!("must be at most {max} characters"));
    }
    s.to_owned()
}

fn criticality_of(s: &str) -> Criticality {
    Criticality::parse("criticality", s).unwrap_or(Criticality::Medium)
}

fn status_of(s: &str) -> SupplierStatus {
    SupplierStatus::parse("status", s).unwrap_or(SupplierStatus::Active)
}

fn assessment_view(a: AssessmentRow) -> Assessment {
    Assessment {
        id: a.id,
        assessed_on: format_date(a.assessed_on.0),
        result_label: AssessmentResult::parse("result", &a.result)
            .map(|r| r.label().to_owned())
            .unwrap_or_else(|_| a.result.clone()),
        result: a.result,
        note: a.note,
    }
}

fn view(r: SupplierRow, history: Vec<AssessmentRow>, today: Date) -> Supplier {
    let crit = criticality_of(&r.criticality);
    let status = status_of(&r.status);
    let interval = interval_months(crit, r.interval_months);
    let last_on: Option<Date> = history.first().map(|a| a.assessed_on.0);
    let due = next_assessment_due(last_on, interval);
    let assessments: Vec<Assessment> = history.into_iter().map(assessment_view).collect();
    Supplier {
        id: r.id,
        reference: supplier_ref(r.number),
        number: r.number,
        name: r.name,
        service: r.service,
        criticality_label: crit.label().to_owned(),
        criticality: r.criticality,
        data_shared: r.data_shared,
        no_security_requirements: no_security_requirements(status, r.contract_security),
        contract_security: r.contract_security,
        contract_reference: r.contract_reference,
        contact: r.contact,
        owner: r.owner,
        assessment_interval_months: interval,
        interval_is_default: r.interval_months.is_none(),
        status: r.status,
        last_assessment: assessments.first().cloned(),
        next_assessment_due: due.map(format_date),
        assessment_overdue: assessment_overdue(status, due, today),
        critical_never_assessed: critical_never_assessed(status, crit, last_on),
        assessments,
        created_at: r.created_at.0.rfc3339(),
        updated_at: r.updated_at.0.rfc3339(),
        version: r.version,
    }
}

fn snapshot(r: &SupplierRow) -> serde_json::Value {
    serde_json::json!({
        "number": r.number, "name": r.name, "service": r.service,
        "criticality": r.criticality, "data_shared": r.data_shared,
        "contract_security": r.contract_security, "contract_reference": r.contract_reference,
        "contact": r.contact, "owner": r.owner, "interval_months": r.interval_months,
        "status": r.status,
    })
}

/// The flags of a supplier in words (register, export).
pub fn flag_words(s: &Supplier) -> Vec<&'static str> {
    let mut out = Vec::new();
    if s.assessment_overdue {
        out.push("assessment overdue");
    }
    if s.critical_never_assessed {
        out.push("critical, never assessed");
    }
    if s.no_security_requirements {
        out.push("no security requirements in contract");
    }
    out
}

impl App {
    async fn suppliers_with_history(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<SupplierRow>,
    ) -> AppResult<Vec<Supplier>> {
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut by_id: HashMap<Uuid, Vec<AssessmentRow>> = HashMap::new();
        for a in store::assessments_of(c, ctx.org.id, &ids).await? {
            by_id.entry(a.supplier_id).or_default().push(a);
        }
        let today = self.today();
        Ok(rows
            .into_iter()
            .map(|r| {
                let h = by_id.remove(&r.id).unwrap_or_default();
                view(r, h, today)
            })
            .collect())
    }

    async fn load_supplier(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<Supplier> {
        let row = store::get(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("supplier"))?;
        self.suppliers_with_history(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("supplier"))
    }

    /// The register in number order, with its filters.
    pub async fn list_suppliers(
        &self,
        ctx: &OrgCtx,
        q: &SupplierQuery,
    ) -> AppResult<Page<Supplier>> {
        ctx.require(Permission::Read, "see the supplier register")?;
        let limit = page_limit(q.limit);
        let after = decode_number_cursor(q.cursor.as_deref())?;
        let mut v = ValidationError::new();
        let mut f = SupplierFilter::default();
        if let Some(s) = q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            f.status = v
                .check(SupplierStatus::parse("status", s))
                .map(|s| s.as_str().to_owned());
        }
        if let Some(s) = q
            .criticality
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            f.criticality = v
                .check(Criticality::parse("criticality", s))
                .map(|s| s.as_str().to_owned());
        }
        v.into_result()?;
        let mut c = self.db.read().await?;
        let mut rows = store::list(&mut c, ctx.org.id, &f, after, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last()
                .map(|r| crate::encode_cursor(&r.number.to_string()))
        } else {
            None
        };
        let items = self.suppliers_with_history(&mut c, ctx, rows).await?;
        Ok(Page { items, next_cursor })
    }

    pub async fn get_supplier(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Supplier> {
        ctx.require(Permission::Read, "see the supplier register")?;
        let mut c = self.db.read().await?;
        self.load_supplier(&mut c, ctx, id).await
    }

    /// Add a supplier; nothing is stored on a problem.
    pub async fn create_supplier(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewSupplier,
    ) -> AppResult<Supplier> {
        let mut tx = self.db.begin().await?;
        let out = self
            .create_supplier_in(&mut tx, actor, ctx, input, None)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a supplier inside the caller's transaction; `number` is given by an import
    /// (blank: the next free number).
    pub(crate) async fn create_supplier_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewSupplier,
        number: Option<i64>,
    ) -> AppResult<Supplier> {
        ctx.require(Permission::Write, "add suppliers")?;
        let mut v = ValidationError::new();
        let name = v.check(parse_name("name", &input.name, MAX_NAME));
        let service = text(&mut v, "service", &input.service, MAX_NAME);
        let criticality = v.check(Criticality::parse("criticality", &input.criticality));
        let data_shared = text(&mut v, "data_shared", &input.data_shared, MAX_TEXT);
        let contract_reference = text(
            &mut v,
            "contract_reference",
            &input.contract_reference,
            MAX_TEXT,
        );
        v.check(check_contract(input.contract_security, &contract_reference));
        let contact = text(&mut v, "contact", &input.contact, MAX_NAME);
        let owner = text(&mut v, "owner", &input.owner, MAX_NAME);
        let interval = match input.assessment_interval_months {
            Some(m) => v.check(check_interval("assessment_interval_months", m)),
            None => None,
        };
        let status = match input
            .status
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => v.check(SupplierStatus::parse("status", s)),
            None => Some(SupplierStatus::Active),
        };
        v.into_result()?;
        let now = Ts(self.now());
        let number = match number {
            Some(n) => n,
            None => store::next_number(tx, ctx.org.id).await?,
        };
        let row = SupplierRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            number,
            name: name.unwrap_or_default(),
            service,
            criticality: criticality
                .unwrap_or(Criticality::Medium)
                .as_str()
                .to_owned(),
            data_shared,
            contract_security: input.contract_security,
            contract_reference,
            contact,
            owner,
            interval_months: interval,
            status: status.unwrap_or(SupplierStatus::Active).as_str().to_owned(),
            created_by: actor.id(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert(tx, &row).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "supplier",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "added supplier {} \"{}\" ({})",
                    supplier_ref(number),
                    row.name,
                    row.criticality
                ),
                before: None,
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        self.load_supplier(tx, ctx, row.id).await
    }

    /// Change a supplier; a stale `version` is 409.
    pub async fn update_supplier(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &SupplierPatch,
    ) -> AppResult<Supplier> {
        let mut tx = self.db.begin().await?;
        let out = self
            .update_supplier_in(&mut tx, actor, ctx, id, patch)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a supplier inside the caller's transaction.
    pub(crate) async fn update_supplier_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &SupplierPatch,
    ) -> AppResult<Supplier> {
        ctx.require(Permission::Write, "change suppliers")?;
        let before = store::get(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("supplier"))?;
        if before.version != patch.version {
            return Err(AppError::stale("supplier"));
        }
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(t) = &patch.name
            && let Some(t) = v.check(parse_name("name", t, MAX_NAME))
        {
            row.name = t;
        }
        if let Some(s) = &patch.criticality
            && let Some(c) = v.check(Criticality::parse("criticality", s))
        {
            row.criticality = c.as_str().to_owned();
        }
        if let Some(s) = &patch.status
            && let Some(c) = v.check(SupplierStatus::parse("status", s))
        {
            row.status = c.as_str().to_owned();
        }
        for (field, value, slot, max) in [
            ("service", &patch.service, &mut row.service, MAX_NAME),
            (
                "data_shared",
                &patch.data_shared,
                &mut row.data_shared,
                MAX_TEXT,
            ),
            (
                "contract_reference",
                &patch.contract_reference,
                &mut row.contract_reference,
                MAX_TEXT,
            ),
            ("contact", &patch.contact, &mut row.contact, MAX_NAME),
            ("owner", &patch.owner, &mut row.owner, MAX_NAME),
        ] {
            if let Some(s) = value {
                *slot = text(&mut v, field, s, max);
            }
        }
        if let Some(b) = patch.contract_security {
            row.contract_security = b;
        }
        match patch.assessment_interval_months {
            Some(Some(m)) => {
                row.interval_months = v.check(check_interval("assessment_interval_months", m))
            }
            Some(None) => row.interval_months = None,
            None => {}
        }
        v.check(check_contract(
            row.contract_security,
            &row.contract_reference,
        ));
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update(tx, &row).await? {
            return Err(AppError::stale("supplier"));
        }
        row.version += 1;
        let offboard = row.status != before.status && row.status == "offboarded";
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "supplier",
                entity_id: id.to_string(),
                action: if offboard { "offboard" } else { "update" },
                summary: format!(
                    "{} supplier {} \"{}\"",
                    if offboard { "offboarded" } else { "changed" },
                    supplier_ref(row.number),
                    row.name
                ),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        self.load_supplier(tx, ctx, id).await
    }

    /// Record a security assessment; it becomes the last one when it is the latest.
    pub async fn assess_supplier(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &NewAssessment,
    ) -> AppResult<Supplier> {
        let mut tx = self.db.begin().await?;
        let out = self
            .assess_supplier_in(&mut tx, actor, ctx, id, input)
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record a security assessment inside the caller's transaction.
    pub(crate) async fn assess_supplier_in(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        input: &NewAssessment,
    ) -> AppResult<Supplier> {
        ctx.require(Permission::Write, "record supplier assessments")?;
        let today = self.today();
        let mut v = ValidationError::new();
        let assessed_on = match input
            .assessed_on
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => {
                let d = parse_date(s);
                if d.is_none() {
                    v.push("assessed_on", "must be a date (YYYY-MM-DD)");
                }
                d
            }
            None => Some(today),
        };
        if let Some(d) = assessed_on {
            v.check(check_assessed_on(d, today));
        }
        let result = v.check(AssessmentResult::parse("result", &input.result));
        let note = text(&mut v, "note", &input.note, MAX_TEXT);
        let supplier = store::get(tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("supplier"))?;
        v.into_result()?;
        let row = AssessmentRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            supplier_id: id,
            assessed_on: Day(assessed_on.unwrap_or(today)),
            result: result
                .unwrap_or(AssessmentResult::Conditional)
                .as_str()
                .to_owned(),
            note,
            recorded_by: actor.id(),
            created_at: Ts(self.now()),
        };
        store::insert_assessment(tx, &row).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "supplier",
                entity_id: id.to_string(),
                action: "assess",
                summary: format!(
                    "assessed supplier {} \"{}\": {} on {}",
                    supplier_ref(supplier.number),
                    supplier.name,
                    row.result,
                    format_date(row.assessed_on.0)
                ),
                before: None,
                after: Some(serde_json::json!({
                    "assessed_on": format_date(row.assessed_on.0),
                    "result": row.result, "note": row.note,
                })),
            },
        )
        .await?;
        self.load_supplier(tx, ctx, id).await
    }

    /// Remove a supplier and its assessments (the audit trail keeps what it was).
    pub async fn delete_supplier(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove suppliers")?;
        let mut tx = self.db.begin().await?;
        let before = store::get(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("supplier"))?;
        store::delete(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "supplier",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!(
                    "removed supplier {} \"{}\"",
                    supplier_ref(before.number),
                    before.name
                ),
                before: Some(snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The register as a table, for `isms export suppliers`.
    pub async fn suppliers_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see the supplier register")?;
        let mut rows = Vec::new();
        let mut after = 0;
        let mut c = self.db.read().await?;
        loop {
            let page = store::all_after(&mut c, ctx.org.id, after, 500).await?;
            let n = page.len();
            if let Some(last) = page.last() {
                after = last.number;
            }
            for s in self.suppliers_with_history(&mut c, ctx, page).await? {
                let flags = flag_words(&s).join("; ");
                let (last_on, last_result, last_note) = match &s.last_assessment {
                    Some(a) => (a.assessed_on.clone(), a.result.clone(), a.note.clone()),
                    None => Default::default(),
                };
                rows.push(vec![
                    s.reference,
                    s.name,
                    s.service,
                    s.criticality,
                    s.status,
                    s.data_shared,
                    if s.contract_security { "yes" } else { "no" }.to_owned(),
                    s.contract_reference,
                    s.contact,
                    s.owner,
                    s.assessment_interval_months.to_string(),
                    last_on,
                    last_result,
                    last_note,
                    s.next_assessment_due.unwrap_or_default(),
                    flags,
                ]);
            }
            if n < 500 {
                break;
            }
        }
        Ok(Table {
            title: format!("Supplier register of {}", ctx.org.name),
            headers: [
                "reference",
                "name",
                "service",
                "criticality",
                "status",
                "data_shared",
                "contract_security",
                "contract_reference",
                "contact",
                "owner",
                "assessment_interval_months",
                "last_assessed_on",
                "last_result",
                "last_note",
                "next_assessment_due",
                "flags",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }
}

/// The columns of the supplier import, as the supplier export writes them
/// (`next_assessment_due` and `flags` are derived and ignored). The last assessment
/// (`last_assessed_on`, `last_result`, `last_note`), when it differs from the register's,
/// is recorded as a new assessment through the assessment's own rules.
pub const SUPPLIER_COLUMNS: &[isms_domain::import::Column] = {
    use isms_domain::import::Column;
    &[
        Column::opt("reference").aka(&["ref", "id", "supplier id"]),
        Column::req("name").aka(&["supplier", "supplier name", "vendor"]),
        Column::opt("service").aka(&["services", "service provided"]),
        Column::req("criticality").aka(&["tier", "risk tier"]),
        Column::opt("status"),
        Column::opt("data_shared").aka(&["data", "data classes"]),
        Column::opt("contract_security").aka(&["security requirements in contract"]),
        Column::opt("contract_reference").aka(&["contract"]),
        Column::opt("contact"),
        Column::opt("owner").aka(&["relationship owner"]),
        Column::opt("assessment_interval_months").aka(&["interval", "assessment interval"]),
        Column::opt("last_assessed_on").aka(&["last assessment", "assessed on"]),
        Column::opt("last_result").aka(&["result", "assessment result"]),
        Column::opt("last_note").aka(&["assessment note"]),
    ]
};

/// A whole number cell (`12`, `12.0`); blank is `None`.
fn int_cell(v: &mut ValidationError, field: &str, s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.strip_suffix(".0").unwrap_or(s).parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            v.push(field, format!("\"{s}\" is not a whole number of months"));
            None
        }
    }
}

/// The errors found reading the cells, followed by those of the write (so that a row
/// reports all its problems at once).
fn with_cell_errors<T>(cells: ValidationError, r: AppResult<T>) -> AppResult<T> {
    if cells.is_empty() {
        return r;
    }
    let mut all = cells;
    match r {
        Err(AppError::Validation(e)) => all.errors.extend(e.errors),
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    Err(all.into())
}

impl App {
    /// Import the supplier register from CSV or XLSX (see `import_rows`): each row goes
    /// through `create_supplier_in` / `update_supplier_in`, and a last assessment that is
    /// not the register's through `assess_supplier_in`.
    pub(crate) async fn import_suppliers(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        dry_run: bool,
        progress: &dyn crate::progress::Progress,
    ) -> AppResult<crate::imports::RegisterImportReport> {
        use crate::import_rows::{Outcome, Sheet, new_text, patch_text};
        use isms_domain::import::{Cells, RowAction, parse_bool};
        ctx.require(Permission::Write, "import suppliers")?;
        let sheet = Sheet::read(bytes, SUPPLIER_COLUMNS, progress)?;
        let current = self.suppliers_table(ctx).await?;
        let plan = sheet.plan("SUP", SUPPLIER_COLUMNS, &current)?;
        let mut tx = self.db.begin().await?;
        let mut known: HashMap<i64, Supplier> = HashMap::new();
        let mut after = 0;
        loop {
            let page = store::all_after(&mut tx, ctx.org.id, after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.number;
            for s in self.suppliers_with_history(&mut tx, ctx, page).await? {
                known.insert(s.number, s);
            }
        }
        // Yes/no and the interval, read from the cells; problems on plain field names.
        let read = |c: &Cells<'_>, v: &mut ValidationError, crit_default: Option<i64>| {
            let security = match c.opt("contract_security") {
                None => None,
                Some("") => Some(false),
                Some(s) => match parse_bool(s) {
                    Some(b) => Some(b),
                    None => {
                        v.push("contract_security", format!("\"{s}\" is not yes or no"));
                        None
                    }
                },
            };
            // A value equal to the criticality's default is kept as the default, so that
            // it follows the criticality as a supplier added by hand does.
            let interval = c.opt("assessment_interval_months").map(|s| {
                int_cell(v, "assessment_interval_months", s).filter(|m| Some(*m) != crit_default)
            });
            (security, interval)
        };
        let default_of = |s: &str| {
            Criticality::parse("criticality", s)
                .ok()
                .map(Criticality::default_interval_months)
        };
        let mut out = Outcome::new("suppliers", &sheet, plan.len(), dry_run);
        progress.start("importing suppliers", plan.len() as u64);
        for (c, action) in &plan {
            let reference = supplier_ref(action.number());
            let mut cells = ValidationError::new();
            let written = match *action {
                RowAction::Create(n) => {
                    let crit = new_text(c, "criticality");
                    let (security, interval) = read(c, &mut cells, default_of(&crit));
                    let input = NewSupplier {
                        name: new_text(c, "name"),
                        service: new_text(c, "service"),
                        criticality: crit,
                        data_shared: new_text(c, "data_shared"),
                        contract_security: security.unwrap_or(false),
                        contract_reference: new_text(c, "contract_reference"),
                        contact: new_text(c, "contact"),
                        owner: new_text(c, "owner"),
                        assessment_interval_months: interval.flatten(),
                        status: Some(new_text(c, "status")).filter(|s| !s.is_empty()),
                    };
                    self.create_supplier_in(&mut tx, actor, ctx, &input, Some(n))
                        .await
                }
                RowAction::Update(n) => {
                    let Some(cur) = known.get(&n) else {
                        return Err(AppError::Internal(format!("{reference} vanished")));
                    };
                    let crit = c.opt("criticality").unwrap_or(&cur.criticality);
                    let (security, interval) = read(c, &mut cells, default_of(crit));
                    let patch = SupplierPatch {
                        name: patch_text(c, "name"),
                        service: patch_text(c, "service"),
                        criticality: patch_text(c, "criticality"),
                        data_shared: patch_text(c, "data_shared"),
                        contract_security: security,
                        contract_reference: patch_text(c, "contract_reference"),
                        contact: patch_text(c, "contact"),
                        owner: patch_text(c, "owner"),
                        assessment_interval_months: interval,
                        status: patch_text(c, "status"),
                        version: cur.version,
                    };
                    self.update_supplier_in(&mut tx, actor, ctx, cur.id, &patch)
                        .await
                }
                RowAction::Unchanged(_) => {
                    out.unchanged();
                    progress.advance(1);
                    continue;
                }
            };
            let r = match written {
                Ok(s) => self.import_last_assessment(&mut tx, actor, ctx, c, s).await,
                Err(e) => Err(e),
            };
            out.row(c.line, *action, reference, with_cell_errors(cells, r))?;
            progress.advance(1);
        }
        out.finish(self, tx, actor, ctx, progress).await
    }

    /// The row's last assessment, when it is not the supplier's last one, recorded as a
    /// new assessment (its rules' problems named by the export's columns). The import
    /// adds history; it cannot remove or rewrite an assessment.
    async fn import_last_assessment(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        c: &isms_domain::import::Cells<'_>,
        s: Supplier,
    ) -> AppResult<Supplier> {
        let Some(on) = c.opt("last_assessed_on") else {
            return Ok(s);
        };
        let result = c.get("last_result");
        let note = c.get("last_note");
        let same = match &s.last_assessment {
            Some(a) => {
                a.assessed_on == on
                    && (c.opt("last_result").is_none() || a.result == result)
                    && (c.opt("last_note").is_none() || a.note == note)
            }
            None => on.is_empty() && result.is_empty() && note.is_empty(),
        };
        if same {
            return Ok(s);
        }
        if on.is_empty() {
            return Err(ValidationError::single(
                "last_assessed_on",
                format!(
                    "is blank, but {} was last assessed on {}: an import cannot remove assessments",
                    s.reference,
                    s.last_assessment
                        .as_ref()
                        .map_or("", |a| a.assessed_on.as_str())
                ),
            )
            .into());
        }
        if let (Some(a), Some(d)) = (&s.last_assessment, parse_date(on))
            && parse_date(&a.assessed_on).is_some_and(|last| d < last)
        {
            return Err(ValidationError::single(
                "last_assessed_on",
                format!(
                    "{on} is before the last assessment of {} on {}: record older assessments on the supplier's page",
                    s.reference, a.assessed_on
                ),
            )
            .into());
        }
        let input = NewAssessment {
            assessed_on: Some(on.to_owned()),
            result: result.to_owned(),
            note: note.to_owned(),
        };
        self.assess_supplier_in(tx, actor, ctx, s.id, &input)
            .await
            .map_err(|e| match e {
                AppError::Validation(mut v) => {
                    for fe in &mut v.errors {
                        fe.field = match fe.field.as_str() {
                            "assessed_on" => "last_assessed_on".into(),
                            "result" => "last_result".into(),
                            "note" => "last_note".into(),
                            other => other.to_owned(),
                        };
                    }
                    AppError::Validation(v)
                }
                e => e,
            })
    }
}
