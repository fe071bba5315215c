//! Readiness: gathers [`Facts`] from the registers (one read per register, no N+1) and
//! runs the domain's rule engine over them. The API, the CLI, the page and the report all
//! call [`App::readiness`], so they give the same answer for the same data and date.

use crate::error::AppResult;
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, Change, record};
use isms_db::Day;
use isms_db::foundation as fstore;
use isms_db::readiness as store;
use isms_domain::control::display_ref;
use isms_domain::control::implementation::{CheckFrequency, ImplementationStatus, unmonitored};
use isms_domain::foundation::registers::{Objective, Role};
use isms_domain::foundation::scope::{PolicyContent, ScopeContent};
use isms_domain::rbac::Permission;
use isms_domain::readiness::{
    self, ApprovalFacts, CertificationFacts, ControlFacts, DocState, Facts, FindingFacts,
    InternalAuditFact, Item, MandatoryDoc, MethodFacts, ObjectiveFacts, OperationFacts,
    PolicyFacts, Profile, Report, ReviewFact, RiskFacts, RoleFacts, ScopeFacts, Settings, SoaFacts,
};
use isms_domain::time::add_months;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// At most this many records are named in one fact (the count is always complete).
const SAMPLE: usize = 25;

fn words(s: &str) -> u32 {
    u32::try_from(s.split_whitespace().count()).unwrap_or(u32::MAX)
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn day(d: Option<Day>) -> Option<Date> {
    d.map(|d| d.0)
}

impl App {
    /// The facts the readiness rules read, as of today: gathered again only when the
    /// organisation's audit trail (or the instance's) has moved or the date has changed.
    pub async fn readiness_facts(&self, ctx: &OrgCtx) -> AppResult<Facts> {
        ctx.require(Permission::Read, "read the readiness of this organisation")?;
        let today = self.today();
        let org = ctx.org.id;
        let key = crate::kept::KeptKey::read_from(&self.db, org, today).await?;
        if let Some(f) = self.facts_cache.get(org, key) {
            return Ok(f);
        }
        let f = self.gather_facts(ctx, today).await?;
        self.facts_cache.put(org, key, &f);
        Ok(f)
    }

    /// Read every register the readiness rules look at.
    async fn gather_facts(&self, ctx: &OrgCtx, today: Date) -> AppResult<Facts> {
        let org = ctx.org.id;
        let roles: Vec<(Uuid, i64, Role)> = self
            .all_entries::<Role>(ctx)
            .await?
            .into_iter()
            .map(|e| (e.id, e.number, e.data))
            .collect();
        let objectives: Vec<(Uuid, i64, Objective)> = self
            .all_entries::<Objective>(ctx)
            .await?
            .into_iter()
            .map(|e| (e.id, e.number, e.data))
            .filter(|(_, _, o)| matches!(o.status.as_str(), "draft" | "approved"))
            .collect();
        let mut c = self.db.read().await?;
        let mut f = Facts::empty(today);
        f.settings = settings_of(store::settings(&mut c, org).await?);

        // Top management: the holders of roles marked as such.
        let top: HashSet<Uuid> = roles
            .iter()
            .filter(|(_, _, r)| r.top_management)
            .filter_map(|(_, _, r)| r.person_id)
            .collect();

        // Management reviews (read early: top management's endorsement of the policy).
        let reviews = store::held_reviews(&mut c, org).await?;
        f.reviews = reviews
            .iter()
            .map(|r| {
                let attendees: Vec<Uuid> =
                    serde_json::from_str(&r.attendee_ids).unwrap_or_default();
                ReviewFact {
                    item: Item::new(
                        format!("{} {}", isms_domain::review::review_ref(r.number), r.title),
                        format!("management-reviews/{}", r.id),
                    ),
                    held_on: day(r.held_on),
                    top_management_attended: r.chair_id.is_some_and(|p| top.contains(&p))
                        || attendees.iter().any(|p| top.contains(p)),
                }
            })
            .collect();

        // 4.3 scope and 5.2 policy.
        let scope = fstore::doc_in_status(&mut c, org, "scope", "approved").await?;
        let scope_draft = fstore::doc_in_status(&mut c, org, "scope", "draft")
            .await?
            .is_some();
        f.scope = match scope
            .as_ref()
            .and_then(|d| serde_json::from_str::<ScopeContent>(&d.content).ok())
        {
            Some(s) => ScopeFacts {
                approved: true,
                draft_open: scope_draft,
                statement_words: words(&s.statement),
                units: count(s.units.len()),
                locations: count(s.locations.len()),
                systems: count(s.systems.len()),
                interfaces: count(s.interfaces.len()),
                unjustified_exclusions: s
                    .exclusions
                    .iter()
                    .filter(|e| e.justification.trim().is_empty())
                    .map(|e| e.what.clone())
                    .collect(),
            },
            None => ScopeFacts {
                draft_open: scope_draft,
                ..ScopeFacts::default()
            },
        };
        let policy = fstore::doc_in_status(&mut c, org, "policy", "approved").await?;
        let policy_draft = fstore::doc_in_status(&mut c, org, "policy", "draft")
            .await?
            .is_some();
        f.policy = match &policy {
            Some(d) => {
                let content = serde_json::from_str::<PolicyContent>(&d.content).ok();
                let approved_on = d.approved_at.map(|t| t.0.date());
                // Top management approved it, or reviewed it at a management review it
                // attended (top management often holds the read-only viewer role here,
                // so the review's attendance is how its endorsement is recorded).
                let endorsed = f
                    .reviews
                    .iter()
                    .any(|r| r.top_management_attended && r.held_on.is_some());
                PolicyFacts {
                    approval: ApprovalFacts {
                        approved: true,
                        draft_open: policy_draft,
                        approved_on,
                        approved_by_top_management: d.approved_by.is_some_and(|p| top.contains(&p))
                            || endorsed,
                        // Reviewed at least once a year (the policy template's interval).
                        review_due: approved_on.map(|a| add_months(a, 12)),
                    },
                    commits_to_requirements: content
                        .as_ref()
                        .is_some_and(|p| p.commits_to_requirements),
                    commits_to_improvement: content.is_some_and(|p| p.commits_to_improvement),
                }
            }
            None => PolicyFacts {
                approval: ApprovalFacts {
                    draft_open: policy_draft,
                    ..ApprovalFacts::default()
                },
                ..PolicyFacts::default()
            },
        };

        // 5.3 roles.
        f.roles = RoleFacts {
            conformity_role_held: roles
                .iter()
                .any(|(_, _, r)| r.ensures_conformity && r.person_id.is_some()),
            reporting_role_held: roles
                .iter()
                .any(|(_, _, r)| r.reports_performance && r.person_id.is_some()),
            vacant: roles
                .iter()
                .filter(|(_, _, r)| r.person_id.is_none())
                .take(SAMPLE)
                .map(|(id, n, r)| {
                    Item::new(format!("RO-{n:03} {}", r.title), format!("isms/roles/{id}"))
                })
                .collect(),
            top_management_named: !top.is_empty(),
        };

        // 6.1.2 the risk method.
        let methods = isms_db::risk_methods::list_methods(&mut c, org).await?;
        let mut level_of_method: HashMap<Uuid, u8> = HashMap::new();
        for m in &methods {
            if let Ok(def) =
                serde_json::from_str::<isms_domain::risk::method::Method>(&m.definition)
            {
                level_of_method.insert(m.id, def.acceptance_level);
                if m.status == "approved" {
                    let scales_ok = [&def.likelihood, &def.impact].iter().all(|s| {
                        s.levels.len() >= 3
                            && s.levels.iter().all(|l| !l.description.trim().is_empty())
                    });
                    f.method = MethodFacts {
                        approval: ApprovalFacts {
                            approved: true,
                            approved_on: m.approved_at.map(|t| t.0.date()),
                            ..ApprovalFacts::default()
                        },
                        has_acceptance_criteria: usize::from(def.acceptance_level)
                            < def.levels.len(),
                        has_defined_scales: scales_ok,
                    };
                }
            }
        }
        f.method.approval.draft_open = methods.iter().any(|m| m.status == "draft");

        // 6.1.2, 6.1.3, 8.2, 8.3 the risk register: totals and the first few risks each
        // rule names, never the whole register.
        let sample = i64::try_from(SAMPLE).unwrap_or(i64::MAX);
        let appetites: Vec<(Uuid, i64)> = level_of_method
            .iter()
            .map(|(m, level)| (*m, i64::from(*level)))
            .collect();
        let (live, last_change) = store::risk_totals(&mut c, org).await?;
        let untreated = store::untreated_risks(&mut c, org, &appetites, sample).await?;
        let unaccepted = store::unaccepted_risks(&mut c, org, Day(today), sample).await?;
        let risk_item = |r: &store::RiskRow| {
            Item::new(
                format!("{} {}", isms_domain::evidence::risk_ref(r.number), r.title),
                format!("risks/{}", r.id),
            )
        };
        let unassessed = store::unassessed_assets(&mut c, org, sample).await?;
        f.risks = RiskFacts {
            total: u32::try_from(live).unwrap_or(u32::MAX),
            last_assessed_on: last_change.map(|t| t.0.date()),
            assets_in_scope: u32::try_from(store::assets_in_scope(&mut c, org).await?)
                .unwrap_or(u32::MAX),
            unassessed_count: u32::try_from(store::unassessed_count(&mut c, org).await?)
                .unwrap_or(u32::MAX),
            unassessed_assets: unassessed
                .iter()
                .map(|a| {
                    Item::new(
                        format!("{} {}", crate::assets::asset_reference(a.number), a.name),
                        format!("assets/{}", a.id),
                    )
                })
                .collect(),
            untreated: untreated.iter().map(risk_item).collect(),
            unaccepted: unaccepted.iter().map(risk_item).collect(),
        };

        // 6.1.3 d the Statement of Applicability.
        let soas = store::soa_versions(&mut c, org).await?;
        let approved_soa = soas.iter().rev().find(|v| v.status == "approved");
        f.soa = SoaFacts {
            approved_version: approved_soa.and_then(|v| u32::try_from(v.number).ok()),
            approved_on: approved_soa.and_then(|v| v.approved_at.map(|t| t.0.date())),
            draft_open: soas.iter().any(|v| v.status == "draft"),
            ..SoaFacts::default()
        };
        if let Some(v) = approved_soa {
            let (undecided, unjustified) = store::soa_gaps(&mut c, org, v.id).await?;
            f.soa.undecided = u32::try_from(undecided).unwrap_or(u32::MAX);
            f.soa.unjustified = u32::try_from(unjustified).unwrap_or(u32::MAX);
        }

        // 6.2 objectives and their measurement.
        let readings: HashMap<String, i64> = store::objective_readings(&mut c, org)
            .await?
            .into_iter()
            .collect();
        let objective_item = |id: &Uuid, n: &i64, o: &Objective| {
            Item::new(
                format!("O-{n:03} {}", o.title),
                format!("isms/objectives/{id}"),
            )
        };
        let min_periods = i64::from(f.settings.min_measurement_periods);
        let objectives_approved = objectives.iter().any(|(_, _, o)| o.status == "approved");
        f.objectives = ObjectiveFacts {
            live: count(objectives.len()),
            incomplete: objectives
                .iter()
                .filter(|(_, _, o)| !o.missing_for_approval().errors.is_empty())
                .take(SAMPLE)
                .map(|(id, n, o)| objective_item(id, n, o))
                .collect(),
            under_measured: objectives
                .iter()
                .filter(|(id, _, _)| {
                    readings.get(&id.to_string()).copied().unwrap_or(0) < min_periods
                })
                .take(SAMPLE)
                .map(|(id, n, o)| objective_item(id, n, o))
                .collect(),
        };

        // 9.2 internal audits: an audit "covers the whole ISMS" when, with the audits
        // completed in the 12 months before it, every clause and applicable control has
        // been audited.
        let (universe, _) = self.audit_universe(&mut c, ctx).await?;
        let scopes = store::completed_audit_scopes(&mut c, org).await?;
        let mut audits: Vec<(Uuid, String, Date, BTreeSet<String>)> = Vec::new();
        for r in scopes {
            let done = r.actual_end.unwrap_or(r.planned_end).0;
            match audits.last_mut() {
                Some(last) if last.0 == r.id => {
                    if let Some(k) = r.item_key {
                        last.3.insert(k);
                    }
                }
                _ => audits.push((
                    r.id,
                    format!(
                        "{} {}",
                        isms_domain::internal_audit::audit_ref(
                            i32::try_from(r.year).unwrap_or(0),
                            r.seq
                        ),
                        r.title
                    ),
                    done,
                    r.item_key.into_iter().collect(),
                )),
            }
        }
        f.internal_audits = audits
            .iter()
            .map(|(id, label, done, _)| {
                let window_start = add_months(*done, -12);
                let covered: HashSet<&String> = audits
                    .iter()
                    .filter(|(_, _, d, _)| *d <= *done && *d >= window_start)
                    .flat_map(|(_, _, _, keys)| keys.iter())
                    .collect();
                InternalAuditFact {
                    item: Item::new(label.clone(), format!("audits/{id}")),
                    completed_on: Some(*done),
                    covers_whole_isms: universe
                        .iter()
                        .filter(|u| !is_own_control(&u.key))
                        .all(|u| covered.contains(&u.key)),
                }
            })
            .collect();
        let programme_entries = store::programme_entries(&mut c, org).await?;

        // Annex A controls: evidence and monitoring.
        let implemented = store::implemented_controls(&mut c, org).await?;
        let control_item =
            |r: &str| Item::new(display_ref(r), format!("controls/{}", display_ref(r)));
        let unmonitored_controls: Vec<Item> = implemented
            .iter()
            .filter(|r| {
                let freq = r
                    .check_frequency
                    .as_deref()
                    .and_then(|s| CheckFrequency::parse("check_frequency", s).ok());
                let status = ImplementationStatus::parse("status", &r.status)
                    .unwrap_or(ImplementationStatus::Implemented);
                unmonitored(status, &r.monitoring, freq)
                    || match (freq, day(r.last_check_on)) {
                        (Some(fr), Some(last)) => fr.next_after(last) < today,
                        _ => true,
                    }
            })
            .take(SAMPLE)
            .map(|r| control_item(&r.control_ref))
            .collect();
        let has_checks = implemented.iter().any(|r| r.last_check_on.is_some());
        drop(c);
        let coverage = self.evidence_coverage(ctx).await?;
        let mut c = self.db.read().await?;
        f.controls = ControlFacts {
            implemented: count(implemented.len()),
            without_evidence: coverage
                .uncovered
                .iter()
                .filter(|u| u.status == "implemented")
                .take(SAMPLE)
                .map(|u| control_item(&u.control_ref))
                .collect(),
            unmonitored: unmonitored_controls,
        };

        // 10.2 findings and corrective actions.
        let findings = store::findings(&mut c, org).await?;
        let actions = store::actions(&mut c, org).await?;
        let cert_audits = store::cert_audits(&mut c, org).await?;
        f.findings = finding_facts(&findings, &actions, &cert_audits, today);

        // Operation: incidents, competence, awareness, suppliers.
        let incidents = store::closed_incidents(&mut c, org).await?;
        let people = store::active_people(&mut c, org).await?;
        let requirements = isms_db::competence::requirements(&mut c, org).await?;
        let trainings = store::trainings(&mut c, org).await?;
        let campaigns =
            store::campaigns_since(&mut c, org, Day(add_months(today, -12)), Day(today)).await?;
        let suppliers = store::critical_suppliers(&mut c, org).await?;
        f.operations = operation_facts(
            &incidents,
            &people,
            &requirements,
            &trainings,
            campaigns,
            &suppliers,
            today,
        );

        // The certification audits.
        let held: Vec<&store::CertAuditRow> =
            cert_audits.iter().filter(|a| a.status == "held").collect();
        f.certification = CertificationFacts {
            stage1_planned_on: cert_audits
                .iter()
                .filter(|a| a.kind == "stage1" && a.status != "cancelled")
                .map(|a| a.actual_start.unwrap_or(a.planned_start).0)
                .min(),
            stage1_held_on: held
                .iter()
                .filter(|a| a.kind == "stage1")
                .filter_map(|a| day(a.actual_end.or(a.actual_start)))
                .max(),
            last_audit_on: held
                .iter()
                .filter_map(|a| day(a.actual_end.or(a.actual_start)))
                .max(),
            risks_reviewed_on: f.risks.last_assessed_on,
            soa_reviewed_on: f.soa.approved_on,
        };

        // Mandatory documented information (clauses 4–10).
        let documents = store::documents(&mut c, org).await?;
        drop(c);
        let has_training = !trainings.is_empty();
        let has_readings = !readings.is_empty() || has_checks;
        f.mandatory_docs = mandatory_docs(
            &f,
            &documents,
            has_training,
            has_readings,
            objectives_approved,
            programme_entries,
            today,
        );
        Ok(f)
    }

    /// One profile's readiness report, as of today.
    pub async fn readiness(&self, ctx: &OrgCtx, profile: Profile) -> AppResult<Report> {
        let facts = self.readiness_facts(ctx).await?;
        Ok(readiness::evaluate(profile, &facts))
    }

    /// Every profile's report from one gathering of the facts (the dashboard's gauges).
    pub async fn readiness_all(&self, ctx: &OrgCtx) -> AppResult<Vec<Report>> {
        let facts = self.readiness_facts(ctx).await?;
        Ok(Profile::ALL
            .into_iter()
            .map(|p| readiness::evaluate(p, &facts))
            .collect())
    }
}

/// An own control's item key (`NW-07`), not a clause (`9.2`) or Annex A control
/// (`A.5.15`): certification audits test the clauses and the SoA's Annex A controls, so
/// "the whole ISMS" leaves the organisation's own additions to its programme.
fn is_own_control(key: &str) -> bool {
    !key.starts_with(|c: char| c.is_ascii_digit()) && !key.starts_with("A.")
}

fn settings_of(row: Option<store::SettingsRow>) -> Settings {
    let d = Settings::default();
    match row {
        None => d,
        Some(r) => Settings {
            audit_lead_weeks: u32::try_from(r.audit_lead_weeks).unwrap_or(d.audit_lead_weeks),
            min_measurement_periods: u32::try_from(r.min_measurement_periods)
                .unwrap_or(d.min_measurement_periods),
            min_scope_words: u32::try_from(r.min_scope_words).unwrap_or(d.min_scope_words),
        },
    }
}

/// The readiness settings of an organisation and their version (0: never saved, the
/// defaults apply).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReadinessSettings {
    /// An internal audit finished closer than this many weeks to Stage 1 is too late.
    pub audit_lead_weeks: u32,
    /// How many measurements per objective Stage 2 expects.
    pub min_measurement_periods: u32,
    /// A scope statement with fewer words is too vague to audit against.
    pub min_scope_words: u32,
    pub version: i64,
}

