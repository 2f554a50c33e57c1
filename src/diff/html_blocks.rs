//! The blocks a reader sees in raw HTML: each table row a row block with
//! its cells (as Markdown table rows are), other text a paragraph or list
//! item per block-level element. Read through the sanitizer, so the
//! redline compares exactly the text the page shows (script and style
//! content is no text). As in Markdown blocks, link targets are kept beside
//! the text and struck-through text (`<del>`, `<s>`, `<strike>`) stands
//! between `~~`: both are meaning.

use super::{Block, BlockKind, values};
use crate::text::sanitize::{self, Report, Visitor};

/// The blocks of raw HTML, as the sanitizer leaves it.
pub(super) fn extract(html: &str) -> Vec<Block> {
    let mut state = State::default();
    sanitize::filter(html, 1, &mut Report::default(), &mut state);
    state.end_table();
    state.flush();
    state.blocks
}

#[derive(Default)]
struct State {
    blocks: Vec<Block>,
    /// Text outside tables since the last block boundary.
    text: String,
    /// The row being read: its cells, and whether all are header cells.
    row: Option<(Vec<String>, bool)>,
    cell: Option<String>,
    /// How many list items are open around the text.
    items: usize,
    /// How many `<thead>` are open.
    head: usize,
    /// Where the links of the block being read go.
    links: Vec<String>,
}

impl State {
    fn flush(&mut self) {
        let text = collapse(&self.text);
        self.text.clear();
        if text.is_empty() {
            return;
        }
        let kind = if self.items > 0 {
            BlockKind::ListItem {
                ordered: false,
                depth: u8::try_from(self.items - 1).unwrap_or(u8::MAX),
            }
        } else {
            BlockKind::Paragraph
        };
        let links = std::mem::take(&mut self.links);
        self.blocks.push(Block {
            kind,
            text,
            cells: Vec::new(),
            links,
            anchor: None,
        });
    }

    /// A block-level boundary: a space inside a cell, a new block outside.
    fn boundary(&mut self) {
        match &mut self.cell {
            Some(cell) => cell.push(' '),
            None => self.flush(),
        }
    }

    /// Ends the open cell and row, as a browser does where their end tags
    /// are left out (`<tr><td>a<td>b</table>`), so no text is lost.
    fn end_table(&mut self) {
        self.end("td");
        self.end("tr");
    }

    fn start(&mut self, name: &str) {
        match name {
            "tr" => {
                self.end_table();
                self.flush();
                self.row = Some((Vec::new(), true));
            }
            "td" | "th" => {
                // A cell ends the one before it; a cell outside a row
                // (the rest of a table split by blank lines) opens one.
                self.end("td");
                if self.row.is_none() {
                    self.flush();
                    self.row = Some((Vec::new(), true));
                }
                if let Some((_, all_header)) = &mut self.row {
                    *all_header &= name == "th" || self.head > 0;
                }
                self.cell = Some(String::new());
            }
            "thead" => self.head += 1,
            "li" => {
                self.boundary();
                self.items += 1;
            }
            _ if is_block(name) => self.boundary(),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "td" | "th" => {
                if let (Some(cell), Some((cells, _))) = (self.cell.take(), &mut self.row) {
                    cells.push(collapse(&cell));
                }
            }
            "tr" => {
                if let Some((cells, header)) = self.row.take() {
                    let links = std::mem::take(&mut self.links);
                    self.blocks.push(Block {
                        kind: BlockKind::TableRow {
                            header: header && !cells.is_empty(),
                        },
                        text: cells.join(" | "),
                        cells,
                        links,
                        anchor: None,
                    });
                }
            }
            "thead" => {
                self.end_table();
                self.head = self.head.saturating_sub(1);
            }
            "table" | "tbody" | "tfoot" => self.end_table(),
            "li" => {
                self.boundary();
                self.items = self.items.saturating_sub(1);
            }
            _ if is_block(name) => self.boundary(),
            _ => {}
        }
    }

