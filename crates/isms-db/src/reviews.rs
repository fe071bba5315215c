//! Management reviews and their actions (migration 0018), and the few reads that compile
//! a review's inputs. Every query is scoped by `org_id`.

use crate::{AsConn, Day, DbError, Ts, run};
use sqlx::FromRow;
use uuid::Uuid;

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ReviewRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub number: i64,
    pub title: String,
    pub planned_on: Day,
    pub held_on: Option<Day>,
    pub status: String,
    pub chair_id: Option<Uuid>,
    /// JSON array of user ids.
    pub attendee_ids: String,
    /// JSON array of names.
    pub other_attendees: String,
    /// JSON `ReviewInputs`.
    pub inputs: String,
    pub inputs_as_of: Day,
    /// JSON object: section key → discussion.
    pub notes: String,
    pub decisions: String,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<Ts>,
    pub created_at: Ts,
    pub updated_at: Ts,
    pub version: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct ReviewWithNames {
    #[sqlx(flatten)]
    pub review: ReviewRow,
    pub chair_name: Option<String>,
    pub approved_by_name: Option<String>,
}

const COLS: &str = "r.id, r.org_id, r.number, r.title, r.planned_on, r.held_on, r.status,
    r.chair_id, r.attendee_ids, r.other_attendees, r.inputs, r.inputs_as_of, r.notes,
    r.decisions, r.approved_by, r.approved_at, r.created_at, r.updated_at, r.version,
    c.name AS chair_name, a.name AS approved_by_name";
const FROM: &str = "FROM management_reviews r
    LEFT JOIN users c ON c.id = r.chair_id
    LEFT JOIN users a ON a.id = r.approved_by";

pub async fn insert(c: &mut impl AsConn, r: &ReviewRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO management_reviews (id, org_id, number, title, planned_on, held_on, status,
            chair_id, attendee_ids, other_attendees, inputs, inputs_as_of, notes, decisions,
            approved_by, approved_at, created_at, updated_at, version)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19)")
        .bind(r.id).bind(r.org_id).bind(r.number).bind(&r.title).bind(r.planned_on)
        .bind(r.held_on).bind(&r.status).bind(r.chair_id).bind(&r.attendee_ids)
        .bind(&r.other_attendees).bind(&r.inputs).bind(r.inputs_as_of).bind(&r.notes)
        .bind(&r.decisions).bind(r.approved_by).bind(r.approved_at).bind(r.created_at)
        .bind(r.updated_at).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("number"))?;
    Ok(())
}

/// Write `r` if `r.version` is still current and the stored review is not approved;
/// false otherwise.
pub async fn update(c: &mut impl AsConn, r: &ReviewRow) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "UPDATE management_reviews SET title = $1, planned_on = $2, held_on = $3, status = $4,
            chair_id = $5, attendee_ids = $6, other_attendees = $7, inputs = $8,
            inputs_as_of = $9, notes = $10, decisions = $11, approved_by = $12,
            approved_at = $13, updated_at = $14, version = version + 1
         WHERE org_id = $15 AND id = $16 AND version = $17 AND status <> 'approved'")
        .bind(&r.title).bind(r.planned_on).bind(r.held_on).bind(&r.status).bind(r.chair_id)
        .bind(&r.attendee_ids).bind(&r.other_attendees).bind(&r.inputs).bind(r.inputs_as_of)
        .bind(&r.notes).bind(&r.decisions).bind(r.approved_by).bind(r.approved_at)
        .bind(r.updated_at).bind(r.org_id).bind(r.id).bind(r.version)
        .execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn get(
    c: &mut impl AsConn,
    org_id: Uuid,
    id: Uuid,
) -> Result<Option<ReviewWithNames>, DbError> {
    let sql = format!("SELECT {COLS} {FROM} WHERE r.org_id = $1 AND r.id = $2");
    Ok(
        run!(c, x => sqlx::query_as::<_, ReviewWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(id).fetch_optional(x).await)?,
    )
}

