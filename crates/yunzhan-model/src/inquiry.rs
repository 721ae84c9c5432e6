//! Inquiries (洽谈合作): what a visitor sends to a project's service agent.

use serde::{Deserialize, Serialize};

use crate::project::CooperationMode;
use crate::validate::{Checker, FieldError, Problem};

pub mod limits {
    pub const NAME: usize = 40;
    pub const ORGANISATION: usize = 80;
    pub const PHONE: usize = 24;
    pub const EMAIL: usize = 254;
    pub const MESSAGE: usize = 2000;
}

/// An inquiry as a visitor fills it in. Contact details are personal data:
/// they are sent to the service agent and never logged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inquiry {
    pub platform_no: String,
    pub name: String,
    #[serde(default)]
    pub organisation: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    pub intent: Option<CooperationMode>,
    pub message: String,
}

impl Inquiry {
    /// Every problem of the form, one per field, for showing beside the fields.
    pub fn validate(&self) -> Vec<FieldError> {
        use limits::*;
        let mut check = Checker::default();
        check.platform_no("platform_no", &self.platform_no);
        check.text("name", &self.name, NAME, false);
        check.optional_text("organisation", &self.organisation, ORGANISATION, false);
        check.optional_text("phone", &self.phone, PHONE, false);
        check.optional_text("email", &self.email, EMAIL, false);
        if check
            .errors
            .iter()
            .all(|e| e.field != "phone" && e.field != "email")
        {
            check.contact("", Some(&self.phone), Some(&self.email));
        }
        if self.intent.is_none() {
            check.errors.push(FieldError::new("intent", Problem::Empty));
        }
        check.text("message", &self.message, MESSAGE, true);
        check.errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> Inquiry {
        Inquiry {
            platform_no: "YZ-2023-00001".into(),
            name: "王小明".into(),
            organisation: "".into(),
            phone: "".into(),
            email: "wang@example.org".into(),
            intent: Some(CooperationMode::JointDevelopment),
            message: "希望了解合作方式。".into(),
        }
    }

    #[test]
    fn a_complete_inquiry_is_valid() {
        assert_eq!(valid().validate(), vec![]);
    }

    #[test]
    fn each_field_problem_is_named() {
        let inquiry = Inquiry {
            name: " ".into(),
            email: "not-an-address".into(),
            intent: None,
            message: "".into(),
            ..valid()
        };
        let fields: Vec<String> = inquiry.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email", "intent", "message"]);
        let no_contact = Inquiry {
            email: "".into(),
            ..valid()
        };
        assert_eq!(no_contact.validate()[0].problem, Problem::NoContact);
        assert_eq!(no_contact.validate()[0].field, "contact");
    }
}
