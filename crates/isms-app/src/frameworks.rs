//! Frameworks besides ISO 27001 (issue 8): importing an OSCAL catalog or a CISO Assistant
//! library as a framework of the organisation, mapping its requirements to ISO
//! 27001:2022, linking the organisation's controls to them, and the coverage that
//! follows. Reading needs membership; importing and linking the controls' edit
//! permission. Every import is one transaction with its audit-trail entry; a bad file
//! writes nothing.

use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::Ts;
use isms_db::controls as impls;
use isms_db::frameworks::{self as store, FrameworkRow, LinkRow, MappingRow, RequirementRow};
use isms_db::own_controls;
use isms_domain::ValidationError;
use isms_domain::catalogue::catalogue;
use isms_domain::control::{ControlRef, parse_control_ref};
use isms_domain::framework::coverage::{self, Node, Share};
use isms_domain::framework::mapping::{self as mapfile, Relationship};
use isms_domain::framework::{NodeKind, ParsedFramework, Target, ciso, oscal};
use isms_domain::rbac::Permission;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::collections::{HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// An imported framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Framework {
    pub id: Uuid,
    pub name: String,
    pub version: String,
    /// `oscal_catalog` or `ciso_assistant`.
    pub source_kind: String,
    /// SHA-256 of the file last imported.
    pub source_sha256: String,
    pub requirement_count: i64,
    pub imported_by: String,
    pub imported_at: String,
    /// Assessable requirements met by an implemented control.
    pub coverage: Share,
}

/// A requirement (or group) of a framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Requirement {
    /// The framework's id (`ac-2.1`).
    pub ref_id: String,
    pub parent_ref: Option<String>,
    pub depth: i64,
    /// `group`, `control` or `reference_control`.
    pub kind: String,
    pub assessable: bool,
    pub title: String,
    /// The text as imported (the customer's licensed copy), or empty.
    pub text: String,
}

/// An organisation control linked to, or an ISO control mapped to, a requirement.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedControl {
    /// `5.15`, `NW-07` or `clause:6.1.3`.
    pub control_ref: String,
    /// `A.5.15`, `NW-07`, `Clause 6.1.3`.
    pub label: String,
    pub title: String,
    /// The implementation status (`not_started` without a record; empty for a clause).
    pub status: String,
    /// `link`, or the mapping's relationship.
    pub how: String,
    pub rationale: String,
}

/// A requirement with what meets it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequirementDetail {
    pub framework: Framework,
    pub requirement: Requirement,
    /// The organisation's links and the ISO controls mapped to it.
    pub controls: Vec<RelatedControl>,
    /// Whether an implemented control meets it.
    pub met: bool,
}

/// Coverage of one group.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupCoverage {
    pub ref_id: String,
    pub title: String,
    pub depth: i64,
    pub covered: u64,
    pub total: u64,
    pub percent: u64,
}

/// Coverage of a framework, overall and per group (document order).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoverageReport {
    pub framework_id: Uuid,
    pub overall: Share,
    pub percent: u64,
    pub groups: Vec<GroupCoverage>,
}

/// A mapping of a framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MappingEntry {
    pub source_ref: String,
    /// `5.15` or `clause:6.1.3`.
    pub target_id: String,
    pub target_label: String,
    pub relationship: Relationship,
    pub rationale: String,
}

/// What a control meets in an imported framework.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MetRequirement {
    pub framework_id: Uuid,
    pub framework_name: String,
    pub requirement_ref: String,
    /// Absent when the requirement is no longer in the framework.
    pub requirement_title: Option<String>,
    /// `link`, or the mapping's relationship.
    pub how: String,
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FrameworkImport {
    pub framework: Framework,
    /// False when a framework with the same catalog uuid or library urn was updated.
    pub created: bool,
    pub requirements: usize,
    /// Mappings written (CISO Assistant libraries with a mapping to ISO 27001:2022).
    pub mappings: usize,
    /// What the file held and was not imported, and why.
    pub notes: Vec<String>,
    /// The risk method draft made from the library's risk matrix.
    pub risk_method_draft: Option<i64>,
}

