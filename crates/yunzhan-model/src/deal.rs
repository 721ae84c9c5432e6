//! The deal pipeline of an inquiry (对接洽谈): 新询价 → 已对接 → 洽谈中 →
//! 合作意向 (an amount in 万元 and the parties) → 已签约 → 已落地, or 已关闭
//! with a reason. An agent may correct a stage in any direction; each change
//! is a new [`StageChange`] appended to the inquiry's history, which is
//! never rewritten.

use serde::{Deserialize, Serialize};

use crate::validate::{Checker, FieldError, Problem};

/// Where a deal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    New,
    Contacted,
    Negotiating,
    Intention,
    Signed,
    Delivered,
    Closed,
}

impl Stage {
    /// Every stage, in pipeline order (closed last).
    pub const ALL: [Stage; 7] = [
        Stage::New,
        Stage::Contacted,
        Stage::Negotiating,
        Stage::Intention,
        Stage::Signed,
        Stage::Delivered,
        Stage::Closed,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            Stage::New => "新询价",
            Stage::Contacted => "已对接",
            Stage::Negotiating => "洽谈中",
            Stage::Intention => "合作意向",
            Stage::Signed => "已签约",
            Stage::Delivered => "已落地",
            Stage::Closed => "已关闭",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Stage::New => "new",
            Stage::Contacted => "contacted",
            Stage::Negotiating => "negotiating",
            Stage::Intention => "intention",
            Stage::Signed => "signed",
            Stage::Delivered => "delivered",
            Stage::Closed => "closed",
        }
    }

    /// Stages that carry a cooperation's amount and parties.
    pub fn has_terms(self) -> bool {
        matches!(self, Stage::Intention | Stage::Signed | Stage::Delivered)
    }
}

/// Why a deal was closed without cooperation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    TooEarlyStage,
    BenefitUnclear,
    CommercialRouteUnclear,
    NoResponse,
    Other,
}

impl CloseReason {
    pub const ALL: [CloseReason; 5] = [
        CloseReason::TooEarlyStage,
        CloseReason::BenefitUnclear,
        CloseReason::CommercialRouteUnclear,
        CloseReason::NoResponse,
        CloseReason::Other,
    ];

    pub fn name_zh(self) -> &'static str {
        match self {
            CloseReason::TooEarlyStage => "项目阶段过早",
            CloseReason::BenefitUnclear => "效益不明确",
            CloseReason::CommercialRouteUnclear => "商业化路径不清晰",
            CloseReason::NoResponse => "对方无回应",
            CloseReason::Other => "其他",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            CloseReason::TooEarlyStage => "too early a stage",
            CloseReason::BenefitUnclear => "benefit unclear",
            CloseReason::CommercialRouteUnclear => "commercial route unclear",
            CloseReason::NoResponse => "no response",
            CloseReason::Other => "other",
        }
    }
}

/// The longest note an agent may add to a stage change.
pub const NOTE_CHARS: usize = 500;
/// The most parties a cooperation names, and the longest name of one.
pub const PARTIES: usize = 10;
pub const PARTY_CHARS: usize = 80;

/// One change of stage as an agent asks for it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StageChange {
    pub to: Option<Stage>,
    /// The cooperation's amount in 万元 (intention, signed, delivered).
    #[serde(default)]
    pub amount_wan: Option<f64>,
    /// The cooperating parties (intention, signed, delivered).
    #[serde(default)]
    pub parties: Vec<String>,
    /// Why it was closed (closed only).
    #[serde(default)]
    pub reason: Option<CloseReason>,
    #[serde(default)]
    pub note: String,
}

