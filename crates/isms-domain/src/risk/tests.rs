use super::method::{MAX_REVIEW_DAYS, MIN_REVIEW_DAYS};
use super::*;
use crate::ValidationError;
use proptest::prelude::*;
use time::Date;
use time::macros::date;

fn fields(e: &ValidationError) -> Vec<&str> {
    e.errors.iter().map(|x| x.field.as_str()).collect()
}

fn five() -> Method {
    preset(Preset::FiveByFive)
}

// ---------------------------------------------------------------- presets

#[test]
fn presets_validate_and_round_trip() {
    for p in Preset::ALL {
        let m = preset(p);
        assert_eq!(validate(&m), Ok(()), "{}", p.as_str());
        assert_eq!(Preset::parse("preset", p.as_str()), Ok(p));
        assert!(!p.label().is_empty() && !p.description().is_empty());
        let json = serde_json::to_string(&m).unwrap();
        let back: Method = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            format!("\"{}\"", p.as_str())
        );
        assert_eq!(m.review_interval_days, 365);
        assert_eq!(m.levels[0].name, "Low");
        // Lowest corner Low, highest corner the highest level.
        assert_eq!(level(&m, 1, 1, ("l", "i")), Ok(0));
        let n = i64::try_from(m.likelihood.len()).unwrap();
        assert_eq!(level(&m, n, n, ("l", "i")), Ok(m.highest_level()));
    }
    assert_eq!(Preset::parse("preset", " 5×5 "), Ok(Preset::FiveByFive));
    assert_eq!(
        fields(&Preset::parse("preset", "6x6").unwrap_err()),
        ["preset"]
    );
}

#[test]
fn five_by_five_matrix() {
    let m = five();
    assert_eq!(m.likelihood.levels[0].name, "Rare");
    assert_eq!(m.likelihood.levels[4].name, "Almost certain");
    assert_eq!(m.impact.levels[0].name, "Negligible");
    assert_eq!(m.impact.levels[4].name, "Severe");
    let name = |l, i| {
        m.level_name(level(&m, l, i, ("l", "i")).unwrap())
            .to_owned()
    };
    assert_eq!(name(2, 2), "Low");
    assert_eq!(name(3, 3), "Medium");
    assert_eq!(name(4, 3), "High");
    assert_eq!(name(5, 4), "Critical");
    assert!(owner_may_accept(&m, 1));
    assert!(!owner_may_accept(&m, 2));
    assert!(!owner_may_accept(&preset(Preset::ThreeByThree), 1));
}

// ---------------------------------------------------------------- validation

#[test]
fn every_problem_is_reported_with_its_field() {
    let mut m = five();
    m.likelihood.levels[2].name = " ".into();
    m.likelihood.levels[3].name = "rare".into(); // duplicate of "Rare", case-insensitive
    m.impact.levels.truncate(2);
    m.levels[1].colour = "orange".into();
    m.levels[2].name = "x".repeat(61);
    m.acceptance_level = 3;
    m.review_interval_days = 29;
    let e = validate(&m).unwrap_err();
    let f = fields(&e);
    for expected in [
        "likelihood.levels[2].name",
        "likelihood.levels[3].name",
        "impact.levels",
        "levels[1].colour",
        "levels[2].name",
        "matrix",
        "acceptance_level",
        "review_interval_days",
    ] {
        assert!(f.contains(&expected), "missing {expected} in {f:?}");
    }
}

#[test]
fn scale_rules() {
    let mut m = five();
    m.likelihood.levels[1].value = 3;
    m.impact.levels[0].description = "d".repeat(501);
    let e = validate(&m).unwrap_err();
    assert_eq!(
        fields(&e),
        ["likelihood.levels[1].value", "impact.levels[0].description"]
    );
    let mut m = five();
    m.impact.levels[4].description = "d".repeat(500);
    m.impact.levels[4].name = "é".repeat(60);
    assert_eq!(validate(&m), Ok(()));
    for n in [2usize, 11] {
        let mut m = five();
        m.likelihood.levels = (1..=n)
            .map(|v| ScaleLevel {
                value: u8::try_from(v).unwrap(),
                name: format!("L{v}"),
                description: String::new(),
            })
            .collect();
        m.matrix = vec![vec![0; 5]; n];
        assert_eq!(fields(&validate(&m).unwrap_err()), ["likelihood.levels"]);
    }
}

