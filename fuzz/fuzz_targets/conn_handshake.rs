//! Arbitrary peer octets into a `Conn` that attaches TLS (client or server, the octets
//! arriving before or after attach), then reads or detaches: core's record framing,
//! hello readers and handshake rules over the fake engine (`unitls_core::fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| {
    unitls_fuzz::checked(|| {
        unitls_core::fuzzing::conn_handshake(input);
    });
});
