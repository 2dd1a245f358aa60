//! The language server's document model: random incremental edits, with
//! positions in UTF-8, UTF-16 or UTF-32, leave exactly the text a plain
//! `String` model has, and positions through the rope (`text::LineStarts`)
//! agree with `text::LineIndex`, and `text::Cursor` agrees with it.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use trueconf_lsp::lsp::text::{Change, Text};
use trueconf_lsp::text::{Cursor, Encoding, LineCol, LineIndex, LineStarts};

#[derive(Arbitrary, Debug)]
struct Edit {
    start: (u8, u8),
    end: (u8, u8),
    text: String,
}

#[derive(Arbitrary, Debug)]
struct Script {
    initial: String,
    encoding: u8,
    /// Each inner list is one `didChange` notification.
    notifications: Vec<Vec<Edit>>,
    probes: Vec<u16>,
}

fn pos(p: (u8, u8)) -> LineCol {
    LineCol {
        line: u32::from(p.0 % 16),
        col: u32::from(p.1),
    }
}

fuzz_target!(|script: Script| {
    let enc = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][script.encoding as usize % 3];
    let mut model = script.initial.clone();
    let mut doc = Text::new(&model);
    for edits in script.notifications.iter().take(16) {
        let changes: Vec<Change> = edits
            .iter()
            .take(8)
            .map(|e| Change {
                range: Some((pos(e.start), pos(e.end))),
                text: e.text.clone(),
            })
            .collect();
        // The reference: each change applied to a String through LineIndex.
        let mut next = model.clone();
        let mut rejected = false;
        for c in &changes {
            let (a, b) = c.range.expect("ranged");
            if (a.line, a.col) > (b.line, b.col) {
                rejected = true;
                break;
            }
            let index = LineIndex::new(&next);
            let start = index.offset(&next, a, enc);
            let end = index.offset(&next, b, enc).max(start);
            next.replace_range(start..end, &c.text);
        }
        let result = doc.apply(&changes, enc);
        assert_eq!(result.is_err(), rejected);
        if !rejected {
            model = next;
        }
        assert_eq!(doc.contents(), model);
    }
    let index = LineIndex::new(&model);
    assert_eq!(doc.line_count(), index.line_count());
    for &probe in script.probes.iter().take(32) {
        let offset = trueconf_lsp::text::floor_char_boundary(&model, probe as usize);
        let lc = index.line_col(&model, offset, enc);
        assert_eq!(doc.line_col(&model, offset, enc), lc);
        assert_eq!(doc.offset(doc.flat(), lc, enc), index.offset(&model, lc, enc));
    }
    // The forward cursor (the CLI's positions) agrees with the index for
    // any increasing offsets, inside characters and `\r\n` included.
    let mut probes: Vec<usize> = script.probes.iter().map(|&p| p as usize).collect();
    probes.sort_unstable();
    let mut cursor = Cursor::new(&model, enc);
    for offset in probes {
        let lc = cursor.line_col(offset);
        assert_eq!(lc, index.line_col(&model, offset.min(model.len()), enc));
        assert_eq!(cursor.line_span(), index.line_span(&model, lc.line as usize));
    }
});
