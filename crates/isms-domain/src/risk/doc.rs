//! The organisation's risk assessment methodology document, written from its method as
//! plain sections that the exporters turn into PDF, DOCX or HTML.

use super::method::{Method, Scale};
use super::register::{MAX_ACCEPTANCE_YEARS, Treatment};
use serde::{Deserialize, Serialize};

/// One section of a generated document.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocSection {
    /// Section heading.
    pub heading: String,
    /// Paragraphs of running text, in order, before the bullets.
    pub paragraphs: Vec<String>,
    /// A bulleted list after the paragraphs (may be empty).
    pub bullets: Vec<String>,
    /// An optional table after the bullets: header cells and rows of cells.
    pub table: Option<(Vec<String>, Vec<Vec<String>>)>,
}

impl DocSection {
    fn new(heading: &str) -> Self {
        DocSection {
            heading: heading.to_owned(),
            ..DocSection::default()
        }
    }

    fn para(mut self, p: impl Into<String>) -> Self {
        self.paragraphs.push(p.into());
        self
    }

    fn bullet(mut self, b: impl Into<String>) -> Self {
        self.bullets.push(b.into());
        self
    }
}

fn scale_table(s: &Scale) -> (Vec<String>, Vec<Vec<String>>) {
    (
        vec!["Value".into(), "Name".into(), "What it means".into()],
        s.levels
            .iter()
            .map(|l| vec![l.value.to_string(), l.name.clone(), l.description.clone()])
            .collect(),
    )
}

/// A list of names joined with commas and a final "or".
fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// `365 days (about 12 months)`.
fn interval_words(days: u16) -> String {
    let months = (u32::from(days) * 100 + 1522) / 3044;
    if days > 0 && days.is_multiple_of(365) {
        let years = days / 365;
        if years == 1 {
            "365 days (once a year)".to_owned()
        } else {
            format!("{days} days (every {years} years)")
        }
    } else {
        format!("{days} days (about every {months} months)")
    }
}

