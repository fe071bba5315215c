//! Northwind's document register for the demo: the template documents in several states —
//! most approved (some with an older, superseded version), one in review, one draft, one
//! rejected and redrafted, one retired, two past their review date — linked to clauses and
//! controls. The workflow runs at past dates (a clock fixed in the past), so approval dates
//! and review dates look like a register that has been kept for two years. Loaded once.

use crate::documents::{
    Decision, DocumentQuery, Links, NewDocument, NewVersion, Retire, VersionPatch,
};
use crate::orgs::OrgCtx;
use crate::{Actor, App, AppResult, Principal};
use isms_domain::document::templates::TO_COMPLETE;
use isms_domain::time::FixedClock;
use std::sync::Arc;

/// Text for the `[to complete: …]` markers Northwind has filled in (by the marker's start).
const FILLED: &[(&str, &str)] = &[
    (
        "list this year's objectives",
        "This year's objectives are in the objectives register (security awareness training, fixing critical vulnerabilities, restore tests, supplier reviews).",
    ),
    (
        "name the main interfaces",
        "Amazon Web Services hosts production and backups (shared responsibility); an outsourced HR provider sends starters and leavers; a payment provider takes card payments, so no card data touches the platform.",
    ),
    (
        "list each exclusion",
        "The Paris sales office (two people, no customer data, same laptops and identity provider) and the marketing website (hosted by an agency, no customer data).",
    ),
    (
        "copy the scales",
        "The 5×5 likelihood and impact scales and the matrix of the approved risk method in the workbench apply.",
    ),
    (
        "state the acceptance level",
        "Risks rated Low or Medium may be retained by their owner; High and Very high risks need the CEO's written acceptance with an end date.",
    ),
    (
        "the SoA version number",
        "SoA version 1, approved by the ISMS manager for the CEO.",
    ),
    (
        "name the tool or ticket queue",
        "Access is requested in the service desk queue \"Access\"; the identity provider applies the approved groups.",
    ),
    (
        "the reporting channel",
        "security@northwind.example or the #security-incidents chat channel; out of hours the on-call engineer on +44 20 7946 0000.",
    ),
    (
        "where the supplier register is kept",
        "The supplier register is kept in the workbench with each supplier's risk rating and review date.",
    ),
];

