//! The lexer: any text tokenizes, the tokens cover it exactly.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    kqlint_fuzz::check_lex(&src);
});