/// New settings, with the `version` you read.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadinessSettingsInput {
    pub audit_lead_weeks: i64,
    pub min_measurement_periods: i64,
    pub min_scope_words: i64,
    pub version: i64,
}

impl App {
    pub async fn readiness_settings(&self, ctx: &OrgCtx) -> AppResult<ReadinessSettings> {
        ctx.require(Permission::Read, "see the readiness settings")?;
        let mut c = self.db.read().await?;
        let row = store::settings(&mut c, ctx.org.id).await?;
        let version = row.as_ref().map_or(0, |r| r.version);
        let s = settings_of(row);
        Ok(ReadinessSettings {
            audit_lead_weeks: s.audit_lead_weeks,
            min_measurement_periods: s.min_measurement_periods,
            min_scope_words: s.min_scope_words,
            version,
        })
    }

    /// Change what the readiness rules accept (ISMS manager or admin); recorded in the
    /// audit trail.
    pub async fn update_readiness_settings(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &ReadinessSettingsInput,
    ) -> AppResult<ReadinessSettings> {
        ctx.require(Permission::Approve, "change the readiness settings")?;
        let s = Settings::check(
            input.audit_lead_weeks,
            input.min_measurement_periods,
            input.min_scope_words,
        )?;
        let mut tx = self.db.begin().await?;
        let before = store::settings(&mut tx, ctx.org.id).await?;
        if before.as_ref().map_or(0, |r| r.version) != input.version {
            return Err(AppError::stale("readiness settings"));
        }
        let row = store::SettingsRow {
            audit_lead_weeks: i64::from(s.audit_lead_weeks),
            min_measurement_periods: i64::from(s.min_measurement_periods),
            min_scope_words: i64::from(s.min_scope_words),
            version: input.version,
        };
        if !store::save_settings(&mut tx, ctx.org.id, &row, isms_db::Ts(self.now())).await? {
            return Err(AppError::stale("readiness settings"));
        }
        let old = settings_of(before);
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "readiness_settings",
                entity_id: ctx.org.id.to_string(),
                action: "update",
                summary: format!(
                    "set the readiness rules to expect the internal audit {} weeks before Stage 1, {} measurements per objective and a scope of {} words",
                    s.audit_lead_weeks, s.min_measurement_periods, s.min_scope_words
                ),
                before: Some(serde_json::to_value(&old).unwrap_or_default()),
                after: Some(serde_json::to_value(&s).unwrap_or_default()),
            },
        )
        .await?;
        tx.commit().await?;
        self.readiness_settings(ctx).await
    }
}