pub async fn delete(c: &mut impl AsConn, org_id: Uuid, id: Uuid) -> Result<bool, DbError> {
    let n = run!(c, x => sqlx::query(
        "DELETE FROM management_reviews WHERE org_id = $1 AND id = $2 AND status = 'planned'")
        .bind(org_id).bind(id).execute(x).await.map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn next_number(c: &mut impl AsConn, org_id: Uuid) -> Result<i64, DbError> {
    crate::lock_numbering(c, "management_reviews", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(number) FROM management_reviews WHERE org_id = $1")
        .bind(org_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// Newest first (number below `before`), at most `limit`; `status` filters.
pub async fn list(
    c: &mut impl AsConn,
    org_id: Uuid,
    status: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ReviewWithNames>, DbError> {
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE r.org_id = $1 AND ($2 IS NULL OR r.status = $2)
           AND ($3 IS NULL OR r.number < $3)
         ORDER BY r.number DESC LIMIT $4"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, ReviewWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(status).bind(before).bind(limit.clamp(1, 10_000))
        .fetch_all(x).await)?,
    )
}

/// The latest review held before this one (by held date), for "changes since".
pub async fn last_held_before(
    c: &mut impl AsConn,
    org_id: Uuid,
    number: i64,
) -> Result<Option<Day>, DbError> {
    let d: Option<Option<Day>> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(held_on) FROM management_reviews
         WHERE org_id = $1 AND number < $2 AND held_on IS NOT NULL")
        .bind(org_id).bind(number).fetch_optional(x).await)?;
    Ok(d.flatten())
}

#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ActionLinkRow {
    pub id: Uuid,
    pub org_id: Uuid,
    pub review_id: Uuid,
    pub position: i64,
    pub description: String,
    pub kind: String,
    pub owner_id: Option<Uuid>,
    pub due_on: Option<Day>,
    pub task_id: Option<Uuid>,
    pub corrective_action_id: Option<Uuid>,
    pub created_at: Ts,
}

/// A review action with where what it became stands now.
#[derive(Debug, Clone, FromRow)]
pub struct ActionLinkView {
    #[sqlx(flatten)]
    pub action: ActionLinkRow,
    pub owner_name: Option<String>,
    pub review_number: i64,
    pub task_status: Option<String>,
    pub ca_number: Option<i64>,
    pub ca_status: Option<String>,
}

pub async fn insert_action(c: &mut impl AsConn, a: &ActionLinkRow) -> Result<(), DbError> {
    run!(c, x => sqlx::query(
        "INSERT INTO management_review_actions (id, org_id, review_id, position, description,
            kind, owner_id, due_on, task_id, corrective_action_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
        .bind(a.id).bind(a.org_id).bind(a.review_id).bind(a.position).bind(&a.description)
        .bind(&a.kind).bind(a.owner_id).bind(a.due_on).bind(a.task_id)
        .bind(a.corrective_action_id).bind(a.created_at)
        .execute(x).await.map(|r| r.rows_affected()))
    .map_err(crate::dup("position"))?;
    Ok(())
}

const ACT_SQL: &str = "SELECT m.id, m.org_id, m.review_id, m.position, m.description, m.kind,
        m.owner_id, m.due_on, m.task_id, m.corrective_action_id, m.created_at,
        u.name AS owner_name, r.number AS review_number, t.status AS task_status,
        ca.number AS ca_number, ca.status AS ca_status
    FROM management_review_actions m
    JOIN management_reviews r ON r.id = m.review_id
    LEFT JOIN users u ON u.id = m.owner_id
    LEFT JOIN tasks t ON t.id = m.task_id
    LEFT JOIN corrective_actions ca ON ca.id = m.corrective_action_id";

/// The actions of one review, in order.
pub async fn actions_of(
    c: &mut impl AsConn,
    org_id: Uuid,
    review_id: Uuid,
) -> Result<Vec<ActionLinkView>, DbError> {
    let sql = format!("{ACT_SQL} WHERE m.org_id = $1 AND m.review_id = $2 ORDER BY m.position");
    Ok(
        run!(c, x => sqlx::query_as::<_, ActionLinkView>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(review_id).fetch_all(x).await)?,
    )
}

/// The actions of every review numbered below `number` (9.3.2 a), oldest first.
pub async fn actions_before(
    c: &mut impl AsConn,
    org_id: Uuid,
    number: i64,
) -> Result<Vec<ActionLinkView>, DbError> {
    let sql =
        format!("{ACT_SQL} WHERE m.org_id = $1 AND r.number < $2 ORDER BY r.number, m.position");
    Ok(
        run!(c, x => sqlx::query_as::<_, ActionLinkView>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(number).fetch_all(x).await)?,
    )
}

pub async fn next_position(
    c: &mut impl AsConn,
    org_id: Uuid,
    review_id: Uuid,
) -> Result<i64, DbError> {
    crate::lock_numbering(c, "management_review_actions", org_id).await?;
    let n: Option<i64> = run!(c, x => sqlx::query_scalar(
        "SELECT MAX(position) FROM management_review_actions WHERE org_id = $1 AND review_id = $2")
        .bind(org_id).bind(review_id).fetch_one(x).await)?;
    Ok(n.unwrap_or(0) + 1)
}

/// An entry of the issues, interested-party or objectives register, as the inputs see it.
#[derive(Debug, Clone, FromRow)]
pub struct RegisterFact {
    pub register: String,
    pub number: i64,
    pub title: String,
    pub kind: Option<String>,
    pub created_at: Ts,
    pub updated_at: Ts,
}

/// Issues, interested parties and objectives, in register and number order (one query).
pub async fn register_facts(
    c: &mut impl AsConn,
    org_id: Uuid,
) -> Result<Vec<RegisterFact>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, RegisterFact>(
        "SELECT register, number, title, kind, created_at, updated_at FROM isms_register_entries
         WHERE org_id = $1 AND register IN ('issue', 'interested_party', 'objective')
         ORDER BY register, number")
        .bind(org_id).fetch_all(x).await)?)
}

/// A risk as the inputs see it.
#[derive(Debug, Clone, FromRow)]
pub struct RiskFact {
    pub number: i64,
    pub title: String,
    pub status: String,
    pub created_at: Ts,
    pub updated_at: Ts,
}

/// Every risk in number order (one query).
pub async fn risk_facts(c: &mut impl AsConn, org_id: Uuid) -> Result<Vec<RiskFact>, DbError> {
    Ok(run!(c, x => sqlx::query_as::<_, RiskFact>(
        "SELECT number, title, status, created_at, updated_at FROM risks
         WHERE org_id = $1 ORDER BY number")
        .bind(org_id).fetch_all(x).await)?)
}

/// Every review in number order, a page at a time (exports).
pub async fn all_after(
    c: &mut impl AsConn,
    org_id: Uuid,
    after_number: i64,
    limit: i64,
) -> Result<Vec<ReviewWithNames>, DbError> {
    let sql = format!(
        "SELECT {COLS} {FROM} WHERE r.org_id = $1 AND r.number > $2 ORDER BY r.number LIMIT $3"
    );
    Ok(
        run!(c, x => sqlx::query_as::<_, ReviewWithNames>(sqlx::AssertSqlSafe(sql))
        .bind(org_id).bind(after_number).bind(limit).fetch_all(x).await)?,
    )
}

/// The names of these members of the organisation (one query): attendees.
pub async fn member_names(
    c: &mut impl AsConn,
    org_id: Uuid,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT u.id, u.name FROM users u JOIN memberships m ON m.user_id = u.id AND m.org_id = $1
         WHERE u.id IN ({}) ORDER BY u.name",
        marks.join(", ")
    );
    let params: Vec<crate::Param> = ids.iter().map(|i| crate::Param::Uuid(*i)).collect();
    Ok(crate::fetch_with!(c, (Uuid, String), sql, org_id, &params)?)
}