/// What a mapping import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MappingImport {
    pub framework_id: Uuid,
    pub mappings: usize,
    /// Mappings the file replaced.
    pub replaced: u64,
}

/// A link to add or remove.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The requirement's id in the framework (`ac-2`).
    pub requirement: String,
    /// An Annex A control (`5.15`) or an own control's code (`NW-07`).
    pub control: String,
}

fn view(r: FrameworkRow, coverage: Share) -> Framework {
    Framework {
        id: r.id,
        name: r.name,
        version: r.fw_version,
        source_kind: r.source_kind,
        source_sha256: r.source_sha256,
        requirement_count: r.requirement_count,
        imported_by: r.imported_by,
        imported_at: r.imported_at.0.rfc3339(),
        coverage,
    }
}

fn req_view(r: RequirementRow) -> Requirement {
    Requirement {
        ref_id: r.ref_id,
        parent_ref: r.parent_ref,
        depth: r.depth,
        kind: r.kind,
        assessable: r.assessable,
        title: r.title,
        text: r.body,
    }
}

/// The requirements of `assessable` met through `pairs` (requirement, control or target)
/// by one of `implemented`.
fn met_set<'a>(
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
    implemented: &HashSet<String>,
) -> HashSet<String> {
    pairs
        .filter(|(_, c)| implemented.contains(*c))
        .map(|(r, _)| r.to_owned())
        .collect()
}

fn file_error(e: ValidationError) -> AppError {
    AppError::Validation(e)
}

impl App {
    async fn implemented(
        &self,
        c: &mut impl isms_db::AsConn,
        org: Uuid,
    ) -> AppResult<HashSet<String>> {
        Ok(impls::refs_with_status(c, org, "implemented")
            .await?
            .into_iter()
            .collect())
    }

    /// A framework by id or (any case) name.
    async fn framework_row(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
        key: &str,
    ) -> AppResult<FrameworkRow> {
        let key = key.trim();
        let row = match Uuid::parse_str(key) {
            Ok(id) => store::by_id(c, ctx.org.id, id).await?,
            Err(_) => store::by_name(c, ctx.org.id, key).await?,
        };
        row.ok_or(AppError::NotFound("framework"))
    }

    async fn coverage_of(
        &self,
        c: &mut impl isms_db::AsConn,
        ctx: &OrgCtx,
        fw: Uuid,
    ) -> AppResult<(Vec<store::NodeRow>, coverage::Coverage, HashSet<String>)> {
        let nodes = store::nodes(c, ctx.org.id, fw).await?;
        let links = store::links(c, ctx.org.id, fw, None).await?;
        let maps = store::mappings(c, ctx.org.id, fw, None).await?;
        let implemented = self.implemented(c, ctx.org.id).await?;
        let met = met_set(
            links
                .iter()
                .map(|l| (l.requirement_ref.as_str(), l.control_ref.as_str()))
                .chain(
                    maps.iter()
                        .map(|m| (m.source_ref.as_str(), m.target_id.as_str())),
                ),
            &implemented,
        );
        let tree: Vec<Node<'_>> = nodes
            .iter()
            .map(|n| Node {
                ref_id: &n.ref_id,
                parent_ref: n.parent_ref.as_deref(),
                kind: NodeKind::parse(&n.kind).unwrap_or(NodeKind::Control),
                assessable: n.assessable,
            })
            .collect();
        let cov = coverage::compute(&tree, &met);
        Ok((nodes, cov, met))
    }

