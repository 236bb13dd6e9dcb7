//! The example at the top of the crate's documentation, compiled and run here (the
//! crate's doctests are off: see its Cargo.toml).

#[test]
fn crate_example() {
    unitls_boring::register();
    assert!(unitls_core::implementation_available("boring"));
}
