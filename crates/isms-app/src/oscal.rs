//! NIST OSCAL export (`isms export oscal`): the records each document needs, read one
//! register at a time (no query per record), handed to the pure mappings in
//! `isms_export::oscal`. Nothing here changes data.

use crate::controls::{ControlImpl, ControlQuery};
use crate::exports::ExportFile;
use crate::findings::{ActionQuery, CorrectiveAction, Finding, FindingQuery};
use crate::internal_audits::{Audit, AuditQuery};
use crate::orgs::OrgCtx;
use crate::own_controls::OwnControl;
use crate::{App, AppResult, Page};
use isms_domain::ValidationError;
use isms_domain::foundation::scope::ScopeContent;
use isms_domain::foundation::versioned::VersionStatus;
use isms_domain::rbac::Permission;
use isms_domain::soa::Applicability;
use isms_domain::time::parse_date;
use isms_export::archive::ArchiveFile;
use isms_export::oscal::{self as map, DOCUMENTS};
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// The latest of the timestamps (RFC 3339, all in UTC), never earlier than `floor`.
fn latest<'a>(floor: &str, times: impl IntoIterator<Item = &'a str>) -> String {
    times
        .into_iter()
        .filter(|t| t.len() >= 20)
        .fold(floor.to_owned(), |acc, t| {
            if t > acc.as_str() { t.to_owned() } else { acc }
        })
}

/// Every page of a keyset-paged list, one query per page.
async fn all_pages<T, Fut>(mut page: impl FnMut(Option<String>) -> Fut) -> AppResult<Vec<T>>
where
    Fut: std::future::Future<Output = AppResult<Page<T>>>,
{
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let p = page(cursor).await?;
        out.extend(p.items);
        match p.next_cursor {
            Some(c) => cursor = Some(c),
            None => return Ok(out),
        }
    }
}

fn person(id: Option<Uuid>, name: Option<&String>) -> Option<map::Person> {
    id.map(|id| map::Person {
        id,
        name: name.cloned().unwrap_or_default(),
    })
}

/// A finding as the mapping reads it.
fn finding_in(f: &Finding) -> map::FindingIn {
    map::FindingIn {
        id: f.id,
        finding_ref: f.finding_ref.clone(),
        audit_id: (f.source == "internal_audit")
            .then_some(f.source_id)
            .flatten(),
        checklist_item_id: f.checklist_item_id,
        grade: f.grade.clone(),
        nonconformity: f.nonconformity,
        reference: f.reference.clone(),
        title: f.title.clone(),
        description: f.description.clone(),
        evidence: f.evidence.clone(),
        raised_on: f.raised_on.clone(),
        status: f.status.clone(),
        deadline: f.deadline.clone(),
    }
}

/// Not finished yet: still on the plan of action.
fn action_open(a: &CorrectiveAction) -> bool {
    !matches!(a.status.as_str(), "verified_effective" | "closed")
}

impl App {
    fn oscal_org(&self, ctx: &OrgCtx) -> map::Org {
        map::Org {
            id: ctx.org.id,
            slug: ctx.org.slug.clone(),
            name: ctx.org.name.clone(),
            created_at: ctx.org.created_at.0.rfc3339(),
        }
    }

    /// One OSCAL document (`ssp`, `assessment-results`, `poam`, `catalog`) as JSON.
    pub async fn oscal_document(&self, ctx: &OrgCtx, document: &str) -> AppResult<Value> {
        ctx.require(
            Permission::Read,
            "export the organisation's OSCAL documents",
        )?;
        match document.trim() {
            "ssp" => self.oscal_ssp(ctx).await,
            "assessment-results" => self.oscal_assessment_results(ctx).await,
            "poam" => self.oscal_poam(ctx).await,
            "catalog" => self.oscal_catalog(ctx).await,
            other => Err(ValidationError::single(
                "document",
                format!(
                    "\"{other}\" is not an OSCAL document we export; choose ssp, assessment-results, poam or catalog"
                ),
            )
            .into()),
        }
    }

