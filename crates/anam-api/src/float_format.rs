//! Serializers for the generated types' `f64` fields (named in their `serialize_with`
//! attributes by `cargo xtask codegen`): a whole number goes on the wire as a JSON integer (`5`,
//! as in Anam's documented examples, not serde_json's `5.0`), and NaN or an infinity is refused
//! with an error that names it, instead of becoming `null`.

use serde::Serializer;
use serde::ser::Error as _;

/// Every whole `f64` below this magnitude (2^53) is exactly an `i64`.
const EXACT: f64 = 9_007_199_254_740_992.0;

/// Serializes a float field.
pub fn plain<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if !value.is_finite() {
        return Err(S::Error::custom(format_args!("{value} is not a finite number")));
    }
    if value.fract() == 0.0 && value.abs() < EXACT {
        serializer.serialize_i64(*value as i64)
    } else {
        serializer.serialize_f64(*value)
    }
}

/// Serializes an optional float field.
pub fn option<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => plain(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    #[derive(serde::Serialize)]
    struct Probe(#[serde(serialize_with = "super::plain")] f64);

    #[test]
    fn whole_numbers_are_integers_and_non_finite_values_are_refused() {
        assert_eq!(serde_json::to_string(&Probe(5.0)).unwrap(), "5");
        assert_eq!(serde_json::to_string(&Probe(-0.5)).unwrap(), "-0.5");
        assert_eq!(serde_json::to_string(&Probe(1e300)).unwrap().parse::<f64>().unwrap(), 1e300);
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = serde_json::to_string(&Probe(bad)).unwrap_err();
            assert!(err.to_string().contains("is not a finite number"), "{err}");
        }
    }
}
