//! The parser: plain text (seeded with the corpus queries) or queries from
//! the grammar-shaped generator (inputs starting with 0x01). Never panics,
//! stays within the stack (kql-syntax claims a 2 MB thread is enough: the
//! fuzzer's main thread has 8 MB), every span in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let src = kqlint_fuzz::kql_input(data);
    let parse = kql_syntax::parse(&src);
    kqlint_fuzz::check_parse(&src, &parse);
});
