//! Growing and shrinking a method's scales and risk levels by one step, keeping the matrix
//! total and monotone, so a person can reshape a draft without retyping it.

use super::method::{MAX_RISK_LEVELS, MAX_SCALE_LEVELS, MIN_RISK_LEVELS, MIN_SCALE_LEVELS};
use super::{Method, RiskLevel, ScaleLevel};
use crate::ValidationError;

/// Which part of the method to resize.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Likelihood,
    Impact,
    Levels,
}

impl Part {
    /// `likelihood`, `impact` or `levels`.
    pub fn parse(field: &str, s: &str) -> Result<Part, ValidationError> {
        match s.trim() {
            "likelihood" => Ok(Part::Likelihood),
            "impact" => Ok(Part::Impact),
            "levels" => Ok(Part::Levels),
            _ => Err(ValidationError::single(
                field,
                "must be likelihood, impact or levels",
            )),
        }
    }

    fn field(self) -> &'static str {
        match self {
            Part::Likelihood => "likelihood.levels",
            Part::Impact => "impact.levels",
            Part::Levels => "levels",
        }
    }
}

/// Add one step at the top of a scale (its matrix row or column copies the one below, so
/// the matrix stays monotone) or one risk level above the highest (no cell uses it yet).
pub fn add_step(m: &Method, part: Part) -> Result<Method, ValidationError> {
    let mut m = m.clone();
    let (len, max) = match part {
        Part::Likelihood => (m.likelihood.len(), MAX_SCALE_LEVELS),
        Part::Impact => (m.impact.len(), MAX_SCALE_LEVELS),
        Part::Levels => (m.levels.len(), MAX_RISK_LEVELS),
    };
    if len >= max {
        return Err(ValidationError::single(
            part.field(),
            format!("already has the most steps allowed ({max})"),
        ));
    }
    let value = u8::try_from(len + 1).unwrap_or(u8::MAX);
    let step = ScaleLevel {
        value,
        name: format!("Level {value}"),
        description: String::new(),
    };
    match part {
        Part::Likelihood => {
            m.likelihood.levels.push(step);
            if let Some(last) = m.matrix.last().cloned() {
                m.matrix.push(last);
            }
        }
        Part::Impact => {
            m.impact.levels.push(step);
            for row in &mut m.matrix {
                if let Some(last) = row.last().copied() {
                    row.push(last);
                }
            }
        }
        Part::Levels => m.levels.push(RiskLevel {
            name: format!("Level {value}"),
            colour: "#6b1d1d".into(),
            description: String::new(),
        }),
    }
    Ok(m)
}

/// Remove the top step of a scale (its matrix row or column goes) or the highest risk
/// level (cells at it move down one level; the acceptance level stays below the top).
pub fn remove_step(m: &Method, part: Part) -> Result<Method, ValidationError> {
    let mut m = m.clone();
    let (len, min) = match part {
        Part::Likelihood => (m.likelihood.len(), MIN_SCALE_LEVELS),
        Part::Impact => (m.impact.len(), MIN_SCALE_LEVELS),
        Part::Levels => (m.levels.len(), MIN_RISK_LEVELS),
    };
    if len <= min {
        return Err(ValidationError::single(
            part.field(),
            format!("already has the fewest steps allowed ({min})"),
        ));
    }
    match part {
        Part::Likelihood => {
            m.likelihood.levels.pop();
            m.matrix.truncate(m.likelihood.len());
        }
        Part::Impact => {
            m.impact.levels.pop();
            for row in &mut m.matrix {
                row.truncate(m.impact.len());
            }
        }
        Part::Levels => {
            m.levels.pop();
            let top = m.highest_level();
            for cell in m.matrix.iter_mut().flatten() {
                *cell = (*cell).min(top);
            }
            m.acceptance_level = m.acceptance_level.min(top.saturating_sub(1));
        }
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::risk::{Preset, preset, validate};

    #[test]
    fn steps_come_and_go_and_the_method_stays_valid() {
        let base = preset(Preset::ThreeByThree);
        for part in [Part::Likelihood, Part::Impact, Part::Levels] {
            let grown = add_step(&base, part).unwrap();
            assert_eq!(validate(&grown), Ok(()), "{part:?} added");
            let back = remove_step(&grown, part).unwrap();
            assert_eq!(validate(&back), Ok(()), "{part:?} removed");
            assert_eq!(back.matrix, base.matrix);
        }
        let grown = add_step(&base, Part::Likelihood).unwrap();
        assert_eq!(grown.likelihood.len(), 4);
        assert_eq!(grown.matrix.len(), 4);
        assert_eq!(grown.matrix[3], grown.matrix[2]);
        let shrunk = remove_step(&preset(Preset::FiveByFive), Part::Levels).unwrap();
        assert_eq!(validate(&shrunk), Ok(()));
        assert!(
            shrunk
                .matrix
                .iter()
                .flatten()
                .all(|c| *c <= shrunk.highest_level())
        );
    }

    #[test]
    fn limits_are_refused_naming_the_part() {
        let base = preset(Preset::ThreeByThree);
        let e = remove_step(&base, Part::Impact).unwrap_err();
        assert_eq!(e.errors[0].field, "impact.levels");
        let mut big = base.clone();
        for _ in 0..7 {
            big = add_step(&big, Part::Likelihood).unwrap();
        }
        assert_eq!(big.likelihood.len(), 10);
        assert_eq!(validate(&big), Ok(()));
        let e = add_step(&big, Part::Likelihood).unwrap_err();
        assert_eq!(e.errors[0].field, "likelihood.levels");
        assert_eq!(
            Part::parse("part", "nope").unwrap_err().errors[0].field,
            "part"
        );
    }
}
