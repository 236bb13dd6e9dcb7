//! The SPEC IDs after a case, as the renderings show them.

/// ` (ATTACH-1, HS-2)`, or nothing for no IDs.
pub(super) fn spec_suffix(spec: &[String]) -> String {
    if spec.is_empty() {
        String::new()
    } else {
        format!(" ({})", spec.join(", "))
    }
}