fn finding_facts(
    findings: &[store::FindingRow],
    actions: &[store::ActionRow],
    cert_audits: &[store::CertAuditRow],
    today: Date,
) -> FindingFacts {
    use isms_domain::capa::{ActionStatus, Grade, finding_ref, is_overdue};
    let item = |f: &store::FindingRow| {
        Item::new(
            format!("{} {}", finding_ref(f.number), f.title),
            format!("findings/{}", f.id),
        )
    };
    let mut by_finding: HashMap<Uuid, Vec<&store::ActionRow>> = HashMap::new();
    for a in actions {
        if let Some(fid) = a.finding_id {
            by_finding.entry(fid).or_default().push(a);
        }
    }
    let is_nc =
        |f: &store::FindingRow| Grade::from_stored(&f.grade).is_some_and(|g| g.is_nonconformity());
    let open = |f: &&store::FindingRow| f.status != "closed";
    let late = |f: &store::FindingRow| {
        let acts = by_finding.get(&f.id).map(Vec::as_slice).unwrap_or_default();
        acts.is_empty()
            || acts.iter().any(|a| {
                ActionStatus::from_stored(&a.status)
                    .is_some_and(|s| is_overdue(s, day(a.due_on), today))
            })
    };
    let stage1_ids: HashSet<Uuid> = cert_audits
        .iter()
        .filter(|a| a.kind == "stage1")
        .map(|a| a.id)
        .collect();
    let last_audit = cert_audits
        .iter()
        .filter(|a| a.status == "held")
        .max_by_key(|a| a.actual_end.or(a.actual_start).unwrap_or(a.planned_start));
    let year_ago = add_months(today, -12);
    let actions_effective = actions
        .iter()
        .filter(|a| a.verification.as_deref() == Some("effective"))
        .filter(|a| day(a.verified_on).is_some_and(|d| d >= year_ago))
        .count();
    let ofis_done = findings
        .iter()
        .filter(|f| f.grade == "ofi" && f.status == "closed")
        .filter(|f| day(f.closed_on).is_some_and(|d| d >= year_ago))
        .count();
    FindingFacts {
        nc_without_action: findings
            .iter()
            .filter(open)
            .filter(|f| is_nc(f) && !by_finding.contains_key(&f.id))
            .take(SAMPLE)
            .map(item)
            .collect(),
        majors_open: findings
            .iter()
            .filter(|f| f.grade == "major_nc")
            .filter(|f| {
                f.status != "closed"
                    || !by_finding.get(&f.id).is_some_and(|acts| {
                        acts.iter()
                            .any(|a| a.verification.as_deref() == Some("effective"))
                    })
            })
            .take(SAMPLE)
            .map(item)
            .collect(),
        actions_overdue: actions
            .iter()
            .filter(|a| {
                ActionStatus::from_stored(&a.status)
                    .is_some_and(|s| is_overdue(s, day(a.due_on), today))
            })
            .take(SAMPLE)
            .map(|a| {
                Item::new(
                    format!("{} {}", isms_domain::capa::action_ref(a.number), a.title),
                    format!("corrective-actions/{}", a.id),
                )
            })
            .collect(),
        stage1_open: findings
            .iter()
            .filter(open)
            .filter(|f| f.source == "certification_audit")
            .filter(|f| f.source_id.is_some_and(|s| stage1_ids.contains(&s)))
            .take(SAMPLE)
            .map(item)
            .collect(),
        last_audit_open: findings
            .iter()
            .filter(open)
            .filter(|f| f.source == "certification_audit" && is_nc(f))
            .filter(|f| last_audit.is_some_and(|a| f.source_id == Some(a.id)))
            .filter(|f| late(f))
            .take(SAMPLE)
            .map(item)
            .collect(),
        improvements_last_12_months: count(actions_effective + ofis_done),
    }
}

