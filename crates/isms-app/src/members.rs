//! Memberships: who belongs to an organisation, with which role, until when.

use crate::orgs::{OrgCtx, parse_role};
use crate::users::NewUser;
use crate::{
    Actor, App, AppError, AppResult, Change, Page, Principal, decode_cursor, page_limit, paginate,
    record,
};
use isms_db::orgs::{self, MemberView, MembershipRow};
use isms_db::{Day, Ts, users};
use isms_domain::ValidationError;
use isms_domain::rbac::{Permission, Role, check_expiry, membership_active};
use isms_domain::time::{format_date, parse_date};
use isms_domain::user::Email;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A member of an organisation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct Member {
    /// The membership's id.
    pub id: Uuid,
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    /// `admin`, `isms_manager`, `contributor`, `internal_auditor`, `external_auditor` or `viewer`.
    #[schema(value_type = String, example = "isms_manager")]
    pub role: Role,
    /// Last day of access (YYYY-MM-DD), if access ends.
    pub expires_on: Option<String>,
    /// Whether the membership counts today (not expired, account not disabled).
    pub active: bool,
    pub totp_enabled: bool,
    pub created_at: String,
    pub version: i64,
}

/// Add a person to the organisation. If no account has the e-mail address yet, give
/// `name` and an initial `password` to create one.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMember {
    pub email: String,
    /// `admin`, `isms_manager`, `contributor`, `internal_auditor`, `external_auditor` or `viewer`.
    pub role: String,
    /// YYYY-MM-DD; required for external auditors.
    pub expires_on: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
}

/// Change a membership. `expires_on: null` removes the end date.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberPatch {
    pub role: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub expires_on: Option<Option<String>>,
    pub version: i64,
}

/// Distinguish an absent field (`None`) from an explicit `null` (`Some(None)`).
fn double_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Ok(Some(Option::deserialize(d)?))
}

fn parse_day(field: &str, s: &str) -> Result<time::Date, ValidationError> {
    parse_date(s).ok_or_else(|| ValidationError::single(field, "must be a date written YYYY-MM-DD"))
}

fn snapshot(m: &MembershipRow, email: &str) -> serde_json::Value {
    serde_json::json!({
        "user": email, "role": m.role,
        "expires_on": m.expires_on.map(|d| format_date(d.0)),
    })
}

impl App {
    fn member_of(&self, v: MemberView) -> AppResult<Member> {
        let active = !v.disabled && membership_active(v.m.expires_on.map(|d| d.0), self.today());
        Ok(Member {
            id: v.m.id,
            user_id: v.m.user_id,
            email: v.email,
            name: v.user_name,
            role: parse_role(&v.m.role)?,
            expires_on: v.m.expires_on.map(|d| format_date(d.0)),
            active,
            totp_enabled: v.totp_enabled,
            created_at: v.m.created_at.0.rfc3339(),
            version: v.m.version,
        })
    }

