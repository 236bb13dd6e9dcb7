//! What `Conn`'s own tests and the fuzz targets drive it with: a scripted fake engine
//! (`fake`: real record framing, no cryptography) and in-memory wires stepped on a fake
//! clock (`pair`). Compiled for the unit tests and with the `fuzzing` feature
//! (`crate::fuzzing`, the entry points of the targets in `fuzz/`).

// The tests use some helpers the fuzz drivers do not, and the other way round.
#![cfg_attr(not(test), allow(dead_code))]

pub(crate) mod fake;
pub(crate) mod pair;