fn operation_facts(
    incidents: &[store::IncidentRow],
    people: &[store::PersonRow],
    requirements: &[(String, String)],
    trainings: &[(Uuid, String, Option<Day>)],
    campaigns: i64,
    suppliers: &[store::SupplierRow],
    today: Date,
) -> OperationFacts {
    use isms_domain::competence::{competence_key, missing_competences};
    use isms_domain::supplier::{Criticality, interval_months, next_assessment_due};
    let mut required: HashMap<String, Vec<String>> = HashMap::new();
    for (role, comp) in requirements {
        required
            .entry(competence_key(role))
            .or_default()
            .push(comp.clone());
    }
    let mut by_person: HashMap<Uuid, Vec<(String, Option<Date>)>> = HashMap::new();
    for (p, comp, exp) in trainings {
        by_person
            .entry(*p)
            .or_default()
            .push((comp.clone(), day(*exp)));
    }
    OperationFacts {
        incidents_closed: count(incidents.len()),
        incidents_without_lessons: incidents
            .iter()
            .filter(|i| i.lessons_learned.trim().is_empty())
            .take(SAMPLE)
            .map(|i| {
                Item::new(
                    format!(
                        "{} {}",
                        isms_domain::incident::incident_ref(i.number),
                        i.title
                    ),
                    format!("incidents/{}", i.id),
                )
            })
            .collect(),
        training_records: count(trainings.len()),
        competence_gaps: people
            .iter()
            .filter(|p| {
                let req = required
                    .get(&competence_key(&p.job_role))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let have = by_person.get(&p.id).map(Vec::as_slice).unwrap_or_default();
                !missing_competences(req, have, today).is_empty()
            })
            .take(SAMPLE)
            .map(|p| Item::new(p.name.clone(), format!("competence/people/{}", p.id)))
            .collect(),
        awareness_campaigns_last_12_months: u32::try_from(campaigns).unwrap_or(u32::MAX),
        critical_suppliers: count(suppliers.len()),
        suppliers_unassessed: suppliers
            .iter()
            .filter(|s| {
                let months = interval_months(Criticality::Critical, s.interval_months);
                next_assessment_due(day(s.last_assessed_on), months).is_none_or(|d| d < today)
            })
            .take(SAMPLE)
            .map(|s| {
                Item::new(
                    format!(
                        "{} {}",
                        isms_domain::supplier::supplier_ref(s.number),
                        s.name
                    ),
                    format!("suppliers/{}", s.id),
                )
            })
            .collect(),
    }
}