    /// The organisation's frameworks in import order, each with its coverage.
    pub async fn list_frameworks(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Framework>> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let limit = page_limit(limit);
        let after = match decode_cursor(cursor)? {
            None => None,
            Some(s) => Some(Uuid::parse_str(&s).map_err(|_| {
                AppError::from(ValidationError::single(
                    "cursor",
                    "is not a cursor this server gave",
                ))
            })?),
        };
        let mut c = self.db.read().await?;
        let rows = store::list(&mut c, ctx.org.id, after, limit + 1).await?;
        let assessable = store::assessable_all(&mut c, ctx.org.id).await?;
        let pairs = store::pairs_all(&mut c, ctx.org.id).await?;
        let implemented = self.implemented(&mut c, ctx.org.id).await?;
        let mut met: HashMap<Uuid, HashSet<&str>> = HashMap::new();
        for (f, r, t) in &pairs {
            if implemented.contains(t) {
                met.entry(*f).or_default().insert(r.as_str());
            }
        }
        let mut shares: HashMap<Uuid, Share> = HashMap::new();
        for (f, r) in &assessable {
            let s = shares.entry(*f).or_default();
            s.total += 1;
            s.covered += u64::from(met.get(f).is_some_and(|m| m.contains(r.as_str())));
        }
        Ok(crate::paginate(
            rows,
            limit,
            |r| r.id.to_string(),
            |r| {
                let s = shares.get(&r.id).copied().unwrap_or_default();
                view(r, s)
            },
        ))
    }

