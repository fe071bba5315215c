//! Organisations and who may enter them. [`App::org_access`] is the gate every
//! organisation-scoped service passes: unknown and not-visible look the same (404).

use crate::{
    Actor, App, AppError, AppResult, Change, Page, Principal, decode_cursor, page_limit, paginate,
    record,
};
use isms_db::orgs::{self, MembershipRow, OrgRow, OrgWithRole};
use isms_db::{Day, Ts};
use isms_domain::ValidationError;
use isms_domain::org::{
    Slug, parse_employees, parse_name, parse_other_management_system, parse_sites,
};
use isms_domain::rbac::{OrgAccess, Permission, Role, membership_active};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// An organisation as shown.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct OrgView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    /// People working under the organisation's control.
    pub employees: i64,
    /// Sites (locations) in the ISMS scope.
    pub sites: i64,
    /// Another management system already running (e.g. "ISO 9001"); empty when none.
    pub other_management_system: String,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// The caller's role here; absent for an instance administrator who is not a member.
    #[schema(value_type = Option<String>, example = "admin")]
    pub my_role: Option<Role>,
}

impl OrgView {
    fn from_row(o: &OrgRow, my_role: Option<Role>) -> Self {
        Self {
            id: o.id,
            slug: o.slug.clone(),
            name: o.name.clone(),
            employees: o.employees,
            sites: o.sites,
            other_management_system: o.other_management_system.clone(),
            created_at: o.created_at.0.rfc3339(),
            updated_at: o.updated_at.0.rfc3339(),
            version: o.version,
            my_role,
        }
    }
}

fn snapshot(o: &OrgRow) -> serde_json::Value {
    serde_json::json!({
        "slug": o.slug,
        "name": o.name,
        "employees": o.employees,
        "sites": o.sites,
        "other_management_system": o.other_management_system,
    })
}

/// The organisation a request works in, and what the caller may do there.
#[derive(Debug, Clone)]
pub struct OrgCtx {
    pub org: OrgRow,
    pub access: OrgAccess,
}

impl OrgCtx {
    pub fn can(&self, p: Permission) -> bool {
        self.access.can(p)
    }

    pub fn require(&self, p: Permission, what: &str) -> AppResult<()> {
        if self.can(p) {
            Ok(())
        } else {
            Err(AppError::forbidden(what))
        }
    }

    pub fn view(&self) -> OrgView {
        let role = match self.access {
            OrgAccess::Member(r) => Some(r),
            OrgAccess::InstanceAdmin => None,
        };
        OrgView::from_row(&self.org, role)
    }
}

/// A new organisation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrg {
    pub name: String,
    /// Defaults to one made from the name.
    pub slug: Option<String>,
    pub employees: i64,
    /// Sites in scope (default 1).
    #[serde(default)]
    pub sites: Option<i64>,
    /// Another management system already running, e.g. "ISO 9001" (default none).
    #[serde(default)]
    pub other_management_system: Option<String>,
}

/// Changes to an organisation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub employees: Option<i64>,
    pub sites: Option<i64>,
    /// Empty string: none.
    pub other_management_system: Option<String>,
    pub version: i64,
}

pub(crate) fn parse_role(r: &str) -> AppResult<Role> {
    Role::parse("role", r)
        .map_err(|_| AppError::Internal(format!("unknown role {r:?} in the database")))
}

impl App {
    /// Resolve `slug` for `p`. 404 when the organisation does not exist or `p` has no
    /// current membership there (an expired external-auditor membership counts as none).
    pub async fn org_access(&self, p: &Principal, slug: &str) -> AppResult<OrgCtx> {
        let mut c = self.db.read().await?;
        let org = orgs::org_by_slug(&mut c, slug)
            .await?
            .ok_or(AppError::NotFound("organisation"))?;
        if p.is_admin {
            return Ok(OrgCtx {
                org,
                access: OrgAccess::InstanceAdmin,
            });
        }
        let m = orgs::membership_of(&mut c, org.id, p.user_id)
            .await?
            .filter(|m| membership_active(m.expires_on.map(|d| d.0), self.today()))
            .ok_or(AppError::NotFound("organisation"))?;
        Ok(OrgCtx {
            org,
            access: OrgAccess::Member(parse_role(&m.role)?),
        })
    }

    /// The organisation for the command line (acts as the server operator).
    pub async fn org_for_cli(&self, slug: &str) -> AppResult<OrgCtx> {
        let mut c = self.db.read().await?;
        let org = orgs::org_by_slug(&mut c, slug)
            .await?
            .ok_or(AppError::NotFound("organisation"))?;
        Ok(OrgCtx {
            org,
            access: OrgAccess::InstanceAdmin,
        })
    }

    /// Organisations the caller can open: all for an instance administrator, otherwise
    /// those with a current membership.
    pub async fn list_orgs(
        &self,
        p: &Principal,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<OrgView>> {
        let limit = page_limit(limit);
        let after = decode_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows: Vec<OrgWithRole> = if p.is_admin {
            let mut all = orgs::list_all_orgs(&mut c, after.as_deref(), limit + 1).await?;
            // Show the admin's own role where they are also a member.
            let mine =
                orgs::list_orgs_for_user(&mut c, p.user_id, Day(self.today()), None, 500).await?;
            for o in &mut all {
                if let Some(m) = mine.iter().find(|m| m.org.id == o.org.id) {
                    o.role.clone_from(&m.role);
                }
            }
            all
        } else {
            orgs::list_orgs_for_user(
                &mut c,
                p.user_id,
                Day(self.today()),
                after.as_deref(),
                limit + 1,
            )
            .await?
        };
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let role = r.role.as_deref().map(parse_role).transpose()?;
            out.push((r.org, role));
        }
        Ok(paginate(
            out,
            limit,
            |(o, _)| o.slug.clone(),
            |(o, r)| OrgView::from_row(&o, r),
        ))
    }