#[test]
fn risk_level_rules() {
    let mut m = five();
    m.levels[3].name = "low".into();
    m.levels[0].colour = "#2E7D3".into();
    m.levels[2].colour = "#GGGGGG".into();
    let e = validate(&m).unwrap_err();
    assert_eq!(
        fields(&e),
        ["levels[0].colour", "levels[2].colour", "levels[3].name"]
    );
    let mut m = five();
    m.levels[1].colour = "#ABCDEF".into();
    assert_eq!(validate(&m), Ok(()));
    let mut m = five();
    m.levels.truncate(1);
    m.matrix = vec![vec![0; 5]; 5];
    m.acceptance_level = 0;
    let e = validate(&m).unwrap_err();
    assert_eq!(fields(&e), ["levels"]);
    // No levels at all: one error, not one per matrix cell.
    m.levels.clear();
    assert_eq!(fields(&validate(&m).unwrap_err()), ["levels"]);
}

#[test]
fn matrix_shape_and_cells() {
    let mut m = five();
    m.matrix.pop();
    assert_eq!(fields(&validate(&m).unwrap_err()), ["matrix"]);
    let mut m = five();
    m.matrix[2].push(3);
    assert_eq!(fields(&validate(&m).unwrap_err()), ["matrix"]);
    let mut m = five();
    m.matrix[4][4] = 4;
    let e = validate(&m).unwrap_err();
    assert_eq!(fields(&e), ["matrix[4][4]"]);
    assert!(e.errors[0].message.contains("0 to 3"));
}

#[test]
fn matrix_must_be_monotone() {
    let mut m = five();
    // likelihood 4, impact 2 is Medium (8); lower it below its neighbours.
    m.matrix[3][1] = 0;
    let e = validate(&m).unwrap_err();
    assert_eq!(fields(&e), ["matrix[3][1]"]);
    assert!(
        e.errors[0].message.contains("at least Medium"),
        "{}",
        e.errors[0].message
    );
    // Two offending cells: only the first (row by row) is named.
    let mut m = five();
    m.matrix[4][4] = 2;
    m.matrix[2][3] = 0;
    assert_eq!(fields(&validate(&m).unwrap_err()), ["matrix[2][3]"]);
}

#[test]
fn acceptance_level_and_review_interval() {
    let mut m = five();
    m.acceptance_level = 2;
    assert_eq!(validate(&m), Ok(()));
    m.acceptance_level = 3;
    assert_eq!(fields(&validate(&m).unwrap_err()), ["acceptance_level"]);
    let mut m = five();
    for ok in [MIN_REVIEW_DAYS, MAX_REVIEW_DAYS] {
        m.review_interval_days = ok;
        assert_eq!(validate(&m), Ok(()));
    }
    m.review_interval_days = 731;
    assert_eq!(fields(&validate(&m).unwrap_err()), ["review_interval_days"]);
}

#[test]
fn level_names_the_callers_fields() {
    let m = five();
    assert_eq!(level(&m, 5, 5, ("likelihood", "impact")), Ok(3));
    let e = level(&m, 0, 6, ("residual_likelihood", "residual_impact")).unwrap_err();
    assert_eq!(fields(&e), ["residual_likelihood", "residual_impact"]);
    assert!(e.errors[0].message.contains("1 to 5"));
    let e = level(&m, i64::MIN, 3, ("l", "i")).unwrap_err();
    assert_eq!(fields(&e), ["l"]);
    // A broken method does not panic: the matrix is named.
    let mut broken = m.clone();
    broken.matrix.clear();
    assert_eq!(
        fields(&level(&broken, 1, 1, ("l", "i")).unwrap_err()),
        ["matrix"]
    );
}

// ---------------------------------------------------------------- methodology document

