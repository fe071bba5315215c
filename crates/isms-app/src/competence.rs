//! Competence and awareness (7.2, 7.3, Annex A 6.3): people, the competences each job
//! role requires, training records and awareness campaigns with their participants. The
//! gap, expiry and participation rules are `isms_domain::competence`'s.

use crate::orgs::OrgCtx;
use crate::{Actor, App, AppError, AppResult, Change, Page, decode_cursor, page_limit, record};
use isms_db::competence::{self as store, CampaignRow, PersonRow, TrainingRow};
use isms_db::{AsConn, Day, Ts, orgs};
use isms_domain::ValidationError;
use isms_domain::competence::{
    MAX_NAME, MAX_TEXT, check_campaign, check_participation, check_training, competence_key,
    missing_competences, participation_low, participation_rate, training_current,
};
use isms_domain::org::parse_name;
use isms_domain::rbac::Permission;
use isms_domain::time::{format_date, parse_date};
use isms_export::Table;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use time::Date;
use utoipa::ToSchema;
use uuid::Uuid;

/// A training record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Training {
    pub id: Uuid,
    pub person_id: Uuid,
    pub person_name: String,
    /// The course or competence it shows.
    pub competence: String,
    /// YYYY-MM-DD.
    pub completed_on: String,
    /// YYYY-MM-DD; none: it does not expire.
    pub expires_on: Option<String>,
    pub provider: String,
    /// Where the certificate or attendance record is.
    pub evidence_note: String,
    /// Expired before today.
    pub expired: bool,
}

/// A person in scope of the ISMS.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub job_role: String,
    pub department: String,
    /// The member user this person is, if any.
    pub user_id: Option<Uuid>,
    pub active: bool,
    /// Competences the job role requires.
    pub required: Vec<String>,
    /// Required competences without a current training record.
    pub missing: Vec<String>,
    /// How many of their training records have expired.
    pub expired_trainings: usize,
    /// Their training records, newest first.
    pub trainings: Vec<Training>,
    pub version: i64,
}

/// A new person.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub job_role: String,
    #[serde(default)]
    pub department: String,
    /// A member of the organisation.
    pub user_id: Option<Uuid>,
    /// Default true.
    pub active: Option<bool>,
}

/// Changes to a person; omitted fields keep their value.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub name: Option<String>,
    pub email: Option<String>,
    pub job_role: Option<String>,
    pub department: Option<String>,
    pub active: Option<bool>,
    pub version: i64,
}

/// The competences one job role requires.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub job_role: String,
    pub competences: Vec<String>,
}

/// A training record to add.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTraining {
    pub person_id: String,
    pub competence: String,
    /// YYYY-MM-DD, not in the future.
    pub completed_on: String,
    /// YYYY-MM-DD after `completed_on`.
    pub expires_on: Option<String>,
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub evidence_note: String,
}

/// One participant of a campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Participant {
    pub person_id: Uuid,
    pub person_name: String,
    pub completed: bool,
    pub completed_on: Option<String>,
}

/// An awareness campaign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    pub id: Uuid,
    pub title: String,
    pub topic: String,
    pub starts_on: String,
    pub ends_on: String,
    pub audience: String,
    pub participants: Vec<Participant>,
    pub participant_count: usize,
    pub completed_count: usize,
    /// Per cent of participants done; none without participants.
    pub participation_rate: Option<f64>,
    /// Ended with fewer than 90 % done.
    pub participation_low: bool,
    pub version: i64,
}

/// A new awareness campaign.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    pub title: String,
    #[serde(default)]
    pub topic: String,
    /// YYYY-MM-DD.
    pub starts_on: String,
    /// YYYY-MM-DD, not before `starts_on`.
    pub ends_on: String,
    #[serde(default)]
    pub audience: String,
    /// The people invited (ids).
    #[serde(default)]
    pub participants: Vec<String>,
}

/// Whether a participant has completed the campaign.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantUpdate {
    pub completed: bool,
    /// YYYY-MM-DD, default today when completed.
    pub completed_on: Option<String>,
}

