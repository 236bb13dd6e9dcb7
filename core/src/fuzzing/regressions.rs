//! Inputs the fuzz targets found crashing (SPEC REL-6), replayed as unit tests: each
//! must now run to an allowed outcome. The hex is the input file libFuzzer wrote.

use super::{conn_established, Ending};
use crate::ErrorKind;

/// Decodes the hex of an input.
fn input(hex: &str) -> Vec<u8> {
    let hex: String = hex.split_whitespace().collect();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect()
}

/// A detach with a retry policy while the peer trickles, one octet per read, the start
/// of a record it never finishes: the checks run out on the clock and detach fails. The
/// crash was the driver's (its step budget left out the handshake's octets), not core's.
#[test]
fn established_detach_over_a_trickled_partial_record() {
    let ending = conn_established(&input(
        "421403fc0800000001000000000008050000000000000000000000000000000000000000000000000000000000000000000000000000000000000000008b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003b0000000000000000000000000000000000000000000000000000000000000000000000000000000000000009000000000000000000003b0000000000000000000000000000000000000000000000000000000000b9",
    ));
    assert_eq!(ending, Ending::DetachFailed(ErrorKind::Failure));
}
