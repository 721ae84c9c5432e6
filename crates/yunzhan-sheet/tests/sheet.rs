//! The organisers' spreadsheet: the shipped catalog survives JSON → xlsx →
//! JSON (and CSV) unchanged, and broken rows are named by row, column and
//! reason while the good rows are kept.

use yunzhan_model::{Catalog, EMBEDDED_CATALOG};
use yunzhan_sheet::catalog::{catalog_table, load_file, read_sheet};
use yunzhan_sheet::{Cell, workbook};

fn shipped() -> Catalog {
    Catalog::load(EMBEDDED_CATALOG).unwrap().catalog
}

#[test]
fn the_shipped_catalog_round_trips_through_xlsx_and_csv() {
    let catalog = shipped();
    let table = catalog_table(&catalog);
    let xlsx = workbook(std::slice::from_ref(&table)).unwrap();
    let mut calls = 0;
    let back = read_sheet(
        "catalog.xlsx",
        &xlsx,
        catalog.catalog_version(),
        &mut |_, _| calls += 1,
    )
    .unwrap();
    assert!(
        back.rejected.is_empty(),
        "{:?}",
        &back.rejected[..back.rejected.len().min(3)]
    );
    assert_eq!(
        back.catalog.to_json(),
        catalog.to_json(),
        "JSON → xlsx → JSON is the same file"
    );
    assert_eq!(
        calls,
        catalog.projects().len(),
        "progress is told once per row"
    );

    let csv = read_sheet(
        "catalog.csv",
        &table.to_csv(),
        catalog.catalog_version(),
        &mut |_, _| {},
    )
    .unwrap();
    assert_eq!(csv.catalog.to_json(), catalog.to_json(), "and through CSV");
}

/// The first shipped projects as a CSV sheet, with some cells replaced.
fn sheet_with(changes: &[(usize, &str, &str)]) -> Vec<u8> {
    let mut table = catalog_table(&shipped());
    table.rows.truncate(5);
    for (row, heading, text) in changes {
        let column = table.headers.iter().position(|h| h == heading).unwrap();
        table.rows[*row][column] = Cell::from(*text);
    }
    table.to_csv()
}

#[test]
fn broken_rows_are_named_by_row_column_and_reason_and_good_rows_are_kept() {
    let csv = sheet_with(&[
        (1, "展馆", "亚特兰蒂斯"),
        (2, "专员邮箱", "not-an-email"),
        (2, "专员电话", ""),
        (3, "编号", "YZ-2023-00001"),
        (4, "合作方式", "合作开发、摸鱼"),
    ]);
    let loaded = load_file("organisers.csv", &csv, None, &mut |_, _| {}).unwrap();
    let lines: Vec<String> = loaded.rejected.iter().map(ToString::to_string).collect();
    assert_eq!(loaded.catalog.projects().len(), 1, "{lines:#?}");
    assert_eq!(
        loaded.catalog.catalog_version(),
        "organisers",
        "named after the file"
    );
    assert_eq!(lines.len(), 4, "{lines:#?}");
    // Row numbers as the spreadsheet shows them: the headings are row 1.
    assert!(
        lines[0].starts_with("row 3 (YZ-2023-00002): column 展馆 (hall)"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("亚特兰蒂斯"), "{}", lines[0]);
    assert!(
        lines[1].starts_with("row 4 ") && lines[1].contains("column 专员邮箱 (agent.email)"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("row 5 (YZ-2023-00001)")
            && lines[2].contains("duplicates the number of row 2"),
        "{}",
        lines[2]
    );
    assert!(
        lines[3].starts_with("row 6 ")
            && lines[3].contains("column 合作方式 (cooperation_modes), item 2"),
        "{}",
        lines[3]
    );
    assert!(lines[3].contains("摸鱼"), "{}", lines[3]);
}

#[test]
fn a_sheet_without_the_required_columns_is_refused_whole() {
    let error = load_file(
        "list.csv",
        "名称,单位\n甲,乙\n".as_bytes(),
        None,
        &mut |_, _| {},
    )
    .unwrap_err();
    assert!(
        error.contains("编号") && error.contains("展馆") && error.contains("catalog-template"),
        "{error}"
    );
    let error = load_file("broken.xlsx", b"not a zip", None, &mut |_, _| {}).unwrap_err();
    assert!(error.contains("cannot read the sheet"), "{error}");
}
