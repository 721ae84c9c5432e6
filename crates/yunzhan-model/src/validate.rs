//! Field checks shared by catalog records and inquiries, with messages in
//! Chinese and English that name what is wrong.

use std::fmt;

use serde::Serialize;

/// Why a field was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    Empty,
    TooLong {
        max_chars: usize,
    },
    TooMany {
        max_items: usize,
    },
    ControlCharacter,
    /// A number that must be greater than zero (an amount).
    NotPositive,
    BadPhone,
    BadEmail,
    NoContact,
    BadPlatformNo,
    Duplicate {
        first_index: usize,
    },
    /// The JSON did not have the expected shape (wrong type, missing field,
    /// unknown enum value); the text is the parser's.
    Malformed {
        detail: String,
    },
}

impl Problem {
    pub fn message_en(&self) -> String {
        match self {
            Problem::Empty => "must not be empty".into(),
            Problem::TooLong { max_chars } => format!("is longer than {max_chars} characters"),
            Problem::TooMany { max_items } => format!("has more than {max_items} items"),
            Problem::ControlCharacter => "contains a control character".into(),
            Problem::NotPositive => "must be a number greater than zero".into(),
            Problem::BadPhone => {
                "is not a phone number (7 to 15 digits; spaces, dashes, brackets and a leading + allowed)"
                    .into()
            }
            Problem::BadEmail => "is not an e-mail address like name@example.org".into(),
            Problem::NoContact => "needs a phone number or an e-mail address".into(),
            Problem::BadPlatformNo => {
                "must be 1 to 32 letters, digits or dashes (e.g. YZ-2023-00001)".into()
            }
            Problem::Duplicate { first_index } => {
                format!("duplicates the platform number of record #{first_index}")
            }
            Problem::Malformed { detail } => detail.clone(),
        }
    }

    pub fn message_zh(&self) -> String {
        match self {
            Problem::Empty => "不能为空".into(),
            Problem::TooLong { max_chars } => format!("超过 {max_chars} 个字符"),
            Problem::TooMany { max_items } => format!("超过 {max_items} 项"),
            Problem::ControlCharacter => "含有控制字符".into(),
            Problem::NotPositive => "须为大于零的数".into(),
            Problem::BadPhone => "不是有效的电话号码（7–15 位数字）".into(),
            Problem::BadEmail => "不是有效的电子邮箱（如 name@example.org）".into(),
            Problem::NoContact => "请至少填写电话或电子邮箱".into(),
            Problem::BadPlatformNo => "编号须为 1–32 位字母、数字或连字符".into(),
            Problem::Duplicate { first_index } => format!("编号与第 {first_index} 条记录重复"),
            Problem::Malformed { detail } => format!("格式错误：{detail}"),
        }
    }
}

/// A refused field: which one (a dotted path such as `agent.email`) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    #[serde(flatten)]
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        FieldError {
            field: field.into(),
            problem,
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.field, self.problem.message_en())
    }
}

/// Collects the problems of one record or form.
#[derive(Debug, Default)]
pub struct Checker {
    pub errors: Vec<FieldError>,
}

impl Checker {
    /// Field names are `Display` so that an indexed one (`keywords[3]`) is
    /// only formatted when it has a problem: most records have none.
    fn push(&mut self, field: impl fmt::Display, problem: Problem) {
        self.errors
            .push(FieldError::new(field.to_string(), problem));
    }

    /// Required text: not blank, at most `max_chars`, no control characters
    /// (line breaks allowed only when `multiline`).
    pub fn text(
        &mut self,
        field: impl fmt::Display,
        value: &str,
        max_chars: usize,
        multiline: bool,
    ) {
        if value.trim().is_empty() {
            self.push(field, Problem::Empty);
        } else {
            self.optional_text(field, value, max_chars, multiline);
        }
    }

    /// Text that may be empty but is otherwise checked like [`Checker::text`].
    pub fn optional_text(
        &mut self,
        field: impl fmt::Display,
        value: &str,
        max_chars: usize,
        multiline: bool,
    ) {
        if value.chars().count() > max_chars {
            self.push(field, Problem::TooLong { max_chars });
        } else if has_control_character(value, multiline) {
            self.push(field, Problem::ControlCharacter);
        }
    }

    pub fn count(&mut self, field: impl fmt::Display, len: usize, max_items: usize) {
        if len > max_items {
            self.push(field, Problem::TooMany { max_items });
        }
    }