fn filled(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(TO_COMPLETE) {
        out.push_str(&rest[..i]);
        let after = &rest[i + TO_COMPLETE.len()..];
        let end = after.find(']').unwrap_or(after.len());
        let what = after[..end].trim();
        let text = FILLED
            .iter()
            .find(|(k, _)| what.starts_with(k))
            .map(|(_, t)| *t)
            .unwrap_or("Recorded in the Northwind workspace of the workbench.");
        out.push_str(text);
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// What happens to one demo document.
#[derive(Clone, Copy)]
enum Life {
    /// Approved `days` ago.
    Approved(i64),
    /// Approved, then a second version approved later: (first, second) days ago.
    Twice(i64, i64),
    /// Version 1 submitted and waiting.
    InReview,
    /// Version 1 still a draft.
    Draft,
    /// Submitted, rejected with a comment, then edited again (a draft with the comment).
    Redrafted,
}

impl App {
    /// A copy of the application whose clock says `days_ago` days before now.
    fn back_in_time(&self, days_ago: i64) -> App {
        let at = self.now().plus_seconds(-days_ago * 86_400);
        App {
            clock: Arc::new(FixedClock(at)),
            ..self.clone()
        }
    }

    async fn demo_approve(
        &self,
        p: &Principal,
        ctx: &OrgCtx,
        id: uuid::Uuid,
        number: i64,
    ) -> AppResult<()> {
        let a = Actor::User(p);
        let v = self.get_document_version(ctx, id, number).await?;
        let v = self
            .submit_document_version(
                a,
                ctx,
                id,
                number,
                &Decision {
                    version: v.version,
                    comment: String::new(),
                },
            )
            .await?;
        self.approve_document_version(
            a,
            ctx,
            id,
            number,
            &Decision {
                version: v.version,
                comment: String::new(),
            },
        )
        .await?;
        Ok(())
    }

    async fn demo_edit(
        &self,
        p: &Principal,
        ctx: &OrgCtx,
        id: uuid::Uuid,
        number: i64,
        content: String,
        note: &str,
    ) -> AppResult<()> {
        let v = self.get_document_version(ctx, id, number).await?;
        self.update_document_version(
            Actor::User(p),
            ctx,
            id,
            number,
            &VersionPatch {
                content: Some(content),
                change_note: Some(note.to_owned()),
                version: v.version,
            },
        )
        .await?;
        Ok(())
    }

    /// Northwind's document register (idempotent: nothing happens once it has documents).
    pub(crate) async fn demo_documents(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        let existing = self
            .list_documents(
                ctx,
                &DocumentQuery {
                    limit: Some(1),
                    ..Default::default()
                },
            )
            .await?;
        if !existing.items.is_empty() {
            return Ok(());
        }
        let plan: &[(&str, Life)] = &[
            ("information-security-policy", Life::Twice(520, 150)),
            ("isms-scope", Life::Approved(200)),
            ("risk-methodology", Life::Approved(430)),
            ("soa-cover-note", Life::InReview),
            ("access-control-policy", Life::Twice(610, 240)),
            ("acceptable-use", Life::Approved(110)),
            ("incident-management", Life::Redrafted),
            ("supplier-security", Life::Approved(395)),
            ("ict-continuity", Life::Draft),
            ("internal-audit", Life::Approved(70)),
            ("management-review", Life::Approved(45)),
            ("corrective-action", Life::Approved(90)),
            ("document-control", Life::Twice(320, 25)),
        ];
        let a = Actor::User(p);
        for (key, life) in plan {
            let start = match life {
                Life::Approved(d) | Life::Twice(d, _) => *d + 5,
                _ => 20,
            };
            let then = self.back_in_time(start);
            let d = then
                .create_document(
                    a,
                    ctx,
                    &NewDocument {
                        template: Some((*key).to_owned()),
                        ..Default::default()
                    },
                )
                .await?;
            let v1 = then.get_document_version(ctx, d.id, 1).await?;
            match life {
                Life::Approved(days) | Life::Twice(days, _) => {
                    let then = self.back_in_time(*days);
                    then.demo_edit(
                        p,
                        ctx,
                        d.id,
                        1,
                        filled(&v1.content),
                        "Filled in for Northwind",
                    )
                    .await?;
                    then.demo_approve(p, ctx, d.id, 1).await?;
                    if let Life::Twice(_, second) = life {
                        let later = self.back_in_time(*second);
                        later
                            .new_document_version(
                                a,
                                ctx,
                                d.id,
                                &NewVersion {
                                    change_note: "Yearly review".into(),
                                },
                            )
                            .await?;
                        let text = format!(
                            "{}\n## Change history\n\n- Version 2: reviewed in the yearly review; wording made clearer and contacts updated.\n",
                            filled(&v1.content).trim_end()
                        );
                        later
                            .demo_edit(
                                p,
                                ctx,
                                d.id,
                                2,
                                text,
                                "Yearly review: clearer wording, contacts updated",
                            )
                            .await?;
                        later.demo_approve(p, ctx, d.id, 2).await?;
                    }
                }
                Life::InReview => {
                    self.demo_edit(
                        p,
                        ctx,
                        d.id,
                        1,
                        filled(&v1.content),
                        "Filled in for Northwind",
                    )
                    .await?;
                    let v = self.get_document_version(ctx, d.id, 1).await?;
                    self.submit_document_version(
                        a,
                        ctx,
                        d.id,
                        1,
                        &Decision {
                            version: v.version,
                            comment: String::new(),
                        },
                    )
                    .await?;
                }
                Life::Draft => {}
                Life::Redrafted => {
                    let before = self.back_in_time(10);
                    let v = before.get_document_version(ctx, d.id, 1).await?;
                    let v = before
                        .submit_document_version(
                            a,
                            ctx,
                            d.id,
                            1,
                            &Decision {
                                version: v.version,
                                comment: String::new(),
                            },
                        )
                        .await?;
                    before
                        .reject_document_version(
                            a,
                            ctx,
                            d.id,
                            1,
                            &Decision {
                                version: v.version,
                                comment: "The reporting channel is still missing, and say who tells customers about a breach.".into(),
                            },
                        )
                        .await?;
                    self.demo_edit(
                        p,
                        ctx,
                        d.id,
                        1,
                        format!(
                            "{}\n\nCustomers are told by the head of customer support, using the wording agreed with the CEO.\n",
                            filled(&v1.content).trim_end()
                        ),
                        "Reporting channel and customer notice added after review",
                    )
                    .await?;
                }
            }
        }
        // Extra links: the access control policy also serves the four-eyes review (NW-01).
        let acp = self
            .list_documents(
                ctx,
                &DocumentQuery {
                    control: Some("5.15".into()),
                    ..Default::default()
                },
            )
            .await?;
        if let Some(d) = acp.items.first() {
            let mut controls = d.controls.clone();
            controls.push("NW-01".into());
            self.set_document_links(
                a,
                ctx,
                d.id,
                &Links {
                    clauses: d.clauses.clone(),
                    controls,
                    version: d.version,
                },
            )
            .await?;
        }
        // A retired document: the clean desk rules, folded into acceptable use.
        let then = self.back_in_time(700);
        let d = then
            .create_document(
                a,
                ctx,
                &NewDocument {
                    title: Some("Clean desk and clear screen rules".into()),
                    kind: Some("standard".into()),
                    content: Some("# Clean desk and clear screen rules\n\n- Lock your screen when you leave your desk.\n- Keep no confidential papers on the desk overnight.\n- Shred printed customer data.\n".into()),
                    review_months: Some(12),
                    ..Default::default()
                },
            )
            .await?;
        then.demo_approve(p, ctx, d.id, 1).await?;
        let d = self.back_in_time(110).get_document(ctx, d.id).await?;
        let d = self
            .back_in_time(110)
            .set_document_links(
                a,
                ctx,
                d.id,
                &Links {
                    clauses: vec![],
                    controls: vec!["7.7".into()],
                    version: d.version,
                },
            )
            .await?;
        self.back_in_time(110)
            .retire_document(a, ctx, d.id, &Retire { version: d.version })
            .await?;
        Ok(())
    }
}
