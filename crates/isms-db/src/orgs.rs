//! Organisations and memberships. Every membership query is scoped by `org_id`.

use crate::{AsConn, Day, DbError, Ts, dup, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct OrgRow {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub employees: i64,
    /// Sites (locations) in the ISMS scope.
    pub sites: i64,
    /// Another management system already running, e.g. "ISO 9001"; empty when none.
    pub other_management_system: String,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// An organisation as one user sees it, with their role there (`None` for an instance
/// administrator who is not a member).
#[derive(Debug, Clone, FromRow)]
pub struct OrgWithRole {
    #[sqlx(flatten)]
    pub org: OrgRow,
    pub role: Option<String>,
    pub expires_on: Option<Day>,
}

pub async fn insert_org(c: &mut impl AsConn, o: &OrgRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO organisations (id, slug, name, employees, sites, other_management_system,
                                    created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
        .bind(o.id).bind(&o.slug).bind(&o.name).bind(o.employees)
        .bind(o.sites).bind(&o.other_management_system)
        .bind(o.created_at).bind(o.updated_at).bind(o.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(dup("slug"))?;
    Ok(())
}

pub async fn org_by_slug(c: &mut impl AsConn, slug: &str) -> Result<Option<OrgRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, OrgRow>(
        "SELECT id, slug, name, employees, sites, other_management_system, created_at, updated_at, version
         FROM organisations WHERE slug = $1")
        .bind(slug).fetch_optional(x).await)?)
}

pub async fn org_by_id(c: &mut impl AsConn, id: Uuid) -> Result<Option<OrgRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, OrgRow>(
        "SELECT id, slug, name, employees, sites, other_management_system, created_at, updated_at, version
         FROM organisations WHERE id = $1")
        .bind(id).fetch_optional(x).await)?)
}

/// The editable settings of an organisation.
#[derive(Debug, Clone, Copy)]
pub struct OrgProfile<'a> {
    pub name: &'a str,
    pub employees: i64,
    pub sites: i64,
    pub other_management_system: &'a str,
}

/// Change the settings if `version` is still current; `None` when it is stale.
pub async fn update_org(
    c: &mut impl AsConn,
    id: Uuid,
    p: &OrgProfile<'_>,
    version: i64,
    now: Ts,
) -> Result<Option<OrgRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, OrgRow>(
        "UPDATE organisations SET name = $1, employees = $2, sites = $6,
                other_management_system = $7, updated_at = $3, version = version + 1
         WHERE id = $4 AND version = $5
         RETURNING id, slug, name, employees, sites, other_management_system, created_at, updated_at, version")
        .bind(p.name).bind(p.employees).bind(now).bind(id).bind(version)
        .bind(p.sites).bind(p.other_management_system)
        .fetch_optional(x).await)?)
}

/// Every organisation (instance administrators), by slug, keyset-paginated.
pub async fn list_all_orgs(
    c: &mut impl AsConn,
    after_slug: Option<&str>,
    limit: i64,
) -> Result<Vec<OrgWithRole>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, OrgWithRole>(
        "SELECT id, slug, name, employees, sites, other_management_system, created_at, updated_at, version,
                NULL AS role, NULL AS expires_on
         FROM organisations WHERE ($1 IS NULL OR slug > $1) ORDER BY slug LIMIT $2")
        .bind(after_slug).bind(limit).fetch_all(x).await)?)
}

/// The organisations where `user_id` has a membership that counts on `today`.
pub async fn list_orgs_for_user(
    c: &mut impl AsConn,
    user_id: Uuid,
    today: Day,
    after_slug: Option<&str>,
    limit: i64,
) -> Result<Vec<OrgWithRole>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, OrgWithRole>(
        "SELECT o.id, o.slug, o.name, o.employees, o.sites, o.other_management_system, o.created_at, o.updated_at, o.version,
                m.role AS role, m.expires_on AS expires_on
         FROM memberships m JOIN organisations o ON o.id = m.org_id
         WHERE m.user_id = $1 AND (m.expires_on IS NULL OR m.expires_on >= $2)
           AND ($3 IS NULL OR o.slug > $3)
         ORDER BY o.slug LIMIT $4")
        .bind(user_id).bind(today).bind(after_slug).bind(limit).fetch_all(x).await)?)
}

