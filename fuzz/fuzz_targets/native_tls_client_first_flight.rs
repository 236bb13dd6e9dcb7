//! Arbitrary octets as the server's answer to the ClientHello of a native-tls client attaching
//! through unitls: core's blocking shell and hello readers, the backend, the library.
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    unitls_fuzz::first_flight(
        unitls_fuzz::Backend::NativeTls,
        unitls_core::Role::Client,
        input,
    );
});