    /// A contact: at least one of phone and e-mail, each well-formed. Fields
    /// are named `phone`/`email` under `prefix` (`agent.phone`), or `contact`
    /// when both are missing.
    pub fn contact(&mut self, prefix: &str, phone: Option<&str>, email: Option<&str>) {
        let name = |field: &str| match prefix {
            "" => field.to_string(),
            _ => format!("{prefix}.{field}"),
        };
        let phone = phone.filter(|p| !p.trim().is_empty());
        let email = email.filter(|e| !e.trim().is_empty());
        if phone.is_none() && email.is_none() {
            self.push(name("contact"), Problem::NoContact);
        }
        if let Some(phone) = phone
            && !is_phone(phone)
        {
            self.push(name("phone"), Problem::BadPhone);
        }
        if let Some(email) = email
            && !is_email(email)
        {
            self.push(name("email"), Problem::BadEmail);
        }
    }

    pub fn platform_no(&mut self, field: &str, value: &str) {
        if !is_platform_no(value) {
            self.push(field, Problem::BadPlatformNo);
        }
    }
}

/// Whether `value` holds a control character (`char::is_control`: U+0000 to
/// U+001F and U+007F to U+009F), line breaks and tabs allowed when
/// `multiline`. Read by bytes, not chars: it runs on every text field of
/// every catalog record, and decoding chars made it the slowest check.
fn has_control_character(value: &str, multiline: bool) -> bool {
    let bytes = value.as_bytes();
    // A first pass without branches finds the bytes worth a closer look;
    // most texts have none.
    let suspect = bytes.iter().fold(false, |seen, &byte| {
        seen | (byte < 0x20) | (byte == 0x7f) | (byte == 0xc2)
    });
    suspect
        && bytes.iter().enumerate().any(|(at, &byte)| match byte {
            b'\n' | b'\r' | b'\t' => !multiline,
            0x00..=0x1f | 0x7f => true,
            // U+0080 to U+009F are encoded as 0xC2 0x80 to 0xC2 0x9F.
            0xc2 => matches!(bytes.get(at + 1), Some(0x80..=0x9f)),
            _ => false,
        })
}

pub fn is_platform_no(value: &str) -> bool {
    (1..=32).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// 7 to 15 digits, with spaces, dashes and brackets between them and an
/// optional leading `+`.
pub fn is_phone(value: &str) -> bool {
    let value = value.trim();
    let body = value.strip_prefix('+').unwrap_or(value);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    (7..=15).contains(&digits)
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'(' | b')'))
}

/// A pragmatic address check: `local@domain.tld`, no spaces, sane lengths.
pub fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.len())
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~.".contains(&b));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = value.len() <= 254
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2);
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The byte-wise check says what `char::is_control` says, for any text.
        #[test]
        fn control_characters_by_bytes_match_by_chars(value in any::<String>(), multiline: bool) {
            let by_chars = value
                .chars()
                .any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')));
            prop_assert_eq!(has_control_character(&value, multiline), by_chars);
        }
    }

    #[test]
    fn control_characters_at_the_edges_of_their_ranges() {
        for c in ['\u{0}', '\u{1f}', '\u{7f}', '\u{80}', '\u{9f}'] {
            assert!(has_control_character(&format!("a{c}b"), true), "{:?}", c);
        }
        for text in ["\u{a0}", "\u{20}", "é", "ł", "中文", "line\nline\ttab\r"] {
            assert!(!has_control_character(text, true), "{text:?}");
        }
        assert!(has_control_character("line\nline", false));
    }

    #[test]
    fn phones() {
        for good in [
            "028-85551234",
            "+86 138 0000 0000",
            "(028) 8555 1234",
            "4001234567",
        ] {
            assert!(is_phone(good), "{good}");
        }
        for bad in ["", "123", "phone", "+86 138 0000 0000 0000 00", "028--x555"] {
            assert!(!is_phone(bad), "{bad}");
        }
    }

    #[test]
    fn emails() {
        for good in ["a@b.cn", "kf.agent+1@demo.example.org"] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "", "a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@-b.cn", "a@b.c", "张@b.cn",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn text_rules() {
        let mut checker = Checker::default();
        checker.text("title", "  ", 10, false);
        checker.text("title", "一二三四五六七八九十十", 10, false);
        checker.text("title", "a\u{7}b", 10, false);
        checker.text("summary", "line\nline", 20, true);
        let problems: Vec<_> = checker.errors.iter().map(|e| e.problem.clone()).collect();
        assert_eq!(
            problems,
            vec![
                Problem::Empty,
                Problem::TooLong { max_chars: 10 },
                Problem::ControlCharacter
            ]
        );
    }
}