    fn characters(&mut self, text: &str) {
        match &mut self.cell {
            Some(cell) => cell.push_str(text),
            None => self.text.push_str(text),
        }
    }
}

/// Elements that start a new line of text.
fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "br"
            | "hr"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "caption"
            | "details"
            | "summary"
            | "section"
    )
}

impl Visitor for State {
    fn start(&mut self, name: &str, attributes: &[(&str, &str)]) {
        if name == "a" {
            let href = attributes.iter().find(|(key, _)| *key == "href");
            self.links
                .extend(href.and_then(|(_, url)| values::link_target(url)));
        }
        State::start(self, name);
        if is_deletion(name) {
            self.characters("~~");
        }
    }

    fn end(&mut self, name: &str) {
        if is_deletion(name) {
            self.characters("~~");
        }
        State::end(self, name);
    }

    fn text(&mut self, text: &str) {
        self.characters(text);
    }
}

/// Struck-through text: meaning, not formatting.
fn is_deletion(name: &str) -> bool {
    matches!(name, "del" | "s" | "strike")
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(html: &str) -> Vec<(BlockKind, String, Vec<String>)> {
        extract(html)
            .into_iter()
            .map(|b| (b.kind, b.text, b.cells))
            .collect()
    }

    #[test]
    fn cells_and_rows_without_end_tags_keep_their_text() {
        let cells = |html: &str| -> Vec<Vec<String>> {
            extract(html).into_iter().map(|b| b.cells).collect()
        };
        assert_eq!(
            cells("<table><tr><td>We sell your data<td>Consent</table>"),
            [vec!["We sell your data".to_string(), "Consent".to_string()]]
        );
        assert_eq!(
            cells("<table><tr><td>a<tr><td>b</table>"),
            [vec!["a".to_string()], vec!["b".to_string()]]
        );
        // The end of a table split by blank lines: its cells still count.
        assert_eq!(
            cells("</td><td>Consent</td></tr>"),
            [vec!["Consent".to_string()]]
        );
    }

    #[test]
    fn links_and_struck_text_in_cells_are_meaning() {
        let html = "<table><tr><td>See <a href=\"https://example.com/terms?utm_source=x\">terms</a></td><td><s>sell</s> share</td></tr></table>";
        let blocks = extract(html);
        assert_eq!(blocks.len(), 1);
        let terms = values::link_target("https://example.com/terms").unwrap();
        assert_eq!(blocks[0].links, [terms]);
        assert_eq!(blocks[0].cells[1], "~~sell~~ share");
    }

    #[test]
    fn table_rows_are_blocks_with_their_cells() {
        let html = "<p>Before</p>\n<table>\n<thead><tr><th>Data</th><th>Basis</th></tr></thead>\n<tr><td><p>Email</p><ul><li>to log in</li><li>to notify</li></ul></td><td>Contract &amp; law</td></tr>\n</table>";
        let header = BlockKind::TableRow { header: true };
        let row = BlockKind::TableRow { header: false };
        assert_eq!(
            rows(html),
            [
                (BlockKind::Paragraph, "Before".into(), vec![]),
                (
                    header,
                    "Data | Basis".into(),
                    vec!["Data".into(), "Basis".into()]
                ),
                (
                    row,
                    "Email to log in to notify | Contract & law".into(),
                    vec!["Email to log in to notify".into(), "Contract & law".into()]
                ),
            ]
        );
    }

    #[test]
    fn text_outside_tables_is_paragraphs_and_items_without_removed_parts() {
        let html = "<div>One <b>two</b><script>alert('x')</script></div><ul><li>three</li></ul><style>p{}</style>";
        assert_eq!(
            rows(html),
            [
                (BlockKind::Paragraph, "One two".into(), vec![]),
                (
                    BlockKind::ListItem {
                        ordered: false,
                        depth: 0
                    },
                    "three".into(),
                    vec![]
                ),
            ]
        );
    }
}
