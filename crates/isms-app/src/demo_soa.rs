//! The demo Statement of Applicability of Northwind: version 1 approved (every control
//! decided, a handful excluded with justifications), version 2 drafted with changes for
//! the Leeds office (excluded controls brought back, a justification and a note
//! reworded). Three requirements of interested parties name the controls they need, so
//! "required by" reasons show beside the risks. Skipped once Northwind has an SoA.

use crate::foundation::{Approve, EntryPatch, NewDocVersion};
use crate::orgs::OrgCtx;
use crate::soa::SoaEntryPatch;
use crate::{Actor, App, AppError, AppResult, Principal};
use isms_domain::catalogue::{Theme, catalogue};
use isms_domain::foundation::registers::Party;
use isms_domain::soa::Applicability;

/// Controls Northwind leaves out in version 1, with the justification.
const EXCLUDED: &[(&str, &str)] = &[
    (
        "7.4",
        "The London office is a serviced office: the landlord monitors the building, and no equipment there processes customer data. Production runs at AWS, whose physical monitoring is covered by its ISO/IEC 27001 certificate.",
    ),
    (
        "7.11",
        "No equipment of our own processes customer data: production and backups run at AWS (supporting utilities covered by its certificate); staff work on battery-powered laptops.",
    ),
    (
        "7.12",
        "No server room or network cabling of our own: the office network is the landlord's managed service and production is hosted at AWS.",
    ),
    (
        "8.30",
        "All development is done by Northwind employees; no software development is outsourced.",
    ),
];

/// Notes for controls where the records alone do not say enough.
const NOTES: &[(&str, &str)] = &[
    (
        "5.1",
        "The board approves the information security policy and the topic-specific policies; they are reviewed every year.",
    ),
    (
        "5.7",
        "We follow the NCSC and AWS security bulletins for threats to a SaaS platform.",
    ),
    (
        "5.23",
        "The whole platform runs on AWS; its use is governed by our cloud security baseline.",
    ),
    ("6.7", "Most staff work from home part of the week."),
    (
        "8.25",
        "We build the platform ourselves: secure development is at the core of what we deliver.",
    ),
];

/// Requirements that name the controls they need: (party, requirement text, controls).
const REQUIREMENT_CONTROLS: &[(&str, &str, &[&str])] = &[
    (
        "Enterprise customers",
        "Breach notification within 48 hours",
        &["5.24", "5.26", "6.8"],
    ),
    (
        "Information Commissioner's Office",
        "Report personal data breaches within 72 hours",
        &["5.24", "5.26", "5.34"],
    ),
    (
        "Cyber insurer",
        "MFA on all remote access and tested backups",
        &["8.5", "8.13"],
    ),
];

/// A change in version 2: control, applicability, inclusion note, exclusion justification.
type DemoChange = (
    &'static str,
    Option<Applicability>,
    Option<&'static str>,
    Option<&'static str>,
);

impl App {
    pub(crate) async fn demo_soa(&self, p: &Principal, ctx: &OrgCtx) -> AppResult<()> {
        if !self
            .list_soa_versions(ctx, None, Some(1))
            .await?
            .items
            .is_empty()
        {
            return Ok(());
        }
        let a = Actor::User(p);
        // Requirements name the controls they need.
        for e in self.all_entries::<Party>(ctx).await? {
            let mut body = e.data.clone();
            let mut changed = false;
            for r in &mut body.requirements {
                if let Some((_, _, controls)) = REQUIREMENT_CONTROLS
                    .iter()
                    .find(|(party, text, _)| *party == body.name && *text == r.text)
                {
                    r.controls = controls.iter().map(|c| (*c).to_owned()).collect();
                    changed = true;
                }
            }
            if changed {
                self.update_entry::<Party>(
                    a,
                    ctx,
                    e.id,
                    &EntryPatch {
                        version: e.version,
                        data: body,
                    },
                )
                .await?;
            }
        }
        // Version 1: every control decided, through the importer (one transaction). A
        // control the risks or requirements already explain needs no note.
        let live = {
            let mut c = self.db.read().await?;
            self.soa_live(&mut c, ctx).await?
        };
        let rows = catalogue()
            .controls()
            .iter()
            .map(|c| {
                let excluded = EXCLUDED.iter().find(|(id, _)| *id == c.id);
                let note = match NOTES.iter().find(|(id, _)| *id == c.id) {
                    Some((_, n)) => (*n).to_owned(),
                    None if live.has_reasons(&c.id) => String::new(),
                    None => theme_note(c.theme).to_owned(),
                };
                match excluded {
                    Some((_, why)) => vec![c.id.clone(), "no".into(), String::new(), (*why).into()],
                    None => vec![c.id.clone(), "yes".into(), note, String::new()],
                }
            })
            .collect();
        let table = isms_export::Table {
            title: "Northwind SoA".into(),
            headers: [
                "Control",
                "Applicable",
                "Inclusion note",
                "Justification for exclusion",
            ]
            .map(str::to_owned)
            .to_vec(),
            rows,
        };
        let csv = isms_export::csv(&table).map_err(|e| AppError::Internal(e.to_string()))?;
        let r = self.import_soa(a, ctx, &csv, false).await?;
        let v1 = self.get_soa(ctx, r.version, None).await?;
        self.approve_soa(
            a,
            ctx,
            v1.soa.number,
            &Approve {
                version: v1.soa.version,
            },
        )
        .await?;
        // Version 2: the Leeds office.
        let v2 = self
            .create_soa_draft(
                a,
                ctx,
                &NewDocVersion {
                    change_note:
                        "Leeds office opening next quarter; a contractor builds the mobile app"
                            .into(),
                },
            )
            .await?;
        let changes: [DemoChange; 4] = [
            (
                "7.4",
                Some(Applicability::Yes),
                Some(
                    "The Leeds office is leased by Northwind directly: we monitor its entrances ourselves.",
                ),
                None,
            ),
            (
                "8.30",
                Some(Applicability::Yes),
                Some(
                    "From next quarter a contractor builds the mobile app under our secure development rules.",
                ),
                None,
            ),
            (
                "7.12",
                None,
                None,
                Some(
                    "Neither office has a server room or cabling of our own: London uses the landlord's managed network and the Leeds fit-out the landlord's structured cabling; production is hosted at AWS.",
                ),
            ),
            (
                "5.7",
                None,
                Some(
                    "We follow the NCSC, AWS and FS-ISAC bulletins; the security team reviews them every week.",
                ),
                None,
            ),
        ];
        for (control, applicable, note, exclusion) in changes {
            let (_, e) = self.get_soa_entry(ctx, v2.number, control).await?;
            self.update_soa_entry(
                a,
                ctx,
                v2.number,
                control,
                &SoaEntryPatch {
                    applicable,
                    inclusion_note: note.map(str::to_owned),
                    exclusion_justification: exclusion.map(str::to_owned),
                    version: e.version,
                },
            )
            .await?;
        }
        Ok(())
    }
}

/// The note of a control that applies across a theme.
fn theme_note(t: Theme) -> &'static str {
    match t {
        Theme::Organizational => {
            "Part of the policy set the ISMS runs on; the ISMS manager owns it."
        }
        Theme::People => "Applies to every employee and contractor with access to the platform.",
        Theme::Physical => "Applies to the London office and to the laptops staff use at home.",
        Theme::Technological => {
            "Applies to the Northwind Cloud platform and the corporate IT that supports it."
        }
    }
}
