//! Consistent, engine-neutral backups: one JSON document per line, taken inside one
//! snapshot transaction, restorable into an empty database of either engine.
//!
//! Line 1 is a header (`{"format":"isms-backup",…}`), then one line per row
//! (`{"t":"users","r":[…]}`), then a trailer with the row count. Sessions and sign-in
//! counters are not backed up: a restored instance starts with everyone signed out.

use crate::{Day, Db, DbError, Ts, run};
use base64::Engine as _;
use serde_json::{Value, json};
use sqlx::Row;
use std::io::{BufRead, Write};
use uuid::Uuid;

pub const FORMAT: &str = "isms-backup";
pub const FORMAT_VERSION: i64 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Uuid,
    Text,
    Int,
    Bool,
    Ts,
    Day,
    /// A floating-point number (measurement values).
    Float,
    /// Bytes (file contents): base64 in the backup file.
    Bytes,
}

use Kind as K;

/// Every table that is backed up, parents before children, with its key column first.
pub const TABLES: &[(&str, &[(&str, Kind)])] = &[
    (
        "organisations",
        &[
            ("id", K::Uuid),
            ("slug", K::Text),
            ("name", K::Text),
            ("employees", K::Int),
            ("sites", K::Int),
            ("other_management_system", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "users",
        &[
            ("id", K::Uuid),
            ("email", K::Text),
            ("name", K::Text),
            ("password_hash", K::Text),
            ("is_admin", K::Bool),
            ("disabled", K::Bool),
            ("totp_secret", K::Text),
            ("totp_enabled", K::Bool),
            ("totp_last_step", K::Int),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "recovery_codes",
        &[
            ("id", K::Uuid),
            ("user_id", K::Uuid),
            ("code_hash", K::Text),
            ("used_at", K::Ts),
        ],
    ),
    (
        "memberships",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("user_id", K::Uuid),
            ("role", K::Text),
            ("expires_on", K::Day),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "api_tokens",
        &[
            ("id", K::Uuid),
            ("user_id", K::Uuid),
            ("name", K::Text),
            ("token_hash", K::Text),
            ("display_prefix", K::Text),
            ("created_at", K::Ts),
            ("last_used_at", K::Ts),
            ("expires_at", K::Ts),
        ],
    ),
    (
        "gap_assessments",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("title", K::Text),
            ("scope_note", K::Text),
            ("status", K::Text),
            ("completed_at", K::Ts),
            ("created_by", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "gap_items",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("assessment_id", K::Uuid),
            ("item_key", K::Text),
            ("position", K::Int),
            ("area", K::Text),
            ("current_level", K::Int),
            ("target_level", K::Int),
            ("applicable", K::Bool),
            ("na_reason", K::Text),
            ("notes", K::Text),
            ("evidence", K::Text),
            ("owner", K::Text),
            ("answered_at", K::Ts),
            ("answered_by", K::Uuid),
            ("version", K::Int),
        ],
    ),
    (
        "risk_methods",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("status", K::Text),
            ("definition", K::Text),
            ("based_on", K::Text),
            ("change_note", K::Text),
            ("approved_by", K::Uuid),
            ("approved_at", K::Ts),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "risks",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("title", K::Text),
            ("description", K::Text),
            ("threat", K::Text),
            ("vulnerability", K::Text),
            ("owner_id", K::Uuid),
            ("method_id", K::Uuid),
            ("inherent_likelihood", K::Int),
            ("inherent_impact", K::Int),
            ("inherent_level", K::Int),
            ("treatment", K::Text),
            ("residual_likelihood", K::Int),
            ("residual_impact", K::Int),
            ("residual_level", K::Int),
            ("status", K::Text),
            ("next_review_on", K::Day),
            ("needs_reassessment", K::Bool),
            ("accepted_by", K::Uuid),
            ("accepted_at", K::Ts),
            ("acceptance_rationale", K::Text),
            ("acceptance_expires_on", K::Day),
            ("accepted_likelihood", K::Int),
            ("accepted_impact", K::Int),
            ("accepted_level", K::Int),
            ("acceptance_kind", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "risk_library_entries",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("kind", K::Text),
            ("code", K::Text),
            ("name", K::Text),
            ("category", K::Text),
            ("description", K::Text),
            ("retired", K::Bool),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "own_controls",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("code", K::Text),
            ("title", K::Text),
            ("description", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "risk_controls",
        &[
            ("id", K::Uuid),
            ("risk_id", K::Uuid),
            ("org_id", K::Uuid),
            ("control_id", K::Text),
        ],
    ),
    (
        "assets",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("asset_type", K::Text),
            ("name", K::Text),
            ("description", K::Text),
            ("owner_id", K::Uuid),
            ("custodian_id", K::Uuid),
            ("location", K::Text),
            ("confidentiality", K::Int),
            ("integrity", K::Int),
            ("availability", K::Int),
            ("classification", K::Int),
            ("in_scope", K::Bool),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "asset_tags",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("asset_id", K::Uuid),
            ("asset_number", K::Int),
            ("tag", K::Text),
        ],
    ),
    (
        "data_flows",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("from_asset_id", K::Uuid),
            ("to_asset_id", K::Uuid),
            ("data_category", K::Text),
            ("mechanism", K::Text),
            ("encrypted", K::Bool),
            ("description", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "risk_assets",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("risk_id", K::Uuid),
            ("asset_id", K::Uuid),
        ],
    ),
    (
        "tasks",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("title", K::Text),
            ("description", K::Text),
            ("item_key", K::Text),
            ("source_assessment_id", K::Uuid),
            ("owner", K::Text),
            ("start_on", K::Day),
            ("due_on", K::Day),
            ("status", K::Text),
            ("priority", K::Text),
            ("risk_id", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "isms_documents",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("kind", K::Text),
            ("number", K::Int),
            ("status", K::Text),
            ("content", K::Text),
            ("based_on", K::Text),
            ("change_note", K::Text),
            ("approved_by", K::Uuid),
            ("approved_at", K::Ts),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "isms_register_entries",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("register", K::Text),
            ("number", K::Int),
            ("title", K::Text),
            ("kind", K::Text),
            ("person_id", K::Uuid),
            ("body", K::Text),
            ("approved_by", K::Uuid),
            ("approved_at", K::Ts),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "control_implementations",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("control_ref", K::Text),
            ("sort_key", K::Text),
            ("owner_id", K::Uuid),
            ("status", K::Text),
            ("implementation", K::Text),
            ("due_on", K::Day),
            ("monitoring", K::Text),
            ("check_frequency", K::Text),
            ("last_check_on", K::Day),
            ("last_check_result", K::Text),
            ("last_check_note", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "control_clauses",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("control_ref", K::Text),
            ("clause_id", K::Text),
        ],
    ),
    (
        "documents",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("title", K::Text),
            ("kind", K::Text),
            ("owner_id", K::Uuid),
            ("approver_id", K::Uuid),
            ("classification", K::Text),
            ("review_months", K::Int),
            ("next_review_on", K::Day),
            ("status", K::Text),
            ("template_key", K::Text),
            ("current_version", K::Int),
            ("approved_at", K::Ts),
            ("latest_version", K::Int),
            ("latest_status", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "document_versions",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("document_id", K::Uuid),
            ("number", K::Int),
            ("status", K::Text),
            ("content", K::Text),
            ("file_sha256", K::Text),
            ("file_name", K::Text),
            ("file_type", K::Text),
            ("file_size", K::Int),
            ("based_on", K::Int),
            ("change_note", K::Text),
            ("created_by", K::Uuid),
            ("submitted_by", K::Uuid),
            ("submitted_at", K::Ts),
            ("decided_by", K::Uuid),
            ("decided_at", K::Ts),
            ("decision_comment", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "document_links",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("document_id", K::Uuid),
            ("target_kind", K::Text),
            ("target_ref", K::Text),
        ],
    ),
    (
        "blobs",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("sha256", K::Text),
            ("size", K::Int),
            ("content_type", K::Text),
            ("data", K::Bytes),
            ("created_at", K::Ts),
        ],
    ),
    (
        "evidence",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("kind", K::Text),
            ("title", K::Text),
            ("description", K::Text),
            ("url", K::Text),
            ("blob_sha256", K::Text),
            ("file_name", K::Text),
            ("content_type", K::Text),
            ("size", K::Int),
            ("collected_by", K::Uuid),
            ("collected_on", K::Day),
            ("period_from", K::Day),
            ("period_to", K::Day),
            ("valid_until", K::Day),
            ("created_by", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "evidence_links",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("evidence_id", K::Uuid),
            ("evidence_number", K::Int),
            ("target_kind", K::Text),
            ("target_ref", K::Text),
        ],
    ),
    (
        "audit_areas",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("name", K::Text),
            ("description", K::Text),
            ("owner_id", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "audit_area_members",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("area_id", K::Uuid),
            ("user_id", K::Uuid),
        ],
    ),
    (
        "audit_programmes",
        &[
            ("org_id", K::Uuid),
            ("cycle_start_year", K::Int),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "audit_programme_entries",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("year", K::Int),
            ("item_key", K::Text),
            ("sort_key", K::Text),
            ("created_by", K::Uuid),
            ("created_at", K::Ts),
        ],
    ),
    (
        "audits",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("year", K::Int),
            ("seq", K::Int),
            ("title", K::Text),
            ("criteria", K::Text),
            ("planned_start", K::Day),
            ("planned_end", K::Day),
            ("actual_start", K::Day),
            ("actual_end", K::Day),
            ("status", K::Text),
            ("lead_auditor_id", K::Uuid),
            ("lead_auditor_external", K::Text),
            ("independence_conflicts", K::Text),
            ("independence_justification", K::Text),
            ("created_by", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "audit_team",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("audit_id", K::Uuid),
            ("user_id", K::Uuid),
        ],
    ),
    (
        "audit_auditee_areas",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("audit_id", K::Uuid),
            ("area_id", K::Uuid),
        ],
    ),
    (
        "audit_scope_items",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("audit_id", K::Uuid),
            ("item_key", K::Text),
            ("sort_key", K::Text),
        ],
    ),
    (
        "audit_checklist_items",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("audit_id", K::Uuid),
            ("item_key", K::Text),
            ("sort_key", K::Text),
            ("title", K::Text),
            ("questions", K::Text),
            ("result", K::Text),
            ("notes", K::Text),
            ("evidence_note", K::Text),
            ("answered_by", K::Uuid),
            ("answered_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "audit_checklist_evidence",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("item_id", K::Uuid),
            ("evidence_id", K::Uuid),
        ],
    ),
    (
        "soa_versions",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("status", K::Text),
            ("based_on", K::Text),
            ("change_note", K::Text),
            ("scope_version", K::Int),
            ("approved_by", K::Uuid),
            ("approved_at", K::Ts),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "soa_entries",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("soa_id", K::Uuid),
            ("control_id", K::Text),
            ("position", K::Int),
            ("applicable", K::Text),
            ("inclusion_note", K::Text),
            ("exclusion_justification", K::Text),
            ("frozen_reasons", K::Text),
            ("frozen_status", K::Text),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "certification_bodies",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("name", K::Text),
            ("accreditation", K::Text),
            ("contact_name", K::Text),
            ("contact_email", K::Text),
            ("notes", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "certification_audits",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("body_id", K::Uuid),
            ("kind", K::Text),
            ("status", K::Text),
            ("planned_start", K::Day),
            ("planned_end", K::Day),
            ("actual_start", K::Day),
            ("actual_end", K::Day),
            ("lead_auditor", K::Text),
            ("team", K::Text),
            ("auditor_days", K::Int),
            ("scope", K::Text),
            ("soa_version", K::Int),
            ("outcome", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "certificates",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("body_id", K::Uuid),
            ("certificate_no", K::Text),
            ("scope", K::Text),
            ("decision_on", K::Day),
            ("issued_on", K::Day),
            ("expires_on", K::Day),
            ("soa_version", K::Int),
            ("status", K::Text),
            ("status_on", K::Day),
            ("status_note", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "findings",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("source", K::Text),
            ("source_id", K::Uuid),
            ("checklist_item_id", K::Uuid),
            ("grade", K::Text),
            ("reference", K::Text),
            ("title", K::Text),
            ("description", K::Text),
            ("evidence", K::Text),
            ("raised_on", K::Day),
            ("raised_by", K::Uuid),
            ("status", K::Text),
            ("deadline", K::Day),
            ("closure_note", K::Text),
            ("closed_on", K::Day),
            ("closed_by", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "finding_evidence",
        &[
            ("org_id", K::Uuid),
            ("finding_id", K::Uuid),
            ("evidence_id", K::Uuid),
        ],
    ),
    (
        "corrective_actions",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("finding_id", K::Uuid),
            ("review_id", K::Uuid),
            ("title", K::Text),
            ("correction", K::Text),
            ("correction_on", K::Day),
            ("rca_method", K::Text),
            ("five_whys", K::Text),
            ("root_cause", K::Text),
            ("description", K::Text),
            ("owner_id", K::Uuid),
            ("due_on", K::Day),
            ("status", K::Text),
            ("implemented_on", K::Day),
            ("verified_by", K::Uuid),
            ("verified_on", K::Day),
            ("verification", K::Text),
            ("verification_note", K::Text),
            ("closed_on", K::Day),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "management_reviews",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("title", K::Text),
            ("planned_on", K::Day),
            ("held_on", K::Day),
            ("status", K::Text),
            ("chair_id", K::Uuid),
            ("attendee_ids", K::Text),
            ("other_attendees", K::Text),
            ("inputs", K::Text),
            ("inputs_as_of", K::Day),
            ("notes", K::Text),
            ("decisions", K::Text),
            ("approved_by", K::Uuid),
            ("approved_at", K::Ts),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "management_review_actions",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("review_id", K::Uuid),
            ("position", K::Int),
            ("description", K::Text),
            ("kind", K::Text),
            ("owner_id", K::Uuid),
            ("due_on", K::Day),
            ("task_id", K::Uuid),
            ("corrective_action_id", K::Uuid),
            ("created_at", K::Ts),
        ],
    ),
    (
        "incidents",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("title", K::Text),
            ("description", K::Text),
            ("category", K::Text),
            ("severity", K::Text),
            ("status", K::Text),
            ("detected_on", K::Day),
            ("reported_on", K::Day),
            ("reported_by", K::Text),
            ("response", K::Text),
            ("root_cause", K::Text),
            ("lessons_learned", K::Text),
            ("closed_on", K::Day),
            ("created_by", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "incident_links",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("incident_id", K::Uuid),
            ("target_kind", K::Text),
            ("target_ref", K::Text),
        ],
    ),
    (
        "measurements",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("subject_kind", K::Text),
            ("subject_ref", K::Text),
            ("measured_on", K::Day),
            ("value", K::Float),
            ("result", K::Text),
            ("note", K::Text),
            ("recorded_by", K::Uuid),
            ("created_at", K::Ts),
        ],
    ),
    (
        "suppliers",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("number", K::Int),
            ("name", K::Text),
            ("service", K::Text),
            ("criticality", K::Text),
            ("data_shared", K::Text),
            ("contract_security", K::Bool),
            ("contract_reference", K::Text),
            ("contact", K::Text),
            ("owner", K::Text),
            ("interval_months", K::Int),
            ("status", K::Text),
            ("created_by", K::Uuid),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "supplier_assessments",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("supplier_id", K::Uuid),
            ("assessed_on", K::Day),
            ("result", K::Text),
            ("note", K::Text),
            ("recorded_by", K::Uuid),
            ("created_at", K::Ts),
        ],
    ),
    (
        "people",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("name", K::Text),
            ("email", K::Text),
            ("job_role", K::Text),
            ("department", K::Text),
            ("user_id", K::Uuid),
            ("active", K::Bool),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "role_competences",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("job_role", K::Text),
            ("competence", K::Text),
        ],
    ),
    (
        "trainings",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("person_id", K::Uuid),
            ("competence", K::Text),
            ("completed_on", K::Day),
            ("expires_on", K::Day),
            ("provider", K::Text),
            ("evidence_note", K::Text),
            ("recorded_by", K::Uuid),
            ("created_at", K::Ts),
        ],
    ),
    (
        "awareness_campaigns",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("title", K::Text),
            ("topic", K::Text),
            ("starts_on", K::Day),
            ("ends_on", K::Day),
            ("audience", K::Text),
            ("created_at", K::Ts),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "campaign_participants",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("campaign_id", K::Uuid),
            ("person_id", K::Uuid),
            ("completed_on", K::Day),
        ],
    ),
    (
        "readiness_settings",
        &[
            ("org_id", K::Uuid),
            ("audit_lead_weeks", K::Int),
            ("min_measurement_periods", K::Int),
            ("min_scope_words", K::Int),
            ("updated_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "frameworks",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("source_kind", K::Text),
            ("source_key", K::Text),
            ("name", K::Text),
            ("fw_version", K::Text),
            ("source_sha256", K::Text),
            ("requirement_count", K::Int),
            ("imported_by", K::Text),
            ("imported_at", K::Ts),
            ("created_at", K::Ts),
            ("version", K::Int),
        ],
    ),
    (
        "framework_requirements",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("framework_id", K::Uuid),
            ("ref_id", K::Text),
            ("parent_ref", K::Text),
            ("position", K::Int),
            ("depth", K::Int),
            ("kind", K::Text),
            ("assessable", K::Bool),
            ("title", K::Text),
            ("body", K::Text),
        ],
    ),
    (
        "framework_links",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("framework_id", K::Uuid),
            ("requirement_ref", K::Text),
            ("control_ref", K::Text),
            ("created_at", K::Ts),
        ],
    ),
    (
        "framework_mappings",
        &[
            ("id", K::Uuid),
            ("org_id", K::Uuid),
            ("framework_id", K::Uuid),
            ("source_ref", K::Text),
            ("target_id", K::Text),
            ("relationship", K::Text),
            ("rationale", K::Text),
            ("position", K::Int),
        ],
    ),
    (
        "audit_heads",
        &[
            ("chain_id", K::Uuid),
            ("last_seq", K::Int),
            ("last_hash", K::Text),
        ],
    ),
    (
        "audit_entries",
        &[
            ("id", K::Uuid),
            ("chain_id", K::Uuid),
            ("seq", K::Int),
            ("at", K::Ts),
            ("actor_id", K::Uuid),
            ("actor", K::Text),
            ("entity", K::Text),
            ("entity_id", K::Text),
            ("action", K::Text),
            ("summary", K::Text),
            ("before_digest", K::Text),
            ("after_digest", K::Text),
            ("details", K::Text),
            ("prev_hash", K::Text),
            ("hash", K::Text),
        ],
    ),
];

