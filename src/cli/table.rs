//! Plain-text tables for the CLI: aligned columns, long cells cut with `…`.

use unicode_width::UnicodeWidthStr;

/// Cuts `text` to at most `max` columns, ending with `…` when cut.
pub fn truncate(text: &str, max: usize) -> String {
    crate::printable::fit(text, max).into_owned()
}

pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Table {
        Table { headers, rows: Vec::new() }
    }

    /// Adds a row; control characters in its cells are made visible.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells.into_iter().map(|c| crate::printable::printable(&c).into_owned()).collect());
    }

    pub fn render(&self) -> String {
        let cols = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate().take(cols) {
                widths[i] = widths[i].max(cell.width());
            }
        }
        let mut out = String::new();
        let mut line = |cells: Vec<&str>| {
            let mut l = String::new();
            for (i, cell) in cells.iter().enumerate() {
                l.push_str(cell);
                if i + 1 < cols {
                    l.push_str(&" ".repeat(widths[i] - cell.width() + 2));
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(self.headers.clone());
        for row in &self.rows {
            line(row.iter().map(String::as_str).collect());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned() {
        let mut t = Table::new(vec!["NAME", "STATE"]);
        t.row(vec!["a-long-name".into(), "ENABLED".into()]);
        t.row(vec!["b".into(), "PENDING_DELETE".into()]);
        assert_eq!(t.render(), "NAME         STATE\na-long-name  ENABLED\nb            PENDING_DELETE\n");
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("测试测试", 5), "测试…");
    }
}
