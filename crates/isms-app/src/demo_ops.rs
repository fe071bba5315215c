//! Northwind's operation records for the demo: seven incidents across every state and
//! severity (a high one closed with its root cause and lessons learned, linked to assets,
//! risks and controls that exist in the demo; one open too long; one closed without
//! lessons), a monthly measurement of every objective over the last twelve months, and a
//! year of checks for several implemented controls (recorded as measurements, so each
//! control's last check follows). Loaded once (idempotent); dates are relative to today.

use crate::incidents::{IncidentQuery, NewIncident};
use crate::measurements::{MeasurementQuery, NewMeasurement};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppResult, Principal};
use isms_domain::foundation::registers::Objective;
use isms_domain::time::format_date;
use time::Duration;

/// One demo incident: title, category, severity, status, detected (days ago), reported
/// (days after detection), closed (days after detection), reported by, description,
/// response, root cause, lessons learned, asset numbers, risk numbers, controls.
type DemoIncident = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i64,
    i64,
    Option<i64>,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static [i64],
    &'static [i64],
    &'static [&'static str],
);

const INCIDENTS: &[DemoIncident] = &[
    (
        "Phishing e-mail led to a stolen webmail password",
        "phishing",
        "high",
        "closed",
        160,
        0,
        Some(12),
        "Service desk",
        "A member of the sales team entered their password on a fake sign-in page. The account sent 40 further phishing e-mails before it was locked.",
        "Account locked within two hours, password reset, sessions revoked, the phishing domain blocked at the mail gateway, recipients warned.",
        "Multi-factor authentication was not enforced on webmail; the sign-in page looked genuine and the mail gateway did not flag the new domain.",
        "Enforce MFA on every external service (done for webmail in week 2); add look-alike domain detection to the mail gateway; a phishing case study in the next awareness campaign.",
        &[1, 2],
        &[1, 3],
        &["5.24", "5.26", "6.3", "8.5"],
    ),
    (
        "Database cluster unavailable for 3 hours",
        "availability",
        "critical",
        "resolved",
        40,
        0,
        None,
        "Monitoring alert",
        "The primary database ran out of disk during a nightly batch; failover did not start because the replica was 6 hours behind.",
        "Disk extended, batch stopped and re-run, replica rebuilt; customers informed through the status page.",
        "",
        "",
        &[3],
        &[2],
        &["8.13", "8.14", "5.30"],
    ),
    (
        "Malware found on a developer laptop",
        "malware",
        "medium",
        "contained",
        9,
        0,
        None,
        "Endpoint protection",
        "The endpoint agent quarantined a trojan downloaded with a browser extension.",
        "Laptop isolated from the network, credentials on it rotated; forensic image taken before re-imaging.",
        "",
        "",
        &[],
        &[],
        &["8.7", "8.1"],
    ),
    (
        "Building access badge lost",
        "physical",
        "low",
        "open",
        2,
        1,
        None,
        "Office manager",
        "A contractor reported their badge lost on the way home.",
        "Badge disabled in the access system.",
        "",
        "",
        &[],
        &[],
        &["7.2"],
    ),
    (
        "Customer data visible in a shared support ticket",
        "data_leak",
        "medium",
        "open",
        45,
        3,
        None,
        "Customer",
        "A support ticket shared with a partner contained another customer's export file.",
        "File removed from the ticket; the partner confirmed deletion in writing.",
        "",
        "",
        &[],
        &[],
        &["5.34", "8.12"],
    ),
    (
        "Invoice sent to the wrong customer",
        "data_leak",
        "low",
        "closed",
        75,
        0,
        Some(2),
        "Finance",
        "An invoice with a name and address went to the wrong customer by e-mail.",
        "Recipient asked to delete it and confirmed; the customer was told.",
        "Two customers with similar names; the address was picked from autocomplete.",
        "",
        &[],
        &[],
        &["5.34"],
    ),
    (
        "Hosting provider outage in one region",
        "supplier",
        "high",
        "closed",
        220,
        0,
        Some(20),
        "Hosting provider notice",
        "The cloud provider lost one availability zone for five hours; two services ran without redundancy.",
        "Traffic moved to the second zone by hand; the provider's incident report reviewed with them.",
        "Two services were deployed in one zone only, against the architecture standard.",
        "Check zone spread in the release checklist; ask the provider for their post-incident report within 10 days (now in the contract review).",
        &[3],
        &[2],
        &["5.19", "5.22", "5.30"],
    ),
];

