//! Arbitrary octets as a ClientHello (and what follows) sent to a native-tls server attaching
//! through unitls: core's blocking shell and hello readers, the backend, the library.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    unitls_fuzz::first_flight(
        unitls_fuzz::Backend::NativeTls,
        unitls_core::Role::Server,
        input,
    );
});