pub async fn count_orgs(c: &mut impl AsConn) -> Result<i64, DbError> {
    Ok(
        run!(c, x => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations").fetch_one(x).await)?,
    )
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct MembershipRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub expires_on: Option<Day>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

/// A membership with the member's name and e-mail address.
#[derive(Debug, Clone, FromRow)]
pub struct MemberView {
    #[sqlx(flatten)]
    pub m: MembershipRow,
    pub email: String,
    pub user_name: String,
    pub totp_enabled: bool,
    pub disabled: bool,
}

const MEMBER_COLS: &str = "m.id, m.org_id, m.user_id, m.role, m.expires_on, m.created_at, m.updated_at, m.version, u.email, u.name AS user_name, u.totp_enabled, u.disabled";

pub async fn insert_membership(c: &mut impl AsConn, m: &MembershipRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO memberships (id, org_id, user_id, role, expires_on, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(m.id).bind(m.org_id).bind(m.user_id).bind(&m.role).bind(m.expires_on)
        .bind(m.created_at).bind(m.updated_at).bind(m.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(dup("user"))?;
    Ok(())
}

pub async fn membership_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    user_id: Uuid,
) -> Result<Option<MembershipRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, MembershipRow>(
        "SELECT id, org_id, user_id, role, expires_on, created_at, updated_at, version
         FROM memberships WHERE org_id = $1 AND user_id = $2")
        .bind(org_id).bind(user_id).fetch_optional(x).await)?)
}

pub async fn member_by_id(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<MemberView>, DbError> {
    let sql = format!(
        "SELECT {MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.org_id = $1 AND m.id = $2"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, MemberView>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

/// Members of one organisation by e-mail address, keyset-paginated; `role` filters.
pub async fn list_members(
    c: &mut impl AsConn,
    org_id: Uuid,
    role: Option<&str>,
    after_email: Option<&str>,
    limit: i64,
) -> Result<Vec<MemberView>, DbError> {
    let sql = format!(
        "SELECT {MEMBER_COLS} FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.org_id = $1 AND ($2 IS NULL OR m.role = $2) AND ($3 IS NULL OR u.email > $3)
         ORDER BY u.email LIMIT $4"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, MemberView>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(role).bind(after_email).bind(limit).fetch_all(x).await)?,
    )
}

pub async fn update_membership(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
    role: &str,
    expires_on: Option<Day>,
    version: i64,
    now: Ts,
) -> Result<Option<MembershipRow>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, MembershipRow>(
        "UPDATE memberships SET role = $1, expires_on = $2, updated_at = $3, version = version + 1
         WHERE org_id = $4 AND id = $5 AND version = $6
         RETURNING id, org_id, user_id, role, expires_on, created_at, updated_at, version")
        .bind(role).bind(expires_on).bind(now).bind(org_id).bind(id).bind(version)
        .fetch_optional(x).await)?)
}

pub async fn delete_membership(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<bool, DbError> {
    let r = run!(c, x => sqlx::query("DELETE FROM memberships WHERE org_id = $1 AND id = $2")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(r > 0)
}

/// Members with the admin role whose access still counts on `today`.
pub async fn count_active_admins(
    c: &mut impl AsConn,
    org_id: Uuid,
    today: Day,
) -> Result<i64, DbError> {
    Ok(run!(c, x => sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.org_id = $1 AND m.role = 'admin' AND NOT u.disabled
           AND (m.expires_on IS NULL OR m.expires_on >= $2)")
        .bind(org_id).bind(today).fetch_one(x).await)?)
}

/// Number of members per role, for the overview page.
pub async fn role_counts(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<(String, i64)>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, (String, i64)>(
        "SELECT role, COUNT(*) FROM memberships WHERE org_id = $1 GROUP BY role ORDER BY role")
        .bind(org_id).fetch_all(x).await)?)
}