/// Tables that hold only transient state and are deliberately left out.
pub const TRANSIENT: &[&str] = &["sessions", "login_attempts"];

const PAGE: i64 = 1000;
/// Rows per query for tables that hold file contents (up to the upload limit each).
const BYTES_PAGE: i64 = 4;

macro_rules! read_value {
    ($row:expr, $i:expr, $kind:expr) => {{
        let r = $row;
        let i = $i;
        match $kind {
            Kind::Uuid => r
                .try_get::<Option<Uuid>, _>(i)?
                .map(|u| json!(u.to_string())),
            Kind::Text => r.try_get::<Option<String>, _>(i)?.map(Value::String),
            Kind::Int => r.try_get::<Option<i64>, _>(i)?.map(|v| json!(v)),
            Kind::Bool => r.try_get::<Option<bool>, _>(i)?.map(Value::Bool),
            Kind::Float => r.try_get::<Option<f64>, _>(i)?.map(|v| json!(v)),
            Kind::Ts => r.try_get::<Option<Ts>, _>(i)?.map(|t| json!(t.0.millis())),
            Kind::Day => r
                .try_get::<Option<Day>, _>(i)?
                .map(|d| json!(isms_domain::time::format_date(d.0))),
            Kind::Bytes => r
                .try_get::<Option<Vec<u8>>, _>(i)?
                .map(|b| json!(base64::engine::general_purpose::STANDARD.encode(b))),
        }
        .unwrap_or(Value::Null)
    }};
}