    /// One document as a download (`northwind-oscal-ssp.json`).
    pub async fn oscal_file(&self, ctx: &OrgCtx, document: &str) -> AppResult<ExportFile> {
        let doc = self.oscal_document(ctx, document).await?;
        Ok(ExportFile {
            bytes: map::to_bytes(&doc),
            content_type: "application/json",
            file_name: format!("{}-oscal-{}.json", ctx.org.slug, document.trim()),
        })
    }

    /// All four documents, each with the file name it has in a directory or the zip
    /// (`ssp.json`, …): the SSP's import-profile points to `catalog.json`.
    pub async fn oscal_documents(&self, ctx: &OrgCtx) -> AppResult<Vec<(String, Value)>> {
        let mut out = Vec::with_capacity(DOCUMENTS.len());
        for d in DOCUMENTS {
            out.push((format!("{d}.json"), self.oscal_document(ctx, d).await?));
        }
        Ok(out)
    }

    /// The four documents in one zip (`northwind-oscal.zip`), dated by the latest change.
    pub async fn oscal_zip(&self, ctx: &OrgCtx) -> AppResult<ExportFile> {
        let docs = self.oscal_documents(ctx).await?;
        let day = docs
            .iter()
            .filter_map(|(_, v)| {
                v.as_object()
                    .and_then(|o| o.values().next())
                    .and_then(|d| d["metadata"]["last-modified"].as_str())
                    .and_then(|s| s.get(..10))
                    .and_then(parse_date)
            })
            .max()
            .unwrap_or_else(|| self.today());
        let files: Vec<ArchiveFile> = docs
            .iter()
            .map(|(path, v)| ArchiveFile {
                path: path.clone(),
                bytes: map::to_bytes(v),
            })
            .collect();
        let bytes = crate::exports::zip_bytes(files, day).await?;
        Ok(ExportFile {
            bytes,
            content_type: "application/zip",
            file_name: format!("{}-oscal.zip", ctx.org.slug),
        })
    }

    /// Every control of the organisation (Annex A and own), with its implementation.
    async fn all_controls(&self, ctx: &OrgCtx) -> AppResult<Vec<ControlImpl>> {
        all_pages(|cursor| {
            let q = ControlQuery {
                limit: Some(500),
                cursor,
                ..Default::default()
            };
            async move { self.list_controls(ctx, &q).await }
        })
        .await
    }

    async fn all_own_controls(&self, ctx: &OrgCtx) -> AppResult<Vec<OwnControl>> {
        all_pages(|cursor| async move {
            self.list_own_controls(ctx, None, cursor.as_deref(), Some(500))
                .await
        })
        .await
    }

    async fn all_findings(&self, ctx: &OrgCtx, source: Option<&str>) -> AppResult<Vec<Finding>> {
        all_pages(|cursor| {
            let q = FindingQuery {
                source: source.map(str::to_owned),
                limit: Some(500),
                cursor,
                ..Default::default()
            };
            async move { self.list_findings(ctx, &q).await }
        })
        .await
    }

    async fn all_actions(&self, ctx: &OrgCtx) -> AppResult<Vec<CorrectiveAction>> {
        all_pages(|cursor| {
            let q = ActionQuery {
                limit: Some(500),
                cursor,
                ..Default::default()
            };
            async move { self.list_corrective_actions(ctx, &q).await }
        })
        .await
    }

    async fn all_audits(&self, ctx: &OrgCtx) -> AppResult<Vec<Audit>> {
        all_pages(|cursor| {
            let q = AuditQuery {
                limit: Some(500),
                cursor,
                ..Default::default()
            };
            async move { self.list_audits(ctx, &q).await }
        })
        .await
    }

