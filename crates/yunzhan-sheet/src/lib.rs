//! Tables for people who work in spreadsheets: every table of the
//! organisers' dashboard and the agents' inquiry lists as CSV (UTF-8 with a
//! byte-order mark, so Excel reads Chinese correctly) and as `.xlsx`
//! workbooks, one sheet per table.

pub mod catalog;

use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    /// Nothing to show (e.g. a figure not counted).
    Empty,
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<usize> for Cell {
    fn from(count: usize) -> Cell {
        Cell::Number(count as f64)
    }
}

impl From<f64> for Cell {
    fn from(value: f64) -> Cell {
        Cell::Number(value)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(value: Option<T>) -> Cell {
        value.map_or(Cell::Empty, Into::into)
    }
}

impl Cell {
    /// The cell as CSV and a page show it (numbers to four decimals).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Number(value) => rounded(*value).to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A number as every export holds it: to four decimals (an amount in 亿元
/// to the 万元), the same in CSV and in a workbook.
fn rounded(value: f64) -> f64 {
    (value * 1e4).round() / 1e4
}

/// A table with a heading row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// A short ASCII name: the CSV's file name and the workbook's sheet
    /// name (at most 31 characters).
    pub name: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// The byte-order mark that makes Excel read a CSV file as UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

impl Table {
    /// The table as CSV: a byte-order mark, the headings, then the rows.
    pub fn to_csv(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(UTF8_BOM.to_vec());
        let lines = std::iter::once(self.headers.clone()).chain(
            self.rows
                .iter()
                .map(|row| row.iter().map(Cell::text).collect()),
        );
        for line in lines {
            writer
                .write_record(&line)
                .expect("writing to memory cannot fail");
        }
        writer.into_inner().expect("writing to memory cannot fail")
    }
}

/// The tables as one workbook, a sheet each, headings in bold and frozen.
pub fn workbook(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for table in tables {
        let sheet = workbook.add_worksheet();
        sheet.set_name(&table.name)?;
        for (column, heading) in table.headers.iter().enumerate() {
            sheet.write_string_with_format(0, column as u16, heading, &bold)?;
            sheet.set_column_width(column as u16, 14)?;
        }
        sheet.set_freeze_panes(1, 0)?;
        for (index, row) in table.rows.iter().enumerate() {
            let at = index as u32 + 1;
            for (column, cell) in row.iter().enumerate() {
                match cell {
                    Cell::Text(text) => sheet.write_string(at, column as u16, text)?,
                    Cell::Number(value) => {
                        sheet.write_number(at, column as u16, rounded(*value))?
                    }
                    Cell::Empty => sheet,
                };
            }
        }
    }
    workbook.save_to_buffer()
}