    /// Create an organisation (instance administrators and the command line). A person
    /// who creates one becomes its administrator.
    pub async fn create_org(&self, actor: Actor<'_>, input: &NewOrg) -> AppResult<OrgView> {
        if !actor.is_instance_admin() {
            return Err(AppError::forbidden(
                "create organisations (instance administrators only)",
            ));
        }
        let mut v = ValidationError::new();
        let name = v.check(parse_name("name", &input.name, 200));
        let slug = match input.slug.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(s) => v.check(Slug::parse("slug", s)),
            None => name.as_deref().and_then(|n| v.check(Slug::from_name(n))),
        };
        let employees = v.check(parse_employees("employees", input.employees));
        let sites = v.check(parse_sites("sites", input.sites.unwrap_or(1)));
        let other_ms = v.check(parse_other_management_system(
            "other_management_system",
            input.other_management_system.as_deref().unwrap_or(""),
        ));
        v.into_result()?;
        let (Some(name), Some(slug), Some(employees), Some(sites), Some(other_management_system)) =
            (name, slug, employees, sites, other_ms)
        else {
            return Err(AppError::Internal(
                "validation passed without values".into(),
            ));
        };
        let now = Ts(self.now());
        let row = OrgRow {
            id: Uuid::now_v7(),
            slug: slug.as_str().to_owned(),
            name,
            employees,
            sites,
            other_management_system,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut tx = self.db.begin().await?;
        if orgs::org_by_slug(&mut tx, &row.slug).await?.is_some() {
            return Err(ValidationError::single(
                "slug",
                format!("\"{}\" is already used by another organisation", row.slug),
            )
            .into());
        }
        orgs::insert_org(&mut tx, &row).await?;
        record(
            self,
            &mut tx,
            actor,
            Change {
                org_id: Some(row.id),
                entity: "organisation",
                entity_id: row.id.to_string(),
                action: "create",
                summary: format!("created organisation {} ({})", row.name, row.slug),
                before: None,
                after: Some(snapshot(&row)),
            },
        )
        .await?;
        let mut my_role = None;
        if let Some(uid) = actor.id() {
            let m = MembershipRow {
                id: Uuid::now_v7(),
                org_id: row.id,
                user_id: uid,
                role: Role::Admin.as_str().into(),
                expires_on: None,
                created_at: now,
                updated_at: now,
                version: 1,
            };
            orgs::insert_membership(&mut tx, &m).await?;
            record(
                self,
                &mut tx,
                actor,
                Change {
                    org_id: Some(row.id),
                    entity: "membership",
                    entity_id: m.id.to_string(),
                    action: "create",
                    summary: format!(
                        "{} became administrator of the new organisation",
                        actor.label()
                    ),
                    before: None,
                    after: Some(serde_json::json!({"user": actor.label(), "role": "admin"})),
                },
            )
            .await?;
            my_role = Some(Role::Admin);
        }
        tx.commit().await?;
        Ok(OrgView::from_row(&row, my_role))
    }

    /// Change the organisation's name or size.
    pub async fn update_org(
        &self,
        p: &Principal,
        ctx: &OrgCtx,
        patch: &OrgPatch,
    ) -> AppResult<OrgView> {
        ctx.require(Permission::ManageOrg, "change the organisation's settings")?;
        let mut v = ValidationError::new();
        let name = patch
            .name
            .as_deref()
            .and_then(|n| v.check(parse_name("name", n, 200)));
        let employees = patch
            .employees
            .and_then(|e| v.check(parse_employees("employees", e)));
        let sites = patch.sites.and_then(|n| v.check(parse_sites("sites", n)));
        let other_ms = patch
            .other_management_system
            .as_deref()
            .and_then(|m| v.check(parse_other_management_system("other_management_system", m)));
        v.into_result()?;
        let mut tx = self.db.begin().await?;
        let before = orgs::org_by_id(&mut tx, ctx.org.id)
            .await?
            .ok_or(AppError::NotFound("organisation"))?;
        let after = orgs::update_org(
            &mut tx,
            ctx.org.id,
            &orgs::OrgProfile {
                name: name.as_deref().unwrap_or(&before.name),
                employees: employees.unwrap_or(before.employees),
                sites: sites.unwrap_or(before.sites),
                other_management_system: other_ms
                    .as_deref()
                    .unwrap_or(&before.other_management_system),
            },
            patch.version,
            Ts(self.now()),
        )
        .await?
        .ok_or_else(|| AppError::stale("organisation"))?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: Some(after.id),
                entity: "organisation",
                entity_id: after.id.to_string(),
                action: "update",
                summary: format!("changed the settings of {}", after.name),
                before: Some(snapshot(&before)),
                after: Some(snapshot(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        let mut ctx2 = ctx.clone();
        ctx2.org = after;
        Ok(ctx2.view())
    }

    /// Members per role (overview page).
    pub async fn role_counts(&self, ctx: &OrgCtx) -> AppResult<Vec<(Role, i64)>> {
        let mut c = self.db.read().await?;
        let rows = orgs::role_counts(&mut c, ctx.org.id).await?;
        rows.into_iter()
            .map(|(r, n)| Ok((parse_role(&r)?, n)))
            .collect()
    }

    pub async fn org_count(&self) -> AppResult<i64> {
        let mut c = self.db.read().await?;
        Ok(orgs::count_orgs(&mut c).await?)
    }
}
