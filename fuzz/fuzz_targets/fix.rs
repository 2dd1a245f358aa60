//! Fixing converges and is idempotent, and what it leaves has no fix left.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trueconf_lsp::rules::Config;
use trueconf_lsp::fix::Applicability;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((kind, text)) = common::kind_and_text(data) else { return };
    if text.len() > 4096 {
        return;
    }
    let config = Config::default();
    for min in [Applicability::Safe, Applicability::Unsafe] {
        let fixed = trueconf_lsp::fix_all(text, kind, &config, min);
        assert!(fixed.converged, "fixes did not converge");
        let again = trueconf_lsp::fix_all(&fixed.text, kind, &config, min);
        assert_eq!(again.applied, 0, "fixing twice changed something");
        assert_eq!(again.text, fixed.text);
    }
});