/// Summary of a backup or restore.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackupStats {
    pub rows: u64,
    pub tables: usize,
}

/// Write a consistent backup of `db` to `w`. `created_at` is recorded in the header.
pub async fn backup(db: &Db, created_at: Ts, w: &mut impl Write) -> Result<BackupStats, DbError> {
    let mut snap = db.snapshot().await?;
    let migrations = crate::schema::applied_migrations(&mut snap).await?;
    let header = json!({
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.0.rfc3339(),
        "engine": match db.engine() { crate::Engine::Sqlite => "sqlite", crate::Engine::Postgres => "postgres" },
        "migrations": migrations,
        "tables": TABLES.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
    });
    writeln!(w, "{header}")?;
    let mut stats = BackupStats {
        rows: 0,
        tables: TABLES.len(),
    };
    for (table, cols) in TABLES {
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let key = names[0];
        let key_kind = cols[0].1;
        let page = if cols.iter().any(|(_, k)| *k == Kind::Bytes) {
            BYTES_PAGE
        } else {
            PAGE
        };
        let mut after: Option<Value> = None;
        loop {
            let sql = match (&after, key_kind) {
                (None, _) => format!(
                    "SELECT {} FROM {table} ORDER BY {key} LIMIT {page}",
                    names.join(", ")
                ),
                (Some(_), _) => format!(
                    "SELECT {} FROM {table} WHERE {key} > $1 ORDER BY {key} LIMIT {page}",
                    names.join(", ")
                ),
            };
            let mut lines: Vec<Value> = Vec::new();
            run!(&mut snap, x => {
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
                if let Some(a) = &after {
                    q = match key_kind {
                        Kind::Uuid => q.bind(a.as_str().and_then(|s| Uuid::parse_str(s).ok()).unwrap_or_default()),
                        _ => q.bind(a.as_str().unwrap_or_default().to_owned()),
                    };
                }
                let rows = q.fetch_all(x).await?;
                for row in &rows {
                    let mut vals = Vec::with_capacity(cols.len());
                    for (i, (_, kind)) in cols.iter().enumerate() {
                        vals.push(read_value!(row, i, *kind));
                    }
                    lines.push(Value::Array(vals));
                }
                Ok::<(), DbError>(())
            })?;
            let n = lines.len();
            for vals in lines {
                after = vals.as_array().and_then(|a| a.first()).cloned();
                writeln!(w, "{}", json!({"t": table, "r": vals}))?;
                stats.rows += 1;
            }
            if n < page as usize {
                break;
            }
        }
    }
    writeln!(w, "{}", json!({"end": true, "rows": stats.rows}))?;
    w.flush()?;
    run!(&mut snap, x => sqlx::query("SELECT 1").execute(x).await.map(|r| r.rows_affected()))?;
    snap.commit().await?;
    Ok(stats)
}

