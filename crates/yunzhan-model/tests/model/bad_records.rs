//! Each class of bad record is reported with its index, number and reason,
//! and skipped while the rest loads; bad files never panic the loader.

use proptest::prelude::*;
use yunzhan_model::catalog::CatalogError;
use yunzhan_model::validate::Problem;
use yunzhan_model::{Catalog, EMBEDDED_CATALOG};

fn good(no: &str) -> serde_json::Value {
    serde_json::json!({
        "platform_no": no,
        "title": "通江银耳种质资源保护与利用",
        "organisation": "巴中市通江银耳科学技术研究所",
        "hall": "bazhong",
        "industry": "modern_agriculture",
        "kind": "challenge",
        "featured": true,
        "summary": "银耳母种来源不清、种性退化。",
        "keywords": ["银耳"],
        "cooperation_modes": ["joint_development"],
        "agent": {"id": "KF-0001", "name": "科服保姆", "email": "kf@demo.example.org"},
        "generated": false
    })
}

fn catalog_of(records: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "format": "yunzhan-catalog",
        "version": 1,
        "catalog_version": "test",
        "projects": records,
    }))
    .unwrap()
}

/// Loads `good` records around one `bad` record and returns the single
/// rejection's field and problem.
fn reject(bad: serde_json::Value) -> (usize, Option<String>, String, Problem) {
    let bytes = catalog_of(vec![good("T-1"), bad, good("T-3")]);
    let report = Catalog::load(&bytes).expect("a catalog");
    assert_eq!(report.catalog.projects().len(), 2, "the good records load");
    assert_eq!(report.rejected.len(), 1, "{:?}", report.rejected);
    let rejected = &report.rejected[0];
    let error = &rejected.errors[0];
    (
        rejected.index,
        rejected.platform_no.clone(),
        error.field.clone(),
        error.problem.clone(),
    )
}

fn with(no: &str, field: &str, value: serde_json::Value) -> serde_json::Value {
    let mut record = good(no);
    record[field] = value;
    record
}

#[test]
fn wrong_type_names_the_field() {
    let (index, no, field, problem) = reject(with("T-2", "title", 123.into()));
    assert_eq!(
        (index, no.as_deref(), field.as_str()),
        (1, Some("T-2"), "title")
    );
    assert!(
        matches!(problem, Problem::Malformed { detail } if detail.contains("expected a string"))
    );
}

#[test]
fn unknown_hall() {
    let (_, _, field, problem) = reject(with("T-2", "hall", "atlantis".into()));
    assert_eq!(field, "hall");
    assert!(
        matches!(problem, Problem::Malformed { detail } if detail.contains("unknown hall \"atlantis\""))
    );
}

#[test]
fn unknown_industry_and_missing_field() {
    let (_, _, field, _) = reject(with("T-2", "industry", "alchemy".into()));
    assert_eq!(field, "industry");
    let mut missing = good("T-2");
    missing.as_object_mut().unwrap().remove("organisation");
    let (_, _, field, problem) = reject(missing);
    assert_eq!(field, "record");
    assert!(matches!(problem, Problem::Malformed { detail } if detail.contains("organisation")));
}

#[test]
fn duplicate_platform_number_names_the_first() {
    let (index, no, field, problem) = reject(good("T-1"));
    assert_eq!(
        (index, no.as_deref(), field.as_str()),
        (1, Some("T-1"), "platform_no")
    );
    assert_eq!(problem, Problem::Duplicate { first_index: 0 });
}

#[test]
fn empty_and_oversized_text() {
    assert_eq!(reject(with("T-2", "title", "  ".into())).3, Problem::Empty);
    let long = "长".repeat(2001);
    let (_, _, field, problem) = reject(with("T-2", "summary", long.into()));
    assert_eq!(
        (field.as_str(), problem),
        ("summary", Problem::TooLong { max_chars: 2000 })
    );
    let (_, _, field, _) = reject(with("T-2", "organisation", "a\u{0}b".into()));
    assert_eq!(field, "organisation");
    let too_many: Vec<String> = (0..13).map(|i| format!("k{i}")).collect();
    assert_eq!(
        reject(with("T-2", "keywords", too_many.into())).3,
        Problem::TooMany { max_items: 12 }
    );
}

#[test]
fn malformed_contact() {
    let bad_email = with(
        "T-2",
        "agent",
        serde_json::json!({"id": "KF-1", "name": "a", "email": "nobody"}),
    );
    assert_eq!(reject(bad_email).2, "agent.email");
    let bad_phone = with(
        "T-2",
        "agent",
        serde_json::json!({"id": "KF-1", "name": "a", "phone": "12"}),
    );
    assert_eq!(reject(bad_phone).2, "agent.phone");
    let none = with(
        "T-2",
        "agent",
        serde_json::json!({"id": "KF-1", "name": "a"}),
    );
    assert_eq!(reject(none).3, Problem::NoContact);
}

