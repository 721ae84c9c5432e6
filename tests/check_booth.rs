//! `yunzhan --check-booth DIR`: the report on stdout, exit 0 for the
//! sample booth and 1 for a folder with problems.

use std::process::Command;

#[test]
fn check_booth_prints_the_report_and_exits_non_zero_on_problems() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/booths/sample");
    let ok = Command::new(env!("CARGO_BIN_EXE_yunzhan"))
        .args(["--check-booth", sample])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{text}");
    assert!(
        text.contains("84 triangles") && text.contains("OK: no problems"),
        "{text}"
    );

    let empty = std::env::temp_dir().join(format!("yunzhan-no-booth-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_yunzhan"))
        .arg("--check-booth")
        .arg(&empty)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{text}");
    assert!(text.contains("booth.json: cannot read"), "{text}");
}