    /// Members by e-mail address; `role` filters.
    pub async fn list_members(
        &self,
        ctx: &OrgCtx,
        role: Option<&str>,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> AppResult<Page<Member>> {
        ctx.require(Permission::Read, "see the members")?;
        let role = role
            .filter(|r| !r.is_empty())
            .map(|r| Role::parse("role", r))
            .transpose()?;
        let limit = page_limit(limit);
        let after = decode_cursor(cursor)?;
        let mut c = self.db.read().await?;
        let rows = orgs::list_members(
            &mut c,
            ctx.org.id,
            role.map(Role::as_str),
            after.as_deref(),
            limit + 1,
        )
        .await?;
        let page = paginate(rows, limit, |r| r.email.clone(), |r| r);
        let mut items = Vec::with_capacity(page.items.len());
        for r in page.items {
            items.push(self.member_of(r)?);
        }
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
        })
    }

    pub async fn get_member(&self, ctx: &OrgCtx, id: Uuid) -> AppResult<Member> {
        ctx.require(Permission::Read, "see the members")?;
        let mut c = self.db.read().await?;
        let v = orgs::member_by_id(&mut c, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        self.member_of(v)
    }

    /// Add a member (creating the account when needed).
    pub async fn add_member(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewMember,
    ) -> AppResult<Member> {
        let mut tx = self.db.begin().await?;
        let view = self.add_member_tx(&mut tx, actor, ctx, input).await?;
        tx.commit().await?;
        self.member_of(view)
    }

    /// Create an account and make it a member in one transaction (the command line's
    /// `user add --org … --role …`): either both exist afterwards or neither.
    pub async fn create_user_in_org(
        &self,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        user: &NewUser,
        role: &str,
        expires_on: Option<String>,
    ) -> AppResult<Member> {
        let mut tx = self.db.begin().await?;
        self.insert_user_tx(&mut tx, actor, user).await?;
        let input = NewMember {
            email: user.email.clone(),
            role: role.to_owned(),
            expires_on,
            name: None,
            password: None,
        };
        let view = self.add_member_tx(&mut tx, actor, ctx, &input).await?;
        tx.commit().await?;
        self.member_of(view)
    }

    async fn add_member_tx(
        &self,
        tx: &mut isms_db::Tx,
        actor: Actor<'_>,
        ctx: &OrgCtx,
        input: &NewMember,
    ) -> AppResult<MemberView> {
        ctx.require(Permission::ManageMembers, "add members")?;
        let mut v = ValidationError::new();
        let email = v.check(Email::parse("email", &input.email));
        let role = v.check(Role::parse("role", &input.role));
        let expires_on = input
            .expires_on
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| v.check(parse_day("expires_on", s)));
        if let Some(r) = role {
            v.check(check_expiry("expires_on", r, expires_on, self.today()));
        }
        v.into_result()?;
        let (Some(email), Some(role)) = (email, role) else {
            return Err(AppError::Internal(
                "validation passed without values".into(),
            ));
        };
        let user = match users::user_by_email(tx, email.as_str()).await? {
            Some(u) => u,
            None => {
                let (Some(name), Some(password)) = (
                    input.name.as_deref().filter(|s| !s.trim().is_empty()),
                    input.password.as_deref().filter(|s| !s.is_empty()),
                ) else {
                    let mut v = ValidationError::new();
                    if input.name.as_deref().is_none_or(|s| s.trim().is_empty()) {
                        v.push(
                            "name",
                            "is required to create an account for a new e-mail address",
                        );
                    }
                    if input.password.as_deref().is_none_or(str::is_empty) {
                        v.push(
                            "password",
                            "is required to create an account for a new e-mail address",
                        );
                    }
                    return Err(v.into());
                };
                self.insert_user_tx(
                    tx,
                    actor,
                    &NewUser {
                        email: email.as_str().to_owned(),
                        name: name.to_owned(),
                        password: password.to_owned(),
                        is_admin: false,
                    },
                )
                .await?
            }
        };
        if orgs::membership_of(tx, ctx.org.id, user.id)
            .await?
            .is_some()
        {
            return Err(ValidationError::single(
                "email",
                format!("{} is already a member", user.email),
            )
            .into());
        }
        let now = Ts(self.now());
        let m = MembershipRow {
            id: Uuid::now_v7(),
            org_id: ctx.org.id,
            user_id: user.id,
            role: role.as_str().to_owned(),
            expires_on: expires_on.map(Day),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        orgs::insert_membership(tx, &m).await?;
        record(
            self,
            tx,
            actor,
            Change {
                org_id: Some(ctx.org.id),
                entity: "membership",
                entity_id: m.id.to_string(),
                action: "create",
                summary: format!(
                    "added {} as {}{}",
                    user.email,
                    role.label(),
                    expires_on
                        .map(|d| format!(" until {}", format_date(d)))
                        .unwrap_or_default()
                ),
                before: None,
                after: Some(snapshot(&m, &user.email)),
            },
        )
        .await?;
        orgs::member_by_id(tx, ctx.org.id, m.id)
            .await?
            .ok_or(AppError::NotFound("member"))
    }

    /// Change role or expiry. The last administrator cannot be demoted.
    pub async fn update_member(
        &self,
        p: &Principal,
        ctx: &OrgCtx,
        id: Uuid,
        patch: &MemberPatch,
    ) -> AppResult<Member> {
        ctx.require(Permission::ManageMembers, "change members")?;
        let mut tx = self.db.begin().await?;
        let before = orgs::member_by_id(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let mut v = ValidationError::new();
        let role = match patch.role.as_deref() {
            Some(r) => v.check(Role::parse("role", r)),
            None => Some(parse_role(&before.m.role)?),
        };
        let expires_on = match &patch.expires_on {
            None => before.m.expires_on.map(|d| d.0),
            Some(None) => None,
            Some(Some(s)) if s.trim().is_empty() => None,
            Some(Some(s)) => v.check(parse_day("expires_on", s)),
        };
        if let Some(r) = role {
            let changed = patch.expires_on.is_some() || patch.role.is_some();
            if changed {
                // Only check a date that is being set; an old one may be past already.
                let check_date = if patch.expires_on.is_some() {
                    expires_on
                } else {
                    None
                };
                if r.requires_expiry() && expires_on.is_none() {
                    v.check(check_expiry("expires_on", r, None, self.today()));
                } else {
                    v.check(check_expiry("expires_on", r, check_date, self.today()));
                }
            }
        }
        v.into_result()?;
        let Some(role) = role else {
            return Err(AppError::Internal(
                "validation passed without a role".into(),
            ));
        };
        if before.m.role == Role::Admin.as_str() && role != Role::Admin {
            let admins = orgs::count_active_admins(&mut tx, ctx.org.id, Day(self.today())).await?;
            if admins <= 1 {
                return Err(AppError::Conflict(
                    "this is the organisation's last administrator; make someone else administrator first".into(),
                ));
            }
        }
        let after = orgs::update_membership(
            &mut tx,
            ctx.org.id,
            id,
            role.as_str(),
            expires_on.map(Day),
            patch.version,
            Ts(self.now()),
        )
        .await?
        .ok_or_else(|| AppError::stale("membership"))?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: Some(ctx.org.id),
                entity: "membership",
                entity_id: id.to_string(),
                action: "update",
                summary: format!(
                    "changed the membership of {} to {}",
                    before.email,
                    role.label()
                ),
                before: Some(snapshot(&before.m, &before.email)),
                after: Some(snapshot(&after, &before.email)),
            },
        )
        .await?;
        let view = orgs::member_by_id(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        tx.commit().await?;
        self.member_of(view)
    }

    /// Remove a member. The last administrator cannot be removed.
    pub async fn remove_member(&self, p: &Principal, ctx: &OrgCtx, id: Uuid) -> AppResult<()> {
        ctx.require(Permission::ManageMembers, "remove members")?;
        let mut tx = self.db.begin().await?;
        let before = orgs::member_by_id(&mut tx, ctx.org.id, id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        if before.m.role == Role::Admin.as_str() {
            let admins = orgs::count_active_admins(&mut tx, ctx.org.id, Day(self.today())).await?;
            if admins <= 1 {
                return Err(AppError::Conflict(
                    "this is the organisation's last administrator; make someone else administrator first".into(),
                ));
            }
        }
        orgs::delete_membership(&mut tx, ctx.org.id, id).await?;
        record(
            self,
            &mut tx,
            Actor::User(p),
            Change {
                org_id: Some(ctx.org.id),
                entity: "membership",
                entity_id: id.to_string(),
                action: "delete",
                summary: format!("removed {} from the organisation", before.email),
                before: Some(snapshot(&before.m, &before.email)),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