/// Filters of the training list.
#[derive(Debug, Clone, Default)]
pub struct TrainingQuery {
    pub person_id: Option<String>,
    pub expired: Option<bool>,
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

fn date(v: &mut ValidationError, field: &str, s: &str) -> Option<Date> {
    let d = parse_date(s.trim());
    if d.is_none() {
        v.push(field, "must be a date (YYYY-MM-DD)");
    }
    d
}

fn email(v: &mut ValidationError, s: &str) -> String {
    let s = text(v, "email", s, MAX_NAME);
    let looks_like_address = s.contains('@') && !s.starts_with('@') && !s.ends_with('@');
    if !s.is_empty() && !looks_like_address {
        v.push("email", "must be an e-mail address");
    }
    s
}

fn id_field(v: &mut ValidationError, field: &str, s: &str) -> Option<Uuid> {
    let id = Uuid::parse_str(s.trim()).ok();
    if id.is_none() {
        v.push(field, "must be the id of a person");
    }
    id
}

/// Cursor of a dated keyset: `YYYY-MM-DD/uuid`.
fn dated_cursor(d: Day, id: Uuid) -> String {
    crate::encode_cursor(&format!("{}/{id}", format_date(d.0)))
}

fn read_dated_cursor(c: Option<&str>) -> AppResult<Option<(Day, Uuid)>> {
    match decode_cursor(c)? {
        None => Ok(None),
        Some(s) => s
            .split_once('/')
            .and_then(|(d, i)| Some((Day(parse_date(d)?), Uuid::parse_str(i).ok()?)))
            .map(Some)
            .ok_or_else(|| {
                ValidationError::single("cursor", "is not a cursor this server issued").into()
            }),
    }
}

fn training_view(t: TrainingRow, person_name: String, today: Date) -> Training {
    Training {
        id: t.id,
        person_id: t.person_id,
        person_name,
        competence: t.competence,
        completed_on: format_date(t.completed_on.0),
        expired: !training_current(t.expires_on.map(|d| d.0), today),
        expires_on: t.expires_on.map(|d| format_date(d.0)),
        provider: t.provider,
        evidence_note: t.evidence_note,
    }
}

fn person_snapshot(r: &PersonRow) -> serde_json::Value {
    serde_json::json!({"name": r.name, "email": r.email, "job_role": r.job_role,
        "department": r.department, "user_id": r.user_id, "active": r.active})
}

impl App {
    async fn people_with_trainings(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<PersonRow>,
    ) -> AppResult<Vec<Person>> {
        let today = self.today();
        let mut required: HashMap<String, Vec<String>> = HashMap::new();
        for (role, comp) in store::requirements(c, ctx.org.id).await? {
            required
                .entry(competence_key(&role))
                .or_default()
                .push(comp);
        }
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut by_person: HashMap<Uuid, Vec<TrainingRow>> = HashMap::new();
        for t in store::trainings_of(c, ctx.org.id, &ids).await? {
            by_person.entry(t.person_id).or_default().push(t);
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let ts = by_person.remove(&r.id).unwrap_or_default();
                let req = required
                    .get(&competence_key(&r.job_role))
                    .cloned()
                    .unwrap_or_default();
                let pairs: Vec<(String, Option<Date>)> = ts
                    .iter()
                    .map(|t| (t.competence.clone(), t.expires_on.map(|d| d.0)))
                    .collect();
                let missing = if r.active {
                    missing_competences(&req, &pairs, today)
                } else {
                    Vec::new()
                };
                let trainings: Vec<Training> = ts
                    .into_iter()
                    .map(|t| training_view(t, r.name.clone(), today))
                    .collect();
                Person {
                    id: r.id,
                    expired_trainings: trainings.iter().filter(|t| t.expired).count(),
                    name: r.name,
                    email: r.email,
                    job_role: r.job_role,
                    department: r.department,
                    user_id: r.user_id,
                    active: r.active,
                    required: req,
                    missing,
                    trainings,
                    version: r.version,
                }
            })
            .collect())
    }

    async fn load_person(&self, c: &mut impl AsConn, ctx: &OrgCtx, id: Uuid) -> AppResult<Person> {
        let row = store::get_person(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        self.people_with_trainings(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("person"))
    }

    /// People by name, with their gaps.
    pub async fn list_people(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Person>> {
        ctx.require(Permission::Read, "see competence records")?;
        let limit = page_limit(limit);
        let after = match decode_cursor(cursor)? {
            None => None,
            Some(s) => Some(Uuid::parse_str(&s).map_err(|_| {
                ValidationError::single("cursor", "is not a cursor this server issued")
            })?),
        };
        let mut c = self.db.read().await?;
        let mut rows = store::list_people(&mut c, ctx.org.id, after, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(|r| crate::encode_cursor(&r.id.to_string()))
        } else {
            None
        };
        let items = self.people_with_trainings(&mut c, ctx, rows).await?;
        Ok(Page { items, next_cursor })
    }

    pub async fn get_person(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Person> {
        ctx.require(Permission::Read, "see competence records")?;
        let mut c = self.db.read().await?;
        self.load_person(&mut c, ctx, id).await
    }

    pub async fn create_person(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewPerson,
    ) -> AppResult<Person> {
        ctx.require(Permission::Write, "add people")?;
        let mut v = ValidationError::new();
        let name = v.check(parse_name("name", &input.name, MAX_NAME));
        let email = email(&mut v, &input.email);
        let job_role = text(&mut v, "job_role", &input.job_role, MAX_NAME);
        let department = text(&mut v, "department", &input.department, MAX_NAME);
        let mut tx = self.db.begin().await?;
        if let Some(u) = input.user_id
            && orgs::membership_of(&mut tx, ctx.org.id, u).await?.is_none()
        {
            v.push("user_id", "is not a member of this organisation");
        }
        v.into_result()?;
        let now = Ts(self.now());
        let row = PersonRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            name: name.unwrap_or_default(),
            email,
            job_role,
            department,
            user_id: input.user_id,
            active: input.active.unwrap_or(true),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_person(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "person",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!("added {} ({})", row.name, row.job_role),
                before: None,
                after: Some(person_snapshot(&row)),
            },
        )
        .await?;
        let out = self.load_person(&mut tx, ctx, row.id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Change a person; a stale `version` is 409.
    pub async fn update_person(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &PersonPatch,
    ) -> AppResult<Person> {
        ctx.require(Permission::Write, "change people")?;
        let mut tx = self.db.begin().await?;
        let before = store::get_person(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        if before.version != patch.version {
            return Err(AppError::stale("person"));
        }
        let mut v = ValidationError::new();
        let mut row = before.clone();
        if let Some(n) = &patch.name
            && let Some(n) = v.check(parse_name("name", n, MAX_NAME))
        {
            row.name = n;
        }
        if let Some(e) = &patch.email {
            row.email = email(&mut v, e);
        }
        if let Some(s) = &patch.job_role {
            row.job_role = text(&mut v, "job_role", s, MAX_NAME);
        }
        if let Some(s) = &patch.department {
            row.department = text(&mut v, "department", s, MAX_NAME);
        }
        if let Some(a) = patch.active {
            row.active = a;
        }
        v.into_result()?;
        row.updated_at = Ts(self.now());
        if !store::update_person(&mut tx, &row).await? {
            return Err(AppError::stale("person"));
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "person",
                entity_id: id.to_string(),
                action: "update",
                summary: format!("changed {}", row.name),
                before: Some(person_snapshot(&before)),
                after: Some(person_snapshot(&row)),
            },
        )
        .await?;
        let out = self.load_person(&mut tx, ctx, id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Remove a person with their training records and participations.
    pub async fn delete_person(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove people")?;
        let mut tx = self.db.begin().await?;
        let before = store::get_person(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        store::delete_person(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "person",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed {}", before.name),
                before: Some(person_snapshot(&before)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The competences each job role requires.
    pub async fn competence_requirements(&self, ctx: &OrgCtx) -> AppResult<Vec<Requirement>> {
        ctx.require(Permission::Read, "see competence records")?;
        let mut c = self.db.read().await?;
        let mut out: Vec<Requirement> = Vec::new();
        for (role, comp) in store::requirements(&mut c, ctx.org.id).await? {
            match out.last_mut() {
                Some(r) if r.job_role == role => r.competences.push(comp),
                _ => out.push(Requirement {
                    job_role: role,
                    competences: vec![comp],
                }),
            }
        }
        Ok(out)
    }

    /// Set the competences a job role requires (an empty list removes the role's row).
    pub async fn set_competence_requirement(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &Requirement,
    ) -> AppResult<Requirement> {
        ctx.require(Permission::Write, "set required competences")?;
        let mut v = ValidationError::new();
        let role = v.check(parse_name("job_role", &input.job_role, MAX_NAME));
        let mut comps: Vec<String> = Vec::new();
        for (i, c) in input.competences.iter().enumerate() {
            let field = format!("competences[{i}]");
            if let Some(c) = v.check(parse_name(&field, c, MAX_NAME))
                && !comps
                    .iter()
                    .any(|x| competence_key(x) == competence_key(&c))
            {
                comps.push(c);
            }
        }
        v.into_result()?;
        let role = role.unwrap_or_default();
        let mut tx = self.db.begin().await?;
        store::set_requirements(&mut tx, ctx.org.id, &role, &comps).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "role_competence",
                entity_id: role.clone(),
                action: "update",
                summary: format!(
                    "set the competences a {role} requires: {}",
                    comps.join(", ")
                ),
                before: None,
                after: Some(serde_json::json!({"job_role": role, "competences": comps})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Requirement {
            job_role: role,
            competences: comps,
        })
    }

    /// Training records newest first.
    pub async fn list_trainings(
        &self,
        ctx: &OrgCtx,
        q: &TrainingQuery,
    ) -> AppResult<Page<Training>> {
        ctx.require(Permission::Read, "see competence records")?;
        let limit = page_limit(q.limit);
        let before = read_dated_cursor(q.cursor.as_deref())?;
        let mut v = ValidationError::new();
        let person = match q.person_id.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(p) => id_field(&mut v, "person_id", p),
            None => None,
        };
        v.into_result()?;
        let today = self.today();
        let mut c = self.db.read().await?;
        let expired = q.expired.unwrap_or(false).then_some(Day(today));
        let mut rows =
            store::list_trainings(&mut c, ctx.org.id, person, expired, before, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(|r| dated_cursor(r.completed_on, r.id))
        } else {
            None
        };
        let ids: Vec<Uuid> = rows.iter().map(|r| r.person_id).collect();
        let names: HashMap<Uuid, String> = store::existing_people(&mut c, ctx.org.id, &ids)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let items = rows
            .into_iter()
            .map(|t| {
                let n = names.get(&t.person_id).cloned().unwrap_or_default();
                training_view(t, n, today)
            })
            .collect();
        Ok(Page { items, next_cursor })
    }

    /// Record a training of a person.
    pub async fn create_training(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewTraining,
    ) -> AppResult<Training> {
        ctx.require(Permission::Write, "record training")?;
        let today = self.today();
        let mut v = ValidationError::new();
        let person_id = id_field(&mut v, "person_id", &input.person_id);
        let competence = v.check(parse_name("competence", &input.competence, MAX_NAME));
        let completed = date(&mut v, "completed_on", &input.completed_on);
        let expires = match input.expires_on.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => date(&mut v, "expires_on", s),
            None => None,
        };
        let provider = text(&mut v, "provider", &input.provider, MAX_NAME);
        let note = text(&mut v, "evidence_note", &input.evidence_note, MAX_TEXT);
        if let Some(c) = completed {
            v.check(check_training(c, expires, today));
        }
        let mut tx = self.db.begin().await?;
        let person = match person_id {
            Some(p) => store::get_person(&mut tx, ctx.org.id, p).await?,
            None => None,
        };
        if person_id.is_some() && person.is_none() {
            v.push("person_id", "there is no such person in this organisation");
        }
        v.into_result()?;
        let person = person.ok_or(AppError::NotFound("person"))?;
        let row = TrainingRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            person_id: person.id,
            competence: competence.unwrap_or_default(),
            completed_on: Day(completed.unwrap_or(today)),
            expires_on: expires.map(Day),
            provider,
            evidence_note: note,
            recorded_by: actor.id(),
            created_at: Ts(self.now()),
        };
        store::insert_training(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "training",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "recorded training \"{}\" of {} on {}",
                    row.competence,
                    person.name,
                    format_date(row.completed_on.0)
                ),
                before: None,
                after: Some(serde_json::json!({"person_id": person.id,
                    "competence": row.competence, "completed_on": format_date(row.completed_on.0),
                    "expires_on": row.expires_on.map(|d| format_date(d.0))})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(training_view(row, person.name, today))
    }

    pub async fn delete_training(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove training records")?;
        let mut tx = self.db.begin().await?;
        let t = store::get_training(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("training"))?;
        store::delete_training(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "training",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed training record \"{}\"", t.competence),
                before: Some(serde_json::json!({"person_id": t.person_id,
                    "competence": t.competence, "completed_on": format_date(t.completed_on.0)})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn campaigns_with_participants(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        rows: Vec<CampaignRow>,
    ) -> AppResult<Vec<Campaign>> {
        let today = self.today();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let parts = store::participants_of(c, ctx.org.id, &ids).await?;
        let pids: Vec<Uuid> = parts.iter().map(|p| p.person_id).collect();
        let names: HashMap<Uuid, String> = store::existing_people(c, ctx.org.id, &pids)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();
        let mut by: HashMap<Uuid, Vec<Participant>> = HashMap::new();
        for p in parts {
            by.entry(p.campaign_id).or_default().push(Participant {
                person_id: p.person_id,
                person_name: names.get(&p.person_id).cloned().unwrap_or_default(),
                completed: p.completed_on.is_some(),
                completed_on: p.completed_on.map(|d| format_date(d.0)),
            });
        }
        Ok(rows
            .into_iter()
            .map(|r| {
                let mut participants = by.remove(&r.id).unwrap_or_default();
                participants.sort_by(|a, b| a.person_name.cmp(&b.person_name));
                let done = participants.iter().filter(|p| p.completed).count();
                let rate = participation_rate(participants.len(), done);
                Campaign {
                    id: r.id,
                    title: r.title,
                    topic: r.topic,
                    starts_on: format_date(r.starts_on.0),
                    ends_on: format_date(r.ends_on.0),
                    audience: r.audience,
                    participant_count: participants.len(),
                    completed_count: done,
                    participation_rate: rate.map(|x| (x * 10.0).round() / 10.0),
                    participation_low: participation_low(rate, r.ends_on.0, today),
                    participants,
                    version: r.version,
                }
            })
            .collect())
    }

    async fn load_campaign(
        &self,
        c: &mut impl AsConn,
        ctx: &OrgCtx,
        id: Uuid,
    ) -> AppResult<Campaign> {
        let row = store::get_campaign(c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("awareness campaign"))?;
        self.campaigns_with_participants(c, ctx, vec![row])
            .await?
            .pop()
            .ok_or(AppError::NotFound("awareness campaign"))
    }

    /// Campaigns newest first.
    pub async fn list_campaigns(
        &self,
        ctx: &OrgCtx,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Campaign>> {
        ctx.require(Permission::Read, "see competence records")?;
        let limit = page_limit(limit);
        let before = read_dated_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let mut rows = store::list_campaigns(&mut c, ctx.org.id, before, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let next_cursor = if more {
            rows.last().map(|r| dated_cursor(r.starts_on, r.id))
        } else {
            None
        };
        let items = self.campaigns_with_participants(&mut c, ctx, rows).await?;
        Ok(Page { items, next_cursor })
    }

    pub async fn get_campaign(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Campaign> {
        ctx.require(Permission::Read, "see competence records")?;
        let mut c = self.db.read().await?;
        self.load_campaign(&mut c, ctx, id).await
    }

    /// Start an awareness campaign with the people invited.
    pub async fn create_campaign(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewCampaign,
    ) -> AppResult<Campaign> {
        ctx.require(Permission::Write, "run awareness campaigns")?;
        let mut v = ValidationError::new();
        let title = v.check(parse_name("title", &input.title, MAX_NAME));
        let topic = text(&mut v, "topic", &input.topic, MAX_TEXT);
        let audience = text(&mut v, "audience", &input.audience, MAX_NAME);
        let starts = date(&mut v, "starts_on", &input.starts_on);
        let ends = date(&mut v, "ends_on", &input.ends_on);
        if let (Some(s), Some(e)) = (starts, ends) {
            v.check(check_campaign(s, e));
        }
        let mut pids: Vec<(usize, Uuid)> = Vec::new();
        for (i, p) in input.participants.iter().enumerate() {
            if let Some(id) = id_field(&mut v, &format!("participants[{i}]"), p)
                && !pids.iter().any(|(_, x)| *x == id)
            {
                pids.push((i, id));
            }
        }
        let mut tx = self.db.begin().await?;
        let ids: Vec<Uuid> = pids.iter().map(|(_, p)| *p).collect();
        let known: Vec<Uuid> = store::existing_people(&mut tx, ctx.org.id, &ids)
            .await?
            .into_iter()
            .map(|p| p.id)
            .collect();
        for (i, p) in &pids {
            if !known.contains(p) {
                v.push(
                    format!("participants[{i}]"),
                    "there is no such person in this organisation",
                );
            }
        }
        v.into_result()?;
        let now = Ts(self.now());
        let today = self.today();
        let row = CampaignRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            title: title.unwrap_or_default(),
            topic,
            starts_on: Day(starts.unwrap_or(today)),
            ends_on: Day(ends.unwrap_or(today)),
            audience,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        store::insert_campaign(&mut tx, &row).await?;
        for p in &ids {
            store::set_participant(&mut tx, ctx.org.id, row.id, *p, None).await?;
        }
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "awareness_campaign",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!(
                    "started awareness campaign \"{}\" for {} people",
                    row.title,
                    ids.len()
                ),
                before: None,
                after: Some(serde_json::json!({"title": row.title, "topic": row.topic,
                    "starts_on": format_date(row.starts_on.0), "ends_on": format_date(row.ends_on.0),
                    "audience": row.audience, "participants": ids})),
            },
        )
        .await?;
        let out = self.load_campaign(&mut tx, ctx, row.id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Add a participant or record whether they completed the campaign.
    pub async fn set_campaign_participant(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        campaign_id: Uuid,
        person_id: Uuid,
        input: &ParticipantUpdate,
    ) -> AppResult<Campaign> {
        ctx.require(Permission::Write, "record campaign participation")?;
        let today = self.today();
        let mut v = ValidationError::new();
        let on = if input.completed {
            match input
                .completed_on
                .as_deref()
                .filter(|s| !s.trim().is_empty())
            {
                Some(s) => date(&mut v, "completed_on", s),
                None => Some(today),
            }
        } else {
            None
        };
        v.check(check_participation(on, today));
        let mut tx = self.db.begin().await?;
        let campaign = store::get_campaign(&mut tx, ctx.org.id, campaign_id)
            .await?
            .ok_or(AppError::NotFound("awareness campaign"))?;
        let person = store::get_person(&mut tx, ctx.org.id, person_id)
            .await?
            .ok_or(AppError::NotFound("person"))?;
        v.into_result()?;
        store::set_participant(&mut tx, ctx.org.id, campaign_id, person_id, on.map(Day)).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "awareness_campaign",
                entity_id: campaign_id.to_string(),
                action: "participation",
                summary: format!(
                    "{} {} awareness campaign \"{}\"",
                    person.name,
                    if on.is_some() {
                        "completed"
                    } else {
                        "is invited to"
                    },
                    campaign.title
                ),
                before: None,
                after: Some(serde_json::json!({"person_id": person_id,
                    "completed_on": on.map(format_date)})),
            },
        )
        .await?;
        let out = self.load_campaign(&mut tx, ctx, campaign_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn delete_campaign(&self, actor: Actor<'_>, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::Write, "remove awareness campaigns")?;
        let mut tx = self.db.begin().await?;
        let before = store::get_campaign(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("awareness campaign"))?;
        store::delete_campaign(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "awareness_campaign",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed awareness campaign \"{}\"", before.title),
                before: Some(serde_json::json!({"title": before.title})),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every training record with its person, for `isms export trainings`.
    pub async fn trainings_table(&self, ctx: &OrgCtx) -> AppResult<Table> {
        ctx.require(Permission::Read, "see competence records")?;
        let mut rows = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = self
                .list_trainings(
                    ctx,
                    &TrainingQuery {
                        cursor: cursor.clone(),
                        limit: Some(500),
                        ..Default::default()
                    },
                )
                .await?;
            for t in page.items {
                rows.push(vec![
                    t.person_name,
                    t.competence,
                    t.completed_on,
                    t.expires_on.unwrap_or_default(),
                    t.provider,
                    t.evidence_note,
                    if t.expired { "expired" } else { "" }.to_owned(),
                ]);
            }
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(Table {
            title: format!("Training records of {}", ctx.org.name),
            headers: [
                "person",
                "competence",
                "completed_on",
                "expires_on",
                "provider",
                "evidence_note",
                "flags",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        })
    }
}