#[test]
fn methodology_document_content() {
    let m = five();
    let doc = methodology_sections(&m);
    assert_eq!(doc.len(), 9);
    let all_text: String = doc
        .iter()
        .flat_map(|s| {
            std::iter::once(s.heading.clone())
                .chain(s.paragraphs.clone())
                .chain(s.bullets.clone())
        })
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "risk owner",
        "Low or Medium may be accepted",
        "High or Critical is above",
        "365 days (once a year)",
        "significant",
        "at most 3 years",
        "Modify (reduce)",
        "Share (transfer)",
        "dated copy of the register",
    ] {
        assert!(all_text.contains(needle), "missing {needle:?}");
    }
    // Likelihood and impact tables list every step.
    let (h, rows) = doc[2].table.clone().unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[4][1], "Almost certain");
    assert_eq!(doc[3].table.as_ref().unwrap().1.len(), 5);
    // Matrix: highest likelihood first, impact across.
    let (h, rows) = doc[4].table.clone().unwrap();
    assert_eq!(h.len(), 6);
    assert_eq!(h[1], "1 Negligible");
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][0], "5 Almost certain");
    assert_eq!(rows[0][5], "Critical");
    assert_eq!(rows[4][0], "1 Rare");
    assert_eq!(rows[4][1], "Low");
    for s in &doc {
        assert!(!s.heading.is_empty() && !s.paragraphs.is_empty());
    }
}

#[test]
fn methodology_review_interval_wording() {
    let mut m = preset(Preset::ThreeByThree);
    m.review_interval_days = 180;
    let doc = methodology_sections(&m);
    assert!(doc[7].paragraphs[0].contains("180 days (about every 6 months)"));
    assert!(doc[5].paragraphs[0].contains("level Low may be accepted"));
    assert!(doc[5].paragraphs[1].contains("Medium or High"));
}

// ---------------------------------------------------------------- register rules

#[test]
fn treatment_round_trip() {
    for t in Treatment::ALL {
        assert_eq!(Treatment::parse("treatment", t.as_str()), Ok(t));
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            format!("\"{}\"", t.as_str())
        );
        assert!(t.guidance().ends_with('.'));
    }
    assert_eq!(
        fields(&Treatment::parse("treatment", "transfer").unwrap_err()),
        ["treatment"]
    );
}

#[test]
fn status_round_trip() {
    for s in RiskStatus::ALL {
        assert_eq!(RiskStatus::parse("status", s.as_str()), Ok(s));
        assert_eq!(RiskStatus::parse("status", s.label()), Ok(s));
        assert!(!s.next().contains(&RiskStatus::Accepted));
        assert!(!s.next().contains(&s));
    }
    assert!(RiskStatus::parse("status", "done").is_err());
}

#[test]
fn transitions() {
    use RiskStatus::*;
    for (from, to) in [
        (Identified, Assessed),
        (Assessed, TreatmentPlanned),
        (TreatmentPlanned, TreatmentInProgress),
        (TreatmentInProgress, Treated),
        (Treated, Assessed),
        (Accepted, Assessed),
        (Accepted, Closed),
        (Identified, Closed),
        (Closed, Identified),
        (Treated, Treated),
        (TreatmentPlanned, Treated),
    ] {
        assert_eq!(check_transition(from, to), Ok(()), "{from} -> {to}");
    }
    for (from, to) in [
        (Closed, TreatmentInProgress),
        (Closed, Assessed),
        (Identified, Treated),
        (Identified, TreatmentInProgress),
        (Assessed, Treated),
        (Treated, TreatmentInProgress),
    ] {
        let e = check_transition(from, to).unwrap_err();
        assert_eq!(fields(&e), ["status"], "{from} -> {to}");
    }
    for from in RiskStatus::ALL {
        if from != Accepted {
            let e = check_transition(from, Accepted).unwrap_err();
            assert!(e.errors[0].message.contains("acceptance step"));
        }
    }
    assert!(check_can_accept(Identified).is_err());
    assert!(check_can_accept(Closed).is_err());
    assert!(check_can_accept(Treated).is_ok());
    assert!(check_can_accept(Assessed).is_ok());
    assert!(check_can_accept(Accepted).is_ok());
}

fn acceptance(level: u8) -> AcceptanceInput {
    AcceptanceInput {
        residual_level: level,
        rationale: "Cost of further controls exceeds the expected loss.".into(),
        expires_on: Some(date!(2027 - 06 - 30)),
        acceptor_is_owner: true,
        acceptor_can_approve: false,
    }
}

