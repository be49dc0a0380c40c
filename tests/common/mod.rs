//! Helpers shared by the integration tests (each test binary includes this
//! module with `mod common;`).

use jitexpr::{Array, Data};

/// Bit equality of two arrays, any NaN equal to any NaN.
pub fn same_bits(a: &Array, b: &Array) -> bool {
    a.shape() == b.shape()
        && match (a.data(), b.data()) {
            (Data::Float64(x), Data::Float64(y)) => {
                x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
            }
            (Data::Float32(x), Data::Float32(y)) => {
                x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
            }
            (x, y) => x == y,
        }
}