impl StageChange {
    /// Every problem of the change, one per field: a stage is required; a
    /// stage with terms needs a positive amount and at least one party; a
    /// closed deal needs a reason, and "other" needs a note saying which.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut check = Checker::default();
        let Some(to) = self.to else {
            check.errors.push(FieldError::new("to", Problem::Empty));
            return check.errors;
        };
        if to.has_terms() {
            match self.amount_wan {
                None => check
                    .errors
                    .push(FieldError::new("amount_wan", Problem::Empty)),
                Some(amount) if !(amount.is_finite() && amount > 0.0) => check
                    .errors
                    .push(FieldError::new("amount_wan", Problem::NotPositive)),
                Some(_) => {}
            }
            if self.parties.iter().all(|party| party.trim().is_empty()) {
                check
                    .errors
                    .push(FieldError::new("parties", Problem::Empty));
            }
            check.count("parties", self.parties.len(), PARTIES);
            for (index, party) in self.parties.iter().enumerate() {
                check.optional_text(format_args!("parties.{index}"), party, PARTY_CHARS, false);
            }
        }
        if to == Stage::Closed {
            match self.reason {
                None => check.errors.push(FieldError::new("reason", Problem::Empty)),
                Some(CloseReason::Other) if self.note.trim().is_empty() => {
                    check.errors.push(FieldError::new("note", Problem::Empty));
                }
                Some(_) => {}
            }
        }
        check.optional_text("note", &self.note, NOTE_CHARS, true);
        check.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(change: &StageChange) -> Vec<String> {
        change
            .validate()
            .into_iter()
            .map(|error| error.field)
            .collect()
    }

    #[test]
    fn an_intention_needs_an_amount_and_its_parties() {
        let mut change = StageChange {
            to: Some(Stage::Intention),
            ..StageChange::default()
        };
        assert_eq!(fields(&change), ["amount_wan", "parties"]);
        change.amount_wan = Some(-5.0);
        change.parties = vec!["  ".into()];
        assert_eq!(fields(&change), ["amount_wan", "parties"]);
        assert_eq!(change.validate()[0].problem, Problem::NotPositive);
        change.amount_wan = Some(f64::NAN);
        assert_eq!(change.validate()[0].problem, Problem::NotPositive);
        change.amount_wan = Some(1200.0);
        change.parties = vec!["成都某科技有限公司".into(), "四川大学".into()];
        assert_eq!(fields(&change), Vec::<String>::new());
    }

    #[test]
    fn closing_needs_a_reason_and_other_needs_a_note() {
        let mut change = StageChange {
            to: Some(Stage::Closed),
            ..StageChange::default()
        };
        assert_eq!(fields(&change), ["reason"]);
        change.reason = Some(CloseReason::Other);
        assert_eq!(fields(&change), ["note"]);
        change.note = "企业转向其他技术路线".into();
        assert_eq!(fields(&change), Vec::<String>::new());
        change.reason = Some(CloseReason::NoResponse);
        change.note.clear();
        assert_eq!(fields(&change), Vec::<String>::new());
    }

    #[test]
    fn any_stage_may_be_set_again_as_a_correction_and_bad_text_is_named() {
        for stage in Stage::ALL {
            let change = StageChange {
                to: Some(stage),
                amount_wan: Some(10.0),
                parties: vec!["甲方".into()],
                reason: Some(CloseReason::TooEarlyStage),
                note: "更正".into(),
            };
            assert_eq!(fields(&change), Vec::<String>::new(), "{stage:?}");
        }
        assert_eq!(fields(&StageChange::default()), ["to"]);
        let noisy = StageChange {
            to: Some(Stage::Signed),
            amount_wan: Some(10.0),
            parties: vec!["甲\u{7}方".into(); PARTIES + 1],
            note: "长".repeat(NOTE_CHARS + 1),
            ..StageChange::default()
        };
        let named = fields(&noisy);
        assert!(named.contains(&"parties".to_string()), "{named:?}");
        assert!(named.contains(&"parties.0".to_string()), "{named:?}");
        assert!(named.contains(&"note".to_string()), "{named:?}");
    }

    #[test]
    fn wire_names_are_snake_case_and_every_name_is_translated() {
        let json = serde_json::to_string(&Stage::Negotiating).unwrap();
        assert_eq!(json, "\"negotiating\"");
        let reason: CloseReason = serde_json::from_str("\"commercial_route_unclear\"").unwrap();
        assert_eq!(reason, CloseReason::CommercialRouteUnclear);
        for stage in Stage::ALL {
            assert!(!stage.name_zh().is_empty() && !stage.name_en().is_empty());
        }
        for reason in CloseReason::ALL {
            assert!(!reason.name_zh().is_empty() && !reason.name_en().is_empty());
        }
    }
}
