//! Integration tests of the HTTP faces: the API and the pages, on SQLite, and on
//! PostgreSQL when ISMS_TEST_DATABASE_URL is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod assets;
mod authz;
mod certification;
mod competence;
mod controls;
mod dashboard;
mod demo_gen;
mod documents;
mod evidence;
mod findings;
mod foundation;
mod frameworks;
mod html;
mod imports;
mod imports_controls;
mod imports_docs;
mod imports_ops;
mod imports_risks;
mod internal_audits;
mod isms_code;
mod openapi;
mod operations;
mod oscal;
mod own_controls;
mod readiness;
mod risk_library;
mod security;
mod soa;
mod suppliers;