fn bad(line: usize, msg: impl std::fmt::Display) -> DbError {
    DbError::Backup(format!("line {line}: {msg}"))
}

/// Restore a backup into `db`, which must be migrated and empty. All or nothing: on any
/// problem the transaction is rolled back and the database stays empty.
pub async fn restore(db: &Db, r: impl BufRead) -> Result<BackupStats, DbError> {
    let mut lines = r.lines();
    let first = lines
        .next()
        .ok_or_else(|| DbError::Backup("the file is empty; it is not an isms backup".into()))??;
    let header: Value = serde_json::from_str(&first).map_err(|_| {
        DbError::Backup("the first line is not JSON; this is not an isms backup".into())
    })?;
    if header.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(DbError::Backup(
            "the file has no isms-backup header; this is not an isms backup".into(),
        ));
    }
    if header.get("format_version").and_then(Value::as_i64) != Some(FORMAT_VERSION) {
        return Err(DbError::Backup(format!(
            "backup format version {} is not supported (this isms reads version {FORMAT_VERSION})",
            header.get("format_version").cloned().unwrap_or(Value::Null)
        )));
    }
    let mut tx = db.begin().await?;
    let ours = crate::schema::applied_migrations(&mut tx).await?;
    let theirs: Vec<i64> = header
        .get("migrations")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if ours != theirs {
        return Err(DbError::Backup(format!(
            "the backup was taken at schema {theirs:?} but this database is at {ours:?}; restore with the isms version that made the backup"
        )));
    }
    for (table, _) in TABLES {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let n: i64 =
            run!(&mut tx, x => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(x).await)?;
        if n > 0 {
            return Err(DbError::Backup(format!(
                "the target database is not empty (table {table} has {n} rows); restore needs a new, empty database"
            )));
        }
    }
    let mut stats = BackupStats {
        rows: 0,
        tables: TABLES.len(),
    };
    let mut ended = false;
    for (i, line) in lines.enumerate() {
        let lineno = i + 2;
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: Value =
            serde_json::from_str(&line).map_err(|e| bad(lineno, format!("not JSON ({e})")))?;
        if v.get("end").is_some() {
            let expected = v.get("rows").and_then(Value::as_u64).unwrap_or(u64::MAX);
            if expected != stats.rows {
                return Err(bad(
                    lineno,
                    format!("trailer says {expected} rows, file has {}", stats.rows),
                ));
            }
            ended = true;
            break;
        }
        let table = v
            .get("t")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(lineno, "no table name"))?;
        let (tname, cols) = TABLES
            .iter()
            .find(|(t, _)| *t == table)
            .ok_or_else(|| bad(lineno, format!("unknown table {table:?}")))?;
        let vals = v
            .get("r")
            .and_then(Value::as_array)
            .ok_or_else(|| bad(lineno, "no row values"))?;
        if vals.len() != cols.len() {
            return Err(bad(
                lineno,
                format!(
                    "{} values for {} columns of {tname}",
                    vals.len(),
                    cols.len()
                ),
            ));
        }
        let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
        let params: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {tname} ({}) VALUES ({})",
            names.join(", "),
            params.join(", ")
        );
        run!(&mut tx, x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for ((col, kind), val) in cols.iter().zip(vals) {
                let null = val.is_null();
                let wrong = || bad(lineno, format!("column {col}: {val} is not a valid {kind:?}"));
                q = match kind {
                    Kind::Uuid => q.bind(if null { None } else { Some(val.as_str().and_then(|s| Uuid::parse_str(s).ok()).ok_or_else(wrong)?) }),
                    Kind::Text => q.bind(if null { None } else { Some(val.as_str().ok_or_else(wrong)?.to_owned()) }),
                    Kind::Int => q.bind(if null { None } else { Some(val.as_i64().ok_or_else(wrong)?) }),
                    Kind::Bool => q.bind(if null { None } else { Some(val.as_bool().ok_or_else(wrong)?) }),
                    Kind::Float => q.bind(if null { None } else { Some(val.as_f64().ok_or_else(wrong)?) }),
                    Kind::Ts => q.bind(if null { None } else { Some(Ts(isms_domain::time::Timestamp(val.as_i64().ok_or_else(wrong)?))) }),
                    Kind::Day => q.bind(if null { None } else { Some(Day(val.as_str().and_then(isms_domain::time::parse_date).ok_or_else(wrong)?)) }),
                    Kind::Bytes => q.bind(if null { None } else { Some(val.as_str().and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok()).ok_or_else(wrong)?) }),
                };
            }
            q.execute(x).await.map_err(|e| bad(lineno, format!("could not insert into {tname}: {e}")))?;
            Ok::<(), DbError>(())
        })?;
        stats.rows += 1;
    }
    if !ended {
        return Err(DbError::Backup(
            "the file ends without its trailer line; it is truncated".into(),
        ));
    }
    tx.commit().await?;
    Ok(stats)
}
