//! A dependent crate picking its TLS backend through features; prints what it got.

fn main() {
    println!(
        "compiled in: {:?}; default: {}",
        unitls::implementations(),
        unitls::default_implementation().expect("a backend is compiled in")
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_chosen_backend_is_the_default() {
        assert_eq!(unitls::implementations(), ["rustls"]);
        assert_eq!(
            unitls::default_implementation().unwrap(),
            unitls::DEFAULT_BACKEND
        );
    }
}