    pub async fn get_framework(&self, ctx: &OrgCtx, key: &str) -> AppResult<Framework> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let mut c = self.db.read().await?;
        let fw = self.framework_row(&mut c, ctx, key).await?;
        let (_, cov, _) = self.coverage_of(&mut c, ctx, fw.id).await?;
        Ok(view(fw, cov.overall))
    }

    /// Coverage overall and per group, in document order.
    pub async fn framework_coverage(&self, ctx: &OrgCtx, key: &str) -> AppResult<CoverageReport> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let mut c = self.db.read().await?;
        let fw = self.framework_row(&mut c, ctx, key).await?;
        let (nodes, cov, _) = self.coverage_of(&mut c, ctx, fw.id).await?;
        let groups = nodes
            .iter()
            .filter_map(|n| {
                cov.groups.get(&n.ref_id).map(|s| GroupCoverage {
                    ref_id: n.ref_id.clone(),
                    title: n.title.clone(),
                    depth: n.depth,
                    covered: s.covered,
                    total: s.total,
                    percent: s.percent(),
                })
            })
            .collect();
        Ok(CoverageReport {
            framework_id: fw.id,
            overall: cov.overall,
            percent: cov.overall.percent(),
            groups,
        })
    }

    /// The whole tree (without texts) with the requirements an implemented control meets.
    pub async fn framework_tree(
        &self,
        ctx: &OrgCtx,
        key: &str,
    ) -> AppResult<(Framework, Vec<Requirement>, CoverageReport, HashSet<String>)> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let mut c = self.db.read().await?;
        let fw = self.framework_row(&mut c, ctx, key).await?;
        let (nodes, cov, met) = self.coverage_of(&mut c, ctx, fw.id).await?;
        let groups = nodes
            .iter()
            .filter_map(|n| {
                cov.groups.get(&n.ref_id).map(|s| GroupCoverage {
                    ref_id: n.ref_id.clone(),
                    title: n.title.clone(),
                    depth: n.depth,
                    covered: s.covered,
                    total: s.total,
                    percent: s.percent(),
                })
            })
            .collect();
        let report = CoverageReport {
            framework_id: fw.id,
            overall: cov.overall,
            percent: cov.overall.percent(),
            groups,
        };
        let reqs = nodes
            .into_iter()
            .map(|n| Requirement {
                ref_id: n.ref_id,
                parent_ref: n.parent_ref,
                depth: n.depth,
                kind: n.kind,
                assessable: n.assessable,
                title: n.title,
                text: String::new(),
            })
            .collect();
        Ok((view(fw, cov.overall), reqs, report, met))
    }

    /// Requirements in document order; `q` matches id or title.
    pub async fn list_requirements(
        &self,
        ctx: &OrgCtx,
        key: &str,
        q: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Requirement>> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let limit = page_limit(limit);
        let after = match decode_cursor(cursor)? {
            None => None,
            Some(s) => Some(s.parse::<i64>().map_err(|_| {
                AppError::from(ValidationError::single(
                    "cursor",
                    "is not a cursor this server gave",
                ))
            })?),
        };
        let q = q.map(str::trim).filter(|s| !s.is_empty());
        let mut c = self.db.read().await?;
        let fw = self.framework_row(&mut c, ctx, key).await?;
        let rows = store::requirements_page(&mut c, ctx.org.id, fw.id, q, after, limit + 1).await?;
        Ok(crate::paginate(
            rows,
            limit,
            |r| r.position.to_string(),
            req_view,
        ))
    }

    /// A requirement with the controls linked or mapped to it and their status.
    pub async fn get_requirement(
        &self,
        ctx: &OrgCtx,
        key: &str,
        ref_id: &str,
    ) -> AppResult<RequirementDetail> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let mut c = self.db.read().await?;
        let fw = self.framework_row(&mut c, ctx, key).await?;
        let req = store::requirement(&mut c, ctx.org.id, fw.id, ref_id.trim())
            .await?
            .ok_or(AppError::NotFound("requirement"))?;
        let links = store::links(&mut c, ctx.org.id, fw.id, Some(&req.ref_id)).await?;
        let maps = store::mappings(&mut c, ctx.org.id, fw.id, Some(&req.ref_id)).await?;
        let refs: Vec<String> = links
            .iter()
            .map(|l| l.control_ref.clone())
            .chain(maps.iter().map(|m| m.target_id.clone()))
            .collect();
        let statuses: HashMap<String, String> = impls::statuses_of(&mut c, ctx.org.id, &refs)
            .await?
            .into_iter()
            .collect();
        let own: HashMap<String, String> = own_controls::all_titles(&mut c, ctx.org.id)
            .await?
            .into_iter()
            .collect();
        let title_of = |r: &str| -> String {
            match Target::from_key(r) {
                Target::Clause(id) => catalogue().clause(&id).map(|c| c.title.clone()),
                Target::Control(id) => catalogue()
                    .control(&id)
                    .map(|c| c.title.clone())
                    .or_else(|| own.get(&id).cloned()),
            }
            .unwrap_or_default()
        };
        let label_of = |r: &str| -> String {
            match Target::from_key(r) {
                Target::Control(id) if catalogue().control(&id).is_none() => id,
                t => t.label(),
            }
        };
        let status_of = |r: &str| -> String {
            if r.starts_with("clause:") {
                String::new()
            } else {
                statuses
                    .get(r)
                    .cloned()
                    .unwrap_or_else(|| "not_started".into())
            }
        };
        let mut controls: Vec<RelatedControl> = links
            .iter()
            .map(|l| RelatedControl {
                control_ref: l.control_ref.clone(),
                label: label_of(&l.control_ref),
                title: title_of(&l.control_ref),
                status: status_of(&l.control_ref),
                how: "link".into(),
                rationale: String::new(),
            })
            .collect();
        controls.extend(maps.iter().map(|m| RelatedControl {
            control_ref: m.target_id.clone(),
            label: label_of(&m.target_id),
            title: title_of(&m.target_id),
            status: status_of(&m.target_id),
            how: m.relationship.clone(),
            rationale: m.rationale.clone(),
        }));
        let met = controls.iter().any(|c| c.status == "implemented");
        let (_, cov, _) = self.coverage_of(&mut c, ctx, fw.id).await?;
        Ok(RequirementDetail {
            framework: view(fw, cov.overall),
            requirement: req_view(req),
            controls,
            met,
        })
    }

    /// The mappings of a framework, in file order.
    pub async fn framework_mappings(
        &self,
        ctx: &OrgCtx,
        key: &str,
    ) -> AppResult<Vec<MappingEntry>> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let mut c = self.db.read().await?;
        let fw = self.framework_row(&mut c, ctx, key).await?;
        Ok(store::mappings(&mut c, ctx.org.id, fw.id, None)
            .await?
            .into_iter()
            .map(|m| MappingEntry {
                target_label: Target::from_key(&m.target_id).label(),
                relationship: Relationship::parse(&m.relationship).unwrap_or(Relationship::Related),
                source_ref: m.source_ref,
                target_id: m.target_id,
                rationale: m.rationale,
            })
            .collect())
    }

    /// What a control (Annex A id or own code) meets in each imported framework.
    pub async fn control_in_frameworks(
        &self,
        ctx: &OrgCtx,
        control: &str,
    ) -> AppResult<Vec<MetRequirement>> {
        ctx.require(Permission::Read, "see the organisation's frameworks")?;
        let r = parse_control_ref("control", control)?;
        let mut c = self.db.read().await?;
        Ok(store::met_by_control(&mut c, ctx.org.id, r.key())
            .await?
            .into_iter()
            .map(|m| MetRequirement {
                framework_id: m.framework_id,
                framework_name: m.framework_name,
                requirement_ref: m.requirement_ref,
                requirement_title: m.requirement_title,
                how: m.how,
            })
            .collect())
    }

    /// Import an OSCAL catalog (JSON) as a framework; the same catalog (uuid) again
    /// updates it, keeping links and mappings.
    pub async fn import_oscal_catalog(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
    ) -> AppResult<FrameworkImport> {
        ctx.require(Permission::Write, "import frameworks")?;
        let parsed = oscal::parse(bytes).map_err(file_error)?;
        self.store_framework(actor, ctx, bytes, parsed, None, Vec::new(), None)
            .await
    }

    /// Import a CISO Assistant library (YAML): its framework, its reference controls and
    /// its mappings to ISO 27001:2022 (which replace the framework's mappings, when the
    /// library has any).
    pub async fn import_ciso_library(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
    ) -> AppResult<FrameworkImport> {
        ctx.require(Permission::Write, "import frameworks")?;
        let lib = ciso::parse(bytes).map_err(file_error)?;
        let maps: Vec<(String, Target, Relationship, String)> = lib
            .mappings
            .into_iter()
            .map(|m| (m.source_ref, m.target, m.relationship, m.rationale))
            .collect();
        let maps = if maps.is_empty() { None } else { Some(maps) };
        self.store_framework(
            actor,
            ctx,
            bytes,
            lib.framework,
            maps,
            lib.notes,
            lib.risk_method,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn store_framework(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        bytes: &[u8],
        parsed: ParsedFramework,
        maps: Option<Vec<(String, Target, Relationship, String)>>,
        mut notes: Vec<String>,
        risk_method: Option<isms_domain::risk::Method>,
    ) -> AppResult<FrameworkImport> {
        let sha = hex::encode(sha2::Sha256::digest(bytes));
        let now = Ts(self.now());
        let mut tx = self.db.begin().await?;
        let existing = store::by_source_key(&mut tx, ctx.org.id, &parsed.source_key).await?;
        let created = existing.is_none();
        let mut row = existing.clone().unwrap_or(FrameworkRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            source_kind: parsed.source_kind.to_owned(),
            source_key: parsed.source_key.clone(),
            name: String::new(),
            fw_version: String::new(),
            source_sha256: String::new(),
            requirement_count: 0,
            imported_by: String::new(),
            imported_at: now,
            created_at: now,
            version: 1,
        });
        row.name = parsed.name.clone();
        row.fw_version = parsed.version.clone();
        row.source_sha256 = sha;
        row.requirement_count = i64::try_from(parsed.requirements.len()).unwrap_or(i64::MAX);
        row.imported_by = actor.label();
        row.imported_at = now;
        if created {
            store::insert_framework(&mut tx, &row).await?;
        } else {
            store::update_framework(&mut tx, &row).await?;
            store::delete_requirements(&mut tx, ctx.org.id, row.id).await?;
            row.version += 1;
        }
        let reqs: Vec<RequirementRow> = parsed
            .requirements
            .iter()
            .enumerate()
            .map(|(i, r)| RequirementRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                framework_id: row.id,
                ref_id: r.ref_id.clone(),
                parent_ref: r.parent_ref.clone(),
                position: i64::try_from(i).unwrap_or(i64::MAX),
                depth: i64::try_from(r.depth).unwrap_or(0),
                kind: r.kind.as_str().to_owned(),
                assessable: r.assessable,
                title: r.title.clone(),
                body: r.body.clone(),
            })
            .collect();
        store::insert_requirements(&mut tx, &reqs).await?;
        let mut written = 0;
        if let Some(maps) = &maps {
            store::delete_mappings(&mut tx, ctx.org.id, row.id).await?;
            let rows = mapping_rows(
                ctx.org.id,
                row.id,
                maps.iter().map(|m| (&m.0, &m.1, m.2, &m.3)),
            );
            written = rows.len();
            store::insert_mappings(&mut tx, &rows).await?;
        }
        let snapshot = serde_json::json!({
            "name": row.name, "version": row.fw_version, "source": row.source_kind,
            "source_key": row.source_key, "sha256": row.source_sha256,
            "requirements": row.requirement_count, "mappings": written,
        });
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "framework",
                entity_id: row.id.to_string(),
                action: if created { "import" } else { "reimport" },
                summary: format!(
                    "{} framework \"{}\" {} ({} requirements)",
                    if created { "imported" } else { "re-imported" },
                    row.name,
                    row.fw_version,
                    row.requirement_count
                ),
                before: existing.map(|e| {
                    serde_json::json!({"name": e.name, "version": e.fw_version, "sha256": e.source_sha256, "requirements": e.requirement_count})
                }),
                after: Some(snapshot),
            },
        )
        .await?;
        let mut risk_method_draft = None;
        if let Some(m) = risk_method {
            match isms_db::risk_methods::method_in_status(&mut tx, ctx.org.id, crate::risk_methods::STATUS_DRAFT).await? {
                Some(d) => notes.push(format!(
                    "The risk matrix was not imported: risk method version {} is already a draft; finish or delete it and import the library again.",
                    d.number
                )),
                None => {
                    let d = crate::risk_methods::insert_draft(
                        self,
                        &mut tx,
                        actor,
                        ctx,
                        &m,
                        format!("the risk matrix of {}", row.name),
                        format!("Imported from the CISO Assistant library \"{}\"", row.name),
                    )
                    .await?;
                    notes.push(format!(
                        "The risk matrix became draft version {} of the risk method; review it (acceptance level, review interval) before approving.",
                        d.number
                    ));
                    risk_method_draft = Some(d.number);
                }
            }
        }
        tx.commit().await?;
        let fw = self.get_framework(ctx, &row.id.to_string()).await?;
        Ok(FrameworkImport {
            framework: fw,
            created,
            requirements: reqs.len(),
            mappings: written,
            notes,
            risk_method_draft,
        })
    }

    /// Import a mapping table (CSV or XLSX: source id, target id, relationship[,
    /// rationale]) for a framework; it replaces the framework's mappings. All or nothing.
    pub async fn import_framework_mapping(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        key: &str,
        bytes: &[u8],
    ) -> AppResult<MappingImport> {
        ctx.require(Permission::Write, "import framework mappings")?;
        let rows = isms_export::read_table(bytes)
            .map_err(|e| AppError::from(ValidationError::single("file", e.to_string())))?;
        let mut tx = self.db.begin().await?;
        let fw = self.framework_row(&mut tx, ctx, key).await?;
        let known: HashSet<String> = store::nodes(&mut tx, ctx.org.id, fw.id)
            .await?
            .into_iter()
            .filter(|n| n.kind != NodeKind::ReferenceControl.as_str())
            .map(|n| n.ref_id)
            .collect();
        let parsed = mapfile::parse(&rows, &known)?;
        let replaced = store::delete_mappings(&mut tx, ctx.org.id, fw.id).await?;
        let out = mapping_rows(
            ctx.org.id,
            fw.id,
            parsed
                .iter()
                .map(|m| (&m.source_ref, &m.target, m.relationship, &m.rationale)),
        );
        store::insert_mappings(&mut tx, &out).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "framework",
                entity_id: fw.id.to_string(),
                action: "import_mapping",
                summary: format!(
                    "imported {} mappings from \"{}\" to ISO/IEC 27001:2022 (replacing {replaced})",
                    out.len(),
                    fw.name
                ),
                before: Some(serde_json::json!({"mappings": replaced})),
                after: Some(serde_json::json!({"mappings": out.len(), "sha256": hex::encode(sha2::Sha256::digest(bytes))})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(MappingImport {
            framework_id: fw.id,
            mappings: out.len(),
            replaced,
        })
    }

    /// Link one of the organisation's controls to a requirement (idempotent).
    pub async fn link_requirement(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        key: &str,
        input: &LinkInput,
    ) -> AppResult<()> {
        self.change_link(actor, ctx, key, input, true).await
    }

    /// Remove a link; 404 when there is none.
    pub async fn unlink_requirement(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        key: &str,
        input: &LinkInput,
    ) -> AppResult<()> {
        self.change_link(actor, ctx, key, input, false).await
    }

    async fn change_link(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        key: &str,
        input: &LinkInput,
        add: bool,
    ) -> AppResult<()> {
        ctx.require(Permission::Write, "link controls to frameworks")?;
        let control = parse_control_ref("control", &input.control)?;
        let mut tx = self.db.begin().await?;
        let fw = self.framework_row(&mut tx, ctx, key).await?;
        let req_ref = input.requirement.trim();
        if add {
            let Some(req) = store::requirement(&mut tx, ctx.org.id, fw.id, req_ref).await? else {
                return Err(ValidationError::single(
                    "requirement",
                    format!("\"{req_ref}\" is not a requirement of {}", fw.name),
                )
                .into());
            };
            if req.kind == NodeKind::ReferenceControl.as_str() {
                return Err(ValidationError::single(
                    "requirement",
                    "is a reference control; link a requirement",
                )
                .into());
            }
            if let ControlRef::Own(code) = &control
                && own_controls::by_code(&mut tx, ctx.org.id, code)
                    .await?
                    .is_none()
            {
                return Err(ValidationError::single(
                    "control",
                    format!("\"{code}\" is not one of the organisation's own controls"),
                )
                .into());
            }
            let row = LinkRow {
                id: Uuid::now_v7(),
                org_id: ctx.org.id,
                framework_id: fw.id,
                requirement_ref: req.ref_id.clone(),
                control_ref: control.key().to_owned(),
                created_at: Ts(self.now()),
            };
            if !store::insert_link(&mut tx, &row).await? {
                return Ok(());
            }
        } else if !store::delete_link(&mut tx, ctx.org.id, fw.id, req_ref, control.key()).await? {
            return Err(AppError::NotFound("link"));
        }
        let link = serde_json::json!({"framework": fw.name, "requirement": req_ref, "control": control.key()});
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "framework_link",
                entity_id: format!("{}:{req_ref}:{}", fw.id, control.key()),
                action: if add { "create" } else { "delete" },
                summary: format!(
                    "{} {} {} {req_ref} of \"{}\"",
                    if add { "linked" } else { "unlinked" },
                    control.key(),
                    if add { "to" } else { "from" },
                    fw.name
                ),
                before: (!add).then(|| link.clone()),
                after: add.then_some(link),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn mapping_rows<'a>(
    org: Uuid,
    fw: Uuid,
    maps: impl Iterator<Item = (&'a String, &'a Target, Relationship, &'a String)>,
) -> Vec<MappingRow> {
    maps.enumerate()
        .map(|(i, (s, t, r, why))| MappingRow {
            id: Uuid::now_v7(),
            org_id: org,
            framework_id: fw,
            source_ref: s.clone(),
            target_id: t.key(),
            relationship: r.as_str().to_owned(),
            rationale: why.clone(),
            position: i64::try_from(i).unwrap_or(i64::MAX),
        })
        .collect()
}