const TODAY: Date = date!(2026 - 11 - 28);

#[test]
fn owner_accepts_within_criteria() {
    let m = five();
    assert_eq!(
        check_acceptance(&m, &acceptance(0), TODAY),
        Ok(AcceptanceKind::ByOwner)
    );
    assert_eq!(
        check_acceptance(&m, &acceptance(1), TODAY),
        Ok(AcceptanceKind::ByOwner)
    );
    // An approver who is not the owner may accept on the owner's behalf.
    let mut a = acceptance(1);
    a.acceptor_is_owner = false;
    a.acceptor_can_approve = true;
    assert_eq!(
        check_acceptance(&m, &a, TODAY),
        Ok(AcceptanceKind::ByApprover)
    );
    // Neither owner nor approver.
    a.acceptor_can_approve = false;
    assert_eq!(
        fields(&check_acceptance(&m, &a, TODAY).unwrap_err()),
        ["acceptor"]
    );
}

#[test]
fn above_criteria_needs_an_approver() {
    let m = five();
    let e = check_acceptance(&m, &acceptance(2), TODAY).unwrap_err();
    assert_eq!(fields(&e), ["residual_level"]);
    assert!(e.errors[0].message.contains("High is above"));
    assert!(e.errors[0].message.contains("approval"));
    let mut a = acceptance(3);
    a.acceptor_can_approve = true;
    assert_eq!(
        check_acceptance(&m, &a, TODAY),
        Ok(AcceptanceKind::ByApprover)
    );
    a.residual_level = 4;
    assert_eq!(
        fields(&check_acceptance(&m, &a, TODAY).unwrap_err()),
        ["residual_level"]
    );
}

#[test]
fn rationale_and_expiry() {
    let m = five();
    let mut a = acceptance(0);
    a.rationale = "  too short ".into(); // 9 characters once trimmed
    a.expires_on = None;
    let e = check_acceptance(&m, &a, TODAY).unwrap_err();
    assert_eq!(fields(&e), ["rationale", "expires_on"]);
    a.rationale = "0123456789".into();
    a.expires_on = Some(TODAY);
    assert_eq!(
        fields(&check_acceptance(&m, &a, TODAY).unwrap_err()),
        ["expires_on"]
    );
    a.expires_on = Some(date!(2029 - 11 - 28));
    assert!(check_acceptance(&m, &a, TODAY).is_ok());
    a.expires_on = Some(date!(2029 - 11 - 29));
    let e = check_acceptance(&m, &a, TODAY).unwrap_err();
    assert_eq!(fields(&e), ["expires_on"]);
    assert!(e.errors[0].message.contains("2029-11-28"));
    a.expires_on = Some(date!(2026 - 11 - 29));
    assert!(check_acceptance(&m, &a, TODAY).is_ok());
    // 29 February: three years later is 28 February.
    a.expires_on = Some(date!(2031 - 02 - 28));
    assert!(check_acceptance(&m, &a, date!(2028 - 02 - 29)).is_ok());
    a.expires_on = Some(date!(2031 - 03 - 01));
    assert!(check_acceptance(&m, &a, date!(2028 - 02 - 29)).is_err());
    a.expires_on = Some(date!(2027 - 01 - 01));
    a.rationale = "x".repeat(2001);
    assert_eq!(
        fields(&check_acceptance(&m, &a, TODAY).unwrap_err()),
        ["rationale"]
    );
}

// ---------------------------------------------------------------- properties