#[test]
fn a_record_that_is_not_an_object() {
    for bad in [
        serde_json::json!([1, 2]),
        serde_json::json!("text"),
        serde_json::Value::Null,
    ] {
        let (_, no, field, problem) = reject(bad);
        assert_eq!((no, field.as_str()), (None, "record"));
        assert_eq!(
            problem,
            Problem::Malformed {
                detail: "expected a JSON object".into()
            }
        );
    }
}

#[test]
fn bad_platform_number() {
    let (_, no, field, problem) = reject(with("T-2", "platform_no", "no spaces please".into()));
    assert_eq!(
        (no, field.as_str(), problem),
        (None, "platform_no", Problem::BadPlatformNo)
    );
}

#[test]
fn whole_file_errors_say_what_is_wrong() {
    assert!(matches!(
        Catalog::load(b"{not json"),
        Err(CatalogError::NotJson(_))
    ));
    assert!(matches!(
        Catalog::load(b"[1,2]"),
        Err(CatalogError::NotACatalog(_))
    ));
    let wrong_format = br#"{"format":"x","version":1,"catalog_version":"v","projects":[]}"#;
    assert!(matches!(
        Catalog::load(wrong_format),
        Err(CatalogError::NotACatalog(_))
    ));
    let future = br#"{"format":"yunzhan-catalog","version":2,"catalog_version":"v","projects":[]}"#;
    let error = Catalog::load(future).unwrap_err();
    assert_eq!(error, CatalogError::UnsupportedVersion(2));
    assert!(error.to_string().contains("version 2 is not supported"));
}

#[test]
fn the_report_line_names_record_number_field_and_reason() {
    let bytes = catalog_of(vec![good("T-1"), with("T-2", "hall", "atlantis".into())]);
    let report = Catalog::load(&bytes).unwrap();
    assert_eq!(
        report.rejected[0].to_string(),
        "record #1 (T-2): hall unknown hall \"atlantis\""
    );
}

/// A small valid catalog to mutate: the first records of the shipped one.
/// A byte edit of a file: where, the byte, and whether it replaces (0), is
/// inserted (1) or the byte there is removed (2).
pub(crate) type ByteEdit = (prop::sample::Index, u8, u8);

/// One to seven byte edits.
pub(crate) fn byte_edits() -> impl Strategy<Value = Vec<ByteEdit>> {
    prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8)
}

/// `bytes` with the edits made in turn.
pub(crate) fn edited(mut bytes: Vec<u8>, edits: Vec<ByteEdit>) -> Vec<u8> {
    for (position, byte, operation) in edits {
        let at = position.index(bytes.len());
        match operation {
            0 => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ => {
                bytes.remove(at);
            }
        }
    }
    bytes
}

fn seed() -> Vec<u8> {
    let text = std::str::from_utf8(EMBEDDED_CATALOG).unwrap();
    let head: Vec<&str> = text.lines().take(10).collect();
    let mut seed = head.join("\n");
    seed.pop(); // the trailing comma of the last kept record
    seed.push_str("\n  ]\n}\n");
    seed.into_bytes()
}

#[test]
fn the_mutation_seed_is_a_valid_catalog() {
    let report = Catalog::load(&seed()).unwrap();
    assert_eq!(report.catalog.projects().len(), 5);
    assert!(report.rejected.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = Catalog::load(&bytes);
    }

    #[test]
    fn mutated_catalogs_never_panic_and_keep_good_records(edits in byte_edits()) {
        let bytes = edited(seed(), edits);
        if let Ok(report) = Catalog::load(&bytes) {
            // Every record is either accepted or reported, never lost silently.
            let seen = report.catalog.projects().len() + report.rejected.len();
            prop_assert!(seen <= 5 + 8);
        }
    }

    #[test]
    fn arbitrary_json_records_are_rejected_not_panicked(
        records in prop::collection::vec(arbitrary_json(), 0..6)
    ) {
        let bytes = catalog_of(records.clone());
        let report = Catalog::load(&bytes).unwrap();
        prop_assert_eq!(report.catalog.projects().len() + report.rejected.len(), records.len());
    }
}

fn arbitrary_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-z_\\u{4e00}-\\u{4e20}]{0,12}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                prop_oneof![
                    Just("platform_no".to_string()),
                    Just("title".to_string()),
                    Just("hall".to_string()),
                    Just("agent".to_string()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..5
            )
            .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}