/// Controls checked every month in the demo, with the result of each of the last twelve
/// months (oldest first) and a note for the latest.
const CHECKS: &[(&str, &str, &str)] = &[
    (
        "5.15",
        "ppppppappppp",
        "Monthly access review: all leavers removed",
    ),
    (
        "8.13",
        "ppppfppppppp",
        "Restore test of the customer database succeeded",
    ),
    (
        "8.8",
        "aappaappppap",
        "Two critical findings older than 7 days",
    ),
    (
        "6.3",
        "ppppppppppap",
        "Awareness completion checked against the HR list",
    ),
    (
        "8.15",
        "pppppppppppp",
        "Log review: no gaps in the central log store",
    ),
];

/// A plausible monthly value of an objective, `k` months ago (0 = the latest).
fn value_for(o: &Objective, k: i64) -> f64 {
    let target = o.target_value.unwrap_or(100.0);
    let t = o.target.to_lowercase();
    let lower = isms_domain::measurement::lower_is_better(&o.target, &o.metric);
    let step = k as f64;
    let raw = if lower {
        // Coming down towards the target; the latest just above it when "missed".
        target * (1.0 + 0.08 * step) + if t.contains("click") { 0.6 } else { -0.5 }
    } else {
        // Climbing towards the target, reaching it in the last months.
        target * (1.0 - 0.025 * step) + 0.5
    };
    (raw.max(0.0) * 10.0).round() / 10.0
}

impl App {
    pub(crate) async fn demo_ops(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        let actor = Actor::User(p);
        let today = self.today();
        let day = |ago: i64| format_date(today - Duration::days(ago));
        let existing = self
            .list_incidents(
                ctx,
                &IncidentQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if existing.items.is_empty() {
            let mut c = self.db.read().await?;
            let assets =
                isms_db::incidents::existing_asset_numbers(&mut c, ctx.org.id, &[1, 2, 3]).await?;
            let risks =
                isms_db::evidence::existing_risk_numbers(&mut c, ctx.org.id, &[1, 2, 3]).await?;
            drop(c);
            for (
                title,
                category,
                severity,
                status,
                ago,
                reported_after,
                closed_after,
                by,
                description,
                response,
                root_cause,
                lessons,
                a,
                r,
                controls,
            ) in INCIDENTS
            {
                let input = NewIncident {
                    title: (*title).into(),
                    description: (*description).into(),
                    category: Some((*category).into()),
                    severity: (*severity).into(),
                    status: Some((*status).into()),
                    detected_on: Some(day(*ago)),
                    reported_on: Some(day(ago - reported_after)),
                    reported_by: (*by).into(),
                    response: (*response).into(),
                    root_cause: (*root_cause).into(),
                    lessons_learned: (*lessons).into(),
                    closed_on: closed_after.map(|d| day(ago - d)),
                    assets: a
                        .iter()
                        .filter(|n| assets.contains(n))
                        .map(|n| format!("A-{n:04}"))
                        .collect(),
                    risks: r
                        .iter()
                        .filter(|n| risks.contains(n))
                        .map(|n| format!("R-{n:03}"))
                        .collect(),
                    controls: controls.iter().map(|c| (*c).to_owned()).collect(),
                };
                self.create_incident(actor, ctx, &input).await?;
            }
        }
        let measured = self
            .list_measurements(
                ctx,
                &MeasurementQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if !measured.items.is_empty() {
            return Ok(());
        }
        // Month ends: the last day of each of the twelve months before this one.
        let month_end = |k: i64| {
            let first = today.replace_day(1).unwrap_or(today);
            let mut d = first - Duration::days(1);
            for _ in 0..k {
                d = d.replace_day(1).unwrap_or(d) - Duration::days(1);
            }
            d
        };
        for e in self.all_entries::<Objective>(ctx).await? {
            for k in (0..12).rev() {
                self.create_measurement(
                    actor,
                    ctx,
                    &NewMeasurement {
                        subject_kind: "objective".into(),
                        subject_ref: e.id.to_string(),
                        measured_on: Some(format_date(month_end(k))),
                        value: Some(value_for(&e.data, k)),
                        result: None,
                        note: if k == 0 {
                            e.data.metric_method.clone()
                        } else {
                            String::new()
                        },
                    },
                )
                .await?;
            }
        }
        for (control, results, note) in CHECKS {
            for (i, ch) in results.chars().enumerate() {
                let k = 11 - i as i64;
                let result = match ch {
                    'f' => "fail",
                    'a' => "partial",
                    _ => "pass",
                };
                self.create_measurement(
                    actor,
                    ctx,
                    &NewMeasurement {
                        subject_kind: "control".into(),
                        subject_ref: (*control).into(),
                        measured_on: Some(format_date(month_end(k) - Duration::days(3))),
                        value: None,
                        result: Some(result.into()),
                        note: if k == 0 {
                            (*note).into()
                        } else {
                            String::new()
                        },
                    },
                )
                .await?;
            }
        }
        Ok(())
    }
}