    /// The SSP: the applicable Annex A controls of the SoA in force (every Annex A
    /// control while none is in force) and the own controls, with the register's status.
    async fn oscal_ssp(&self, ctx: &OrgCtx) -> AppResult<Value> {
        let org = self.oscal_org(ctx);
        let controls = self.all_controls(ctx).await?;
        let scope = self
            .doc_in_status::<ScopeContent>(ctx, VersionStatus::Approved)
            .await?;
        let versions = self.list_soa_versions(ctx, None, Some(500)).await?.items;
        let in_force = versions
            .iter()
            .find(|v| v.status == VersionStatus::Approved.as_str());
        let soa = match in_force {
            Some(v) => Some((v.clone(), self.get_soa(ctx, v.number, None).await?)),
            None => None,
        };
        let decided: Option<HashMap<&str, &str>> = soa.as_ref().map(|(_, d)| {
            d.entries
                .iter()
                .filter(|e| e.applicable == Applicability::Yes)
                .map(|e| (e.control.as_str(), e.inclusion_note.as_str()))
                .collect()
        });
        let mut times: Vec<&str> = controls
            .iter()
            .filter_map(|c| c.updated_at.as_deref())
            .collect();
        let chosen: Vec<map::SspControl> = controls
            .iter()
            .filter_map(|c| {
                let own = c.kind == "own";
                let note = match &decided {
                    _ if own => "",
                    Some(d) => d.get(c.control_ref.as_str()).copied()?,
                    None => "",
                };
                Some(map::SspControl {
                    control_ref: c.control_ref.clone(),
                    label: c.label.clone(),
                    own,
                    title: c.title.clone(),
                    status: c.status.clone(),
                    owner: person(c.owner_id, c.owner_name.as_ref()),
                    implementation: c.implementation.clone(),
                    soa_note: note.to_owned(),
                })
            })
            .collect();
        let own = self.all_own_controls(ctx).await?;
        times.extend(own.iter().map(|o| o.updated_at.as_str()));
        if let Some((v, _)) = &soa {
            times.extend(v.approved_at.as_deref());
        }
        if let Some(s) = &scope {
            times.extend(s.approved_at.as_deref());
        }
        let scope_text = scope.as_ref().map(|s| scope_words(&s.content));
        let input = map::SspInput {
            scope: scope_text.unwrap_or_default(),
            scope_label: scope
                .as_ref()
                .map(|s| format!("Scope statement version {}", s.number)),
            soa_label: soa
                .as_ref()
                .map(|(v, _)| format!("Statement of Applicability version {}", v.number)),
            controls: chosen,
            last_modified: latest(&org.created_at, times),
            org,
        };
        Ok(map::ssp(&input))
    }

    /// The assessment results: internal audits under way or done, their checklists (one
    /// query for all) and the findings raised in them.
    async fn oscal_assessment_results(&self, ctx: &OrgCtx) -> AppResult<Value> {
        let org = self.oscal_org(ctx);
        let audits: Vec<Audit> = self
            .all_audits(ctx)
            .await?
            .into_iter()
            .filter(|a| matches!(a.status.as_str(), "in_progress" | "completed"))
            .collect();
        let ids: HashSet<Uuid> = audits.iter().map(|a| a.id).collect();
        let findings: Vec<Finding> = self
            .all_findings(ctx, Some("internal_audit"))
            .await?
            .into_iter()
            .filter(|f| f.source_id.is_some_and(|s| ids.contains(&s)))
            .collect();
        let mut c = self.db.read().await?;
        let rows = isms_db::internal_audits::org_checklist(&mut c, ctx.org.id).await?;
        drop(c);
        let mut answered: Vec<String> = Vec::new();
        let mut items: HashMap<Uuid, Vec<map::CheckItem>> = HashMap::new();
        for r in rows {
            let i = r.item;
            let at = i.answered_at.map(|t| t.0.rfc3339());
            answered.extend(at.clone());
            items.entry(i.audit_id).or_default().push(map::CheckItem {
                id: i.id,
                item: i.item_key,
                title: i.title,
                result: i.result,
                notes: i.notes,
                evidence_note: i.evidence_note,
                answered_at: at,
            });
        }
        let times: Vec<&str> = audits
            .iter()
            .map(|a| a.updated_at.as_str())
            .chain(findings.iter().map(|f| f.updated_at.as_str()))
            .chain(answered.iter().map(String::as_str))
            .collect();
        let last_modified = latest(&org.created_at, times);
        let input = map::AssessmentInput {
            audits: audits
                .iter()
                .map(|a| map::AuditIn {
                    id: a.id,
                    reference: a.reference.clone(),
                    title: a.title.clone(),
                    criteria: a.criteria.clone(),
                    scope: a.scope.iter().map(|s| s.item.clone()).collect(),
                    start: a.actual_start.clone().unwrap_or(a.planned_start.clone()),
                    end: a.actual_end.clone(),
                    status: a.status.clone(),
                    lead: a
                        .lead_auditor_name
                        .clone()
                        .or(a.lead_auditor_external.clone()),
                    items: items.remove(&a.id).unwrap_or_default(),
                })
                .collect(),
            findings: findings.iter().map(finding_in).collect(),
            last_modified,
            org,
        };
        Ok(map::assessment_results(&input))
    }

