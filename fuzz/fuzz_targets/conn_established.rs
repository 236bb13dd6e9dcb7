//! Arbitrary peer octets into an established `Conn`: the read path, detach (with and
//! without a retry policy) and shutdown_write, over the fake engine
//! (`unitls_core::fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    unitls_fuzz::checked(|| {
        unitls_core::fuzzing::conn_established(input);
    });
});