/// A random valid method: scales of 3–10 steps, 2–10 levels, a monotone matrix built by
/// cumulative maximum over random cells.
fn valid_method() -> impl Strategy<Value = Method> {
    (
        3usize..=10,
        3usize..=10,
        2usize..=10,
        MIN_REVIEW_DAYS..=MAX_REVIEW_DAYS,
    )
        .prop_flat_map(|(nl, ni, nlev, days)| {
            let top = u8::try_from(nlev - 1).unwrap_or(0);
            (
                Just((nl, ni, nlev, days)),
                proptest::collection::vec(proptest::collection::vec(0..=top, ni), nl),
                0..top,
            )
        })
        .prop_map(|((nl, ni, nlev, days), raw, accept)| {
            let scale = |n: usize, p: &str| Scale {
                levels: (1..=n)
                    .map(|v| ScaleLevel {
                        value: u8::try_from(v).unwrap_or(0),
                        name: format!("{p} {v}"),
                        description: format!("Step {v}."),
                    })
                    .collect(),
            };
            let mut matrix = raw;
            for r in 0..nl {
                for c in 0..ni {
                    let up = if r > 0 { matrix[r - 1][c] } else { 0 };
                    let left = if c > 0 { matrix[r][c - 1] } else { 0 };
                    matrix[r][c] = matrix[r][c].max(up).max(left);
                }
            }
            Method {
                likelihood: scale(nl, "Likelihood"),
                impact: scale(ni, "Impact"),
                levels: (0..nlev)
                    .map(|i| RiskLevel {
                        name: format!("Level {i}"),
                        colour: format!("#{:02x}{:02x}00", i * 25, 250 - i * 25),
                        description: String::new(),
                    })
                    .collect(),
                matrix,
                acceptance_level: accept,
                review_interval_days: days,
            }
        })
}

proptest! {
    #[test]
    fn random_valid_methods_validate(m in valid_method()) {
        prop_assert_eq!(validate(&m), Ok(()));
        let doc = methodology_sections(&m);
        let (_, rows) = doc[4].table.clone().unwrap();
        prop_assert_eq!(rows.len(), m.likelihood.len());
    }

    #[test]
    fn level_is_total_and_monotone(m in valid_method()) {
        let nl = i64::try_from(m.likelihood.len()).unwrap();
        let ni = i64::try_from(m.impact.len()).unwrap();
        for l in 1..=nl {
            for i in 1..=ni {
                let v = level(&m, l, i, ("likelihood", "impact"));
                prop_assert!(v.is_ok());
                let v = v.unwrap();
                prop_assert!(usize::from(v) < m.levels.len());
                if l > 1 {
                    prop_assert!(level(&m, l - 1, i, ("likelihood", "impact")).unwrap() <= v);
                }
                if i > 1 {
                    prop_assert!(level(&m, l, i - 1, ("likelihood", "impact")).unwrap() <= v);
                }
                prop_assert_eq!(owner_may_accept(&m, v), v <= m.acceptance_level);
            }
        }
    }

    #[test]
    fn out_of_scale_values_name_the_field(
        m in valid_method(),
        l in prop_oneof![Just(i64::MIN), -20i64..=20, Just(i64::MAX)],
        i in prop_oneof![Just(i64::MIN), -20i64..=20, Just(i64::MAX)],
    ) {
        let l_ok = l >= 1 && l <= i64::try_from(m.likelihood.len()).unwrap();
        let i_ok = i >= 1 && i <= i64::try_from(m.impact.len()).unwrap();
        match level(&m, l, i, ("residual_likelihood", "residual_impact")) {
            Ok(_) => prop_assert!(l_ok && i_ok),
            Err(e) => {
                let f = fields(&e);
                prop_assert_eq!(f.contains(&"residual_likelihood"), !l_ok);
                prop_assert_eq!(f.contains(&"residual_impact"), !i_ok);
            }
        }
    }

    #[test]
    fn broken_monotonicity_names_the_cell(m in valid_method(), pick in any::<usize>()) {
        // Cells that can be lowered below a neighbour with lower likelihood or impact.
        let mut candidates = Vec::new();
        for (r, row) in m.matrix.iter().enumerate() {
            for c in 0..row.len() {
                let up = if r > 0 { m.matrix[r - 1][c] } else { 0 };
                let left = if c > 0 { row[c - 1] } else { 0 };
                let min = up.max(left);
                if min > 0 {
                    candidates.push((r, c, min));
                }
            }
        }
        prop_assume!(!candidates.is_empty());
        let (r, c, min) = candidates[pick % candidates.len()];
        let mut bad = m.clone();
        bad.matrix[r][c] = min - 1;
        let e = validate(&bad).unwrap_err();
        let cell = format!("matrix[{r}][{c}]");
        prop_assert_eq!(fields(&e), vec![cell.as_str()]);
        let expected = format!("at least {}", m.level_name(min));
        prop_assert!(e.errors[0].message.contains(&expected));
    }
}