    /// The POA&M: open corrective actions and open nonconformities.
    async fn oscal_poam(&self, ctx: &OrgCtx) -> AppResult<Value> {
        let org = self.oscal_org(ctx);
        let actions = self.all_actions(ctx).await?;
        let findings = self.all_findings(ctx, None).await?;
        // Every change counts, closing included.
        let times: Vec<&str> = actions
            .iter()
            .map(|a| a.updated_at.as_str())
            .chain(findings.iter().map(|f| f.updated_at.as_str()))
            .collect();
        let last_modified = latest(&org.created_at, times);
        let open: Vec<&CorrectiveAction> = actions.iter().filter(|a| action_open(a)).collect();
        let linked: HashSet<Uuid> = open.iter().filter_map(|a| a.finding_id).collect();
        let input = map::PoamInput {
            actions: open
                .iter()
                .map(|a| map::ActionIn {
                    id: a.id,
                    action_ref: a.action_ref.clone(),
                    finding_id: a.finding_id,
                    title: a.title.clone(),
                    description: a.description.clone(),
                    owner: person(a.owner_id, a.owner_name.as_ref()),
                    due_on: a.due_on.clone(),
                    status: a.status.clone(),
                })
                .collect(),
            findings: findings
                .iter()
                .filter(|f| (f.nonconformity && f.status != "closed") || linked.contains(&f.id))
                .map(finding_in)
                .collect(),
            last_modified,
            org,
        };
        Ok(map::poam(&input))
    }

    /// The catalog: Annex A structure and the own controls.
    async fn oscal_catalog(&self, ctx: &OrgCtx) -> AppResult<Value> {
        let org = self.oscal_org(ctx);
        let own = self.all_own_controls(ctx).await?;
        let last_modified = latest(
            map::CATALOGUE_DATE,
            own.iter().map(|o| o.updated_at.as_str()),
        );
        Ok(map::catalog(&map::CatalogInput {
            own: own
                .iter()
                .map(|o| map::OwnControl {
                    code: o.code.clone(),
                    title: o.title.clone(),
                    description: o.description.clone(),
                })
                .collect(),
            last_modified,
            org,
        }))
    }
}

/// The scope statement in words: the statement, then units, locations and systems.
fn scope_words(s: &ScopeContent) -> String {
    let mut out = vec![s.statement.trim().to_owned()];
    for (label, list) in [
        ("Units", &s.units),
        ("Locations", &s.locations),
        ("Systems and services", &s.systems),
    ] {
        if !list.is_empty() {
            out.push(format!("{label}: {}.", list.join(", ")));
        }
    }
    out.retain(|l| !l.is_empty());
    out.join("\n\n")
}