/// The documented information clauses 4–10 require (the project's mandatory-documents
/// list, section 1), each traced to the record that holds it here.
fn mandatory_docs(
    f: &Facts,
    documents: &[store::DocumentRow],
    has_training: bool,
    has_readings: bool,
    objectives_approved: bool,
    programme_entries: i64,
    today: Date,
) -> Vec<MandatoryDoc> {
    use DocState::{Approved, Draft, Missing, ReviewOverdue};
    let approval = |approved: bool, draft: bool| match (approved, draft) {
        (true, _) => Approved,
        (false, true) => Draft,
        (false, false) => Missing,
    };
    let policy_state = match f.policy.approval.review_due {
        Some(d) if f.policy.approval.approved && d < today => ReviewOverdue,
        _ => approval(f.policy.approval.approved, f.policy.approval.draft_open),
    };
    let method = approval(f.method.approval.approved, f.method.approval.draft_open);
    let risks_recorded = if f.risks.total > 0 { Approved } else { Missing };
    let treatment = if f.risks.total == 0 {
        Missing
    } else if f.risks.untreated.is_empty() {
        Approved
    } else {
        Draft
    };
    // 7.5.1 b: the organisation's own register, every document approved and current.
    let register = if documents.is_empty() {
        Missing
    } else if documents.iter().any(|d| {
        isms_domain::document::review_overdue(
            isms_domain::document::DocumentStatus::parse("status", &d.status)
                .unwrap_or(isms_domain::document::DocumentStatus::Approved),
            day(d.next_review_on),
            today,
        )
    }) {
        ReviewOverdue
    } else if documents
        .iter()
        .any(|d| d.status != "retired" && d.current_version.is_none())
    {
        Draft
    } else {
        Approved
    };
    let audited = f.internal_audits.iter().any(|a| a.completed_on.is_some());
    let rows: [(&'static str, &str, DocState, &str); 16] = [
        (
            "4.3",
            "ISMS scope",
            approval(f.scope.approved, f.scope.draft_open),
            "isms/scope",
        ),
        (
            "5.2",
            "Information security policy",
            policy_state,
            "isms/policy",
        ),
        ("6.1.2", "Risk assessment process", method, "risk-method"),
        ("6.1.3", "Risk treatment process", method, "risk-method"),
        (
            "6.1.3 d",
            "Statement of Applicability",
            match f.soa.approved_version {
                Some(_) => Approved,
                None => approval(false, f.soa.draft_open),
            },
            "soa",
        ),
        ("6.1.3 e", "Risk treatment plan", treatment, "risks"),
        (
            "6.2",
            "Information security objectives",
            if f.objectives.live == 0 {
                Missing
            } else if objectives_approved {
                Approved
            } else {
                Draft
            },
            "isms/objectives",
        ),
        (
            "7.2 d",
            "Evidence of competence",
            if has_training { Approved } else { Missing },
            "competence",
        ),
        ("7.5.1 b", "Documents the ISMS needs", register, "documents"),
        (
            "8.1",
            "Operational planning and control",
            if f.controls.implemented > 0 {
                Approved
            } else {
                Missing
            },
            "controls",
        ),
        ("8.2", "Risk assessment results", risks_recorded, "risks"),
        (
            "8.3",
            "Risk treatment results",
            if f.risks.total > 0 && f.controls.implemented > 0 {
                Approved
            } else {
                Missing
            },
            "risks",
        ),
        (
            "9.1",
            "Monitoring and measurement results",
            if has_readings { Approved } else { Missing },
            "measurements",
        ),
        (
            "9.2.2",
            "Audit programme and audit results",
            match (programme_entries > 0, audited) {
                (true, true) => Approved,
                (true, false) | (false, true) => Draft,
                (false, false) => Missing,
            },
            "audits/programme",
        ),
        (
            "9.3.3",
            "Management review results",
            if f.reviews.iter().any(|r| r.held_on.is_some()) {
                Approved
            } else {
                Missing
            },
            "management-reviews",
        ),
        (
            "10.2",
            "Nonconformities and corrective actions",
            if f.findings.nc_without_action.is_empty() {
                Approved
            } else {
                Draft
            },
            "findings",
        ),
    ];
    rows.into_iter()
        .map(|(clause, title, state, path)| MandatoryDoc {
            clause,
            title: title.to_owned(),
            state,
            path: path.to_owned(),
        })
        .collect()
}

/// The readiness report as a document: a summary table of the profiles, then for each
/// profile its rules, failures first, with the reason, the fix and what to open.
pub fn readiness_document(org_name: &str, reports: &[Report]) -> isms_export::Report {
    use isms_domain::readiness::Outcome;
    use isms_export::{Report as Doc, Section, Table};
    let as_of = reports
        .first()
        .map(|r| r.as_of.to_string())
        .unwrap_or_default();
    let mut summary = Table {
        title: "Readiness by profile".into(),
        headers: [
            "profile", "score", "failed", "blockers", "warnings", "passed",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for r in reports {
        summary.rows.push(vec![
            r.profile.label().into(),
            format!("{}/100", r.score),
            r.failed.to_string(),
            r.blockers.to_string(),
            r.warnings.to_string(),
            r.passed.to_string(),
        ]);
    }
    let mut sections = vec![Section {
        heading: "Summary".into(),
        paragraphs: vec![
            "Each profile is the set of checks a certification auditor would make at that audit. A blocker that fails is what the auditor would raise as a nonconformity or what would stop the audit; a warning is what they would likely note.".into(),
        ],
        table: Some(summary),
        ..Section::default()
    }];
    for r in reports {
        let mut t = Table {
            title: r.profile.label().into(),
            headers: ["result", "rule", "clause", "severity", "reason", "fix"]
                .map(String::from)
                .to_vec(),
            rows: Vec::new(),
        };
        let mut bullets = Vec::new();
        for x in &r.results {
            let failing = matches!(x.outcome, Outcome::Fail | Outcome::Warning);
            t.rows.push(vec![
                x.outcome.label().into(),
                format!("{} ({})", x.title, x.id),
                x.clause.into(),
                match x.severity {
                    isms_domain::readiness::Severity::Blocker => "blocker".into(),
                    isms_domain::readiness::Severity::Warning => "warning".into(),
                },
                x.reason.clone(),
                if failing {
                    x.fix.clone()
                } else {
                    String::new()
                },
            ]);
            if failing && !x.links.is_empty() {
                bullets.push(format!(
                    "{}: {}",
                    x.title,
                    x.links
                        .iter()
                        .map(|l| l.label.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
        }
        sections.push(Section {
            heading: format!("{} — score {}/100", r.profile.label(), r.score),
            paragraphs: vec![if r.ok() {
                "No rule fails.".into()
            } else {
                format!(
                    "{} rules fail, {} of them blockers. The records to open for each are listed after the table.",
                    r.failed, r.blockers
                )
            }],
            bullets,
            table: Some(t),
            ..Section::default()
        });
    }
    Doc {
        title: format!("Certification readiness — {org_name}"),
        meta: vec![
            ("Organisation".into(), org_name.into()),
            ("As of".into(), as_of),
        ],
        sections,
        landscape: true,
        title_page: false,
    }
}

impl App {
    /// The readiness report file (`isms export readiness`): one profile, or all three.
    pub async fn readiness_file(
        &self,
        ctx: &OrgCtx,
        profile: Option<Profile>,
        fmt: isms_export::TableFormat,
    ) -> AppResult<crate::exports::ExportFile> {
        use isms_export::TableFormat;
        if !matches!(fmt, TableFormat::Markdown | TableFormat::Pdf) {
            return Err(isms_domain::ValidationError::single(
                "format",
                "the readiness report is available as pdf or md (Markdown)",
            )
            .into());
        }
        let reports = match profile {
            Some(p) => vec![self.readiness(ctx, p).await?],
            None => self.readiness_all(ctx).await?,
        };
        let doc = readiness_document(&ctx.org.name, &reports);
        let name = profile.map_or("readiness".to_owned(), |p| {
            format!("readiness-{}", p.as_str())
        });
        Ok(crate::exports::ExportFile {
            bytes: crate::exports::report_bytes(doc, fmt).await?,
            content_type: fmt.content_type(),
            file_name: format!("{}-{name}.{}", ctx.org.slug, fmt.extension()),
        })
    }
}