/// The sections of the "information security risk assessment methodology" document for
/// this method: purpose and scope, identification, the two scales, the matrix,
/// acceptance criteria, treatment options, review, and how results are kept.
pub fn methodology_sections(m: &Method) -> Vec<DocSection> {
    let n_l = m.likelihood.len();
    let n_i = m.impact.len();
    let level_names: Vec<&str> = m.levels.iter().map(|l| l.name.as_str()).collect();
    let accept = usize::from(m.acceptance_level);
    let within: Vec<&str> = level_names.iter().take(accept + 1).copied().collect();
    let above: Vec<&str> = level_names.iter().skip(accept + 1).copied().collect();

    let purpose = DocSection::new("1. Purpose and scope")
        .para(
            "This document describes how we find, score and decide on information security risks. \
             Using the same method every time means that results from different people and different \
             years can be compared, and that the most important risks are dealt with first.",
        )
        .para(
            "It applies to all information, systems, services, people, sites and suppliers inside \
             the scope of our information security management system (ISMS). The ISMS manager \
             maintains this document; top management approves it and any change to it.",
        );

    let identify = DocSection::new("2. Finding risks")
        .para(
            "We start from the asset register: the information we hold, the systems and services \
             that process it, the people and sites involved, and what suppliers provide to us. \
             For each important asset, or group of similar assets, we ask what could go wrong.",
        )
        .para(
            "A risk is written down as a threat (what could happen) exploiting a vulnerability \
             (the weakness that lets it happen) and harming the confidentiality, integrity or \
             availability of an asset. Starter lists of common threats and vulnerabilities help, \
             but the people who know the assets decide what is relevant.",
        )
        .bullet("Sources: the asset register, past incidents, audit findings, supplier reviews, changes in the business, and advice from specialists.")
        .bullet("Every risk has one named risk owner: the person accountable for it and with the authority to decide on its treatment.")
        .bullet("Every risk is first scored as it stands today, with the controls already in place (the current risk).")
        .bullet("After treatment it is scored again (the residual risk); that is the level used for acceptance.");

    let likelihood = DocSection {
        table: Some(scale_table(&m.likelihood)),
        ..DocSection::new("3. Likelihood scale").para(format!(
            "Likelihood says how often the event can be expected to happen, taking the controls \
             already in place into account. Choose the value whose description fits best; when \
             in doubt between two, choose the higher one. The scale has {n_l} values."
        ))
    };

    let impact = DocSection {
        table: Some(scale_table(&m.impact)),
        ..DocSection::new("4. Impact scale").para(format!(
            "Impact says how bad the consequences would realistically be, looking at money, \
             customers, legal and contractual duties, and operations. Score the worst of these \
             that applies. The scale has {n_i} values."
        ))
    };

    let mut header = vec!["Likelihood \\ Impact".to_owned()];
    header.extend(
        m.impact
            .levels
            .iter()
            .map(|l| format!("{} {}", l.value, l.name)),
    );
    let rows: Vec<Vec<String>> = m
        .likelihood
        .levels
        .iter()
        .zip(&m.matrix)
        .rev()
        .map(|(l, row)| {
            let mut cells = vec![format!("{} {}", l.value, l.name)];
            cells.extend(row.iter().map(|v| m.level_name(*v).to_owned()));
            cells
        })
        .collect();
    let mut matrix = DocSection::new("5. Risk levels and matrix").para(
        "Likelihood and impact together give the risk level from the matrix below. The level \
         decides the priority: higher levels are treated first. The matrix never gives a lower \
         level for a higher likelihood or a higher impact.",
    );
    for l in &m.levels {
        matrix = matrix.bullet(format!("{}: {}", l.name, l.description));
    }
    matrix.table = Some((header, rows));

    let mut acceptance = DocSection::new("6. Risk acceptance criteria").para(format!(
        "A residual risk at level {} may be accepted by its risk owner.",
        or_list(&within)
    ));
    if !above.is_empty() {
        acceptance = acceptance.para(format!(
            "A residual risk at level {} is above our acceptance criteria. It should be treated \
             further; if that is not possible or not worth the cost, it may only be accepted with \
             the approval of the ISMS manager or top management.",
            or_list(&above)
        ));
    }
    acceptance = acceptance
        .bullet("Every acceptance records who accepted the risk, when, and a reason an outsider can follow.")
        .bullet(format!(
            "Every acceptance has an expiry date, at most {MAX_ACCEPTANCE_YEARS} years ahead; by then the risk is assessed again."
        ))
        .bullet("Risk owners also approve the treatment plan for their risks and accept what remains once it is done.");

    let mut treatment = DocSection::new("7. Treating risks").para(
        "For every risk above the acceptance criteria the risk owner chooses one or more of the \
         options below. The controls chosen are compared with the list in Annex A of ISO/IEC \
         27001 so that nothing necessary is missed, and the decisions feed the Statement of \
         Applicability and the risk treatment plan (who does what, by when).",
    );
    for t in Treatment::ALL {
        treatment = treatment.bullet(format!("{}: {}", t.label(), t.guidance()));
    }

    let review = DocSection::new("8. Review and reassessment")
        .para(format!(
            "Every risk is reviewed at least every {}. The review checks that the scores still \
             fit, that treatment is on track and that acceptances have not expired.",
            interval_words(m.review_interval_days)
        ))
        .para("A risk, or the whole assessment, is also reassessed without waiting when:")
        .bullet("the scope, organisation, important systems or key suppliers change significantly;")
        .bullet("a serious security incident or near miss happens;")
        .bullet("a new threat or vulnerability becomes known that affects our assets;")
        .bullet("an audit, management review or customer raises findings about risk;")
        .bullet("laws, regulations or contracts change what we must protect;")
        .bullet("an acceptance reaches its expiry date.");

    let records = DocSection::new("9. Keeping the results")
        .para(
            "The risk register holds every risk with its assets, threat, vulnerability, owner, \
             current and residual scores and levels, treatment, status and dates. Changes are \
             recorded in an audit trail showing who changed what and when.",
        )
        .para(
            "After each assessment a dated copy of the register is kept as evidence, together with \
             the treatment plan and the risk owners' acceptances. This document is version \
             controlled; earlier versions are kept so that past results can be understood.",
        );

    vec![
        purpose, identify, likelihood, impact, matrix, acceptance, treatment, review, records,
    ]
}
