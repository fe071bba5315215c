//! Our own internal-audit questions: one or two short questions per requirement clause
//! (4.1 … 10.2), written in plain English for the person running the audit. For Annex A
//! controls the questions are drawn from the catalogue's own guidance (what the control is
//! for and what to ask to see), so every control has a question without copying ISO text.

use crate::catalogue::catalogue;

/// Questions for each requirement clause (ids as in the catalogue).
const CLAUSE_QUESTIONS: &[(&str, &[&str])] = &[
    (
        "4.1",
        &[
            "Which internal and external issues has the organisation recorded, and when were they last reviewed?",
            "Is there a recorded decision on whether climate change is a relevant issue?",
        ],
    ),
    (
        "4.2",
        &[
            "Who are the interested parties and what do they require from information security?",
            "Which of those requirements does the ISMS address, and how is that decided?",
        ],
    ),
    (
        "4.3",
        &[
            "Is the scope written down and approved, with exclusions justified?",
            "Does the scope match what is actually operated, including interfaces with suppliers?",
        ],
    ),
    (
        "4.4",
        &["How are the ISMS processes and their interactions established, kept up and improved?"],
    ),
    (
        "5.1",
        &[
            "How does top management show it leads the ISMS (resources, reviews, communication)?",
            "Ask a senior manager how the security objectives relate to the business strategy.",
        ],
    ),
    (
        "5.2",
        &[
            "Is the information security policy approved, communicated and available to staff?",
            "Does it include objectives (or a framework for them) and the commitments to meet requirements and improve?",
        ],
    ),
    (
        "5.3",
        &[
            "Are security roles assigned and communicated, including who reports ISMS performance to top management?",
        ],
    ),
    (
        "6.1.1",
        &["How were risks and opportunities for the ISMS itself identified and planned for?"],
    ),
    (
        "6.1.2",
        &[
            "Is the risk assessment process defined with acceptance criteria, and does it give consistent results?",
            "Does every risk have an owner, and can you trace a sample risk from identification to level?",
        ],
    ),
    (
        "6.1.3",
        &[
            "Does every risk needing treatment have treatment options and controls chosen?",
            "Is the Statement of Applicability current and approved, with justifications for inclusions and exclusions?",
            "Have risk owners approved the treatment plan and accepted the residual risks?",
        ],
    ),
    (
        "6.2",
        &[
            "Are security objectives measurable, owned, monitored and with a plan and date to achieve them?",
        ],
    ),
    (
        "6.3",
        &[
            "When the ISMS was last changed, was the change planned and its consequences considered?",
        ],
    ),
    (
        "7.1",
        &[
            "Are the people, budget and tools needed for the ISMS provided? Ask where a gap was raised and how it was handled.",
        ],
    ),
    (
        "7.2",
        &[
            "Are the competences needed for security roles defined, and is there evidence people have them?",
            "Check a sample of training or qualification records against the role requirements.",
        ],
    ),
    (
        "7.3",
        &[
            "Do staff know the policy, how they contribute, and what happens when they do not follow it? Ask two or three people.",
        ],
    ),
    (
        "7.4",
        &["Is it decided what is communicated about security, when, to whom and by whom?"],
    ),
    (
        "7.5.1",
        &[
            "Does the ISMS hold the documented information the standard and the organisation itself require?",
        ],
    ),
    (
        "7.5.2",
        &["Do documents carry an owner, version, date and approval? Check a sample."],
    ),
    (
        "7.5.3",
        &[
            "How are documents distributed, protected, kept and retired? Can staff find the current version?",
        ],
    ),
    (
        "8.1",
        &[
            "How are ISMS processes planned and controlled, including outsourced processes?",
            "Are changes to operations controlled and unintended changes reviewed?",
        ],
    ),
    (
        "8.2",
        &[
            "Were risk assessments performed at the planned intervals and after significant changes? Are the results kept?",
        ],
    ),
    (
        "8.3",
        &["Is the risk treatment plan being carried out, and are the results recorded?"],
    ),
    (
        "9.1",
        &[
            "What is monitored and measured, how, when and by whom, and who analyses the results?",
            "Check a sample of measurement results against the method defined for them.",
        ],
    ),
    (
        "9.2.1",
        &[
            "Are internal audits carried out at planned intervals against the standard and the organisation's own requirements?",
        ],
    ),
    (
        "9.2.2",
        &[
            "Does the audit programme cover all clauses and applicable controls over the cycle, with auditors independent of what they audit?",
            "Are audit results reported to management and kept?",
        ],
    ),
    (
        "9.3.1",
        &["Does top management review the ISMS at planned intervals? When was the last review?"],
    ),
    (
        "9.3.2",
        &[
            "Did the last management review consider every required input (actions, changes, performance, feedback, risks, improvement)?",
        ],
    ),
    (
        "9.3.3",
        &["Are the decisions and actions of the management review recorded and followed up?"],
    ),
    (
        "10.1",
        &["How are improvement opportunities collected and acted on? Ask for a recent example."],
    ),
    (
        "10.2",
        &[
            "For a sample nonconformity: was it corrected, its cause analysed, corrective action taken and its effectiveness checked?",
        ],
    ),
];

/// The questions for a clause (requirement clauses only; others have none).
pub fn clause_questions(id: &str) -> Vec<String> {
    CLAUSE_QUESTIONS
        .iter()
        .find(|(c, _)| *c == id)
        .map(|(_, qs)| qs.iter().map(|q| (*q).to_owned()).collect())
        .unwrap_or_default()
}

/// The questions for an Annex A control (`5.15`), from our catalogue guidance.
pub fn control_questions(id: &str) -> Vec<String> {
    match catalogue().control(id) {
        None => Vec::new(),
        Some(c) => {
            let mut out = vec![format!(
                "How is \"{}\" done here, and who is responsible for it?",
                c.title
            )];
            if !c.auditor_asks.is_empty() {
                out.push(format!("Ask to see: {}.", c.auditor_asks.join("; ")));
            }
            out
        }
    }
}

/// The questions for an organisation's own control.
pub fn own_control_questions(code: &str, title: &str) -> Vec<String> {
    vec![
        format!("How is the own control {code} \"{title}\" operated, and who owns it?"),
        "Ask to see a recent record that shows it worked as described.".to_owned(),
    ]
}

/// Every clause that has questions (for the tests: all requirement clauses must).
#[cfg(test)]
pub(crate) fn clauses_with_questions() -> Vec<&'static str> {
    CLAUSE_QUESTIONS.iter().map(|(c, _)| *c).collect()
}
