//! Integer semantics (int32, int64): NumPy's results without traps.
//!
//! Division and modulo by zero give 0, overflow wraps, negative powers follow the
//! fixed `trunc(1 / base**|e|)` rule, shifts by out-of-range counts follow NumPy.

// ---------------------------------------------------------------------------
// Integers

macro_rules! int_fns {
    ($t:ty, $bits:expr, $floor_div:ident, $modulo:ident, $fmod:ident, $pow:ident, $shl:ident, $shr:ident, $sign:ident) => {
        /// Floor division; by 0 gives 0, `MIN // -1` wraps to `MIN`.
        #[inline]
        pub fn $floor_div(a: $t, b: $t) -> $t {
            if b == 0 {
                return 0;
            }
            if b == -1 {
                return a.wrapping_neg();
            }
            let (q, r) = (a / b, a % b);
            if r != 0 && ((r < 0) != (b < 0)) {
                q - 1
            } else {
                q
            }
        }

        /// Remainder with the sign of the divisor (Python `%`); by 0 gives 0.
        #[inline]
        pub fn $modulo(a: $t, b: $t) -> $t {
            // checked_rem is None for b == 0 and for MIN % -1 (whose remainder is 0).
            let r = a.checked_rem(b).unwrap_or(0);
            if r != 0 && ((r < 0) != (b < 0)) {
                r + b
            } else {
                r
            }
        }

        /// C remainder (sign of the dividend, `np.fmod`); by 0 gives 0.
        #[inline]
        pub fn $fmod(a: $t, b: $t) -> $t {
            a.checked_rem(b).unwrap_or(0)
        }

        /// Wrapping power. A negative exponent gives `trunc(1 / base**|e|)`: 1 for
        /// base 1, ±1 for base -1, 0 otherwise (NumPy raises; a loop cannot).
        #[inline]
        pub fn $pow(base: $t, exp: $t) -> $t {
            if exp < 0 {
                return match base {
                    1 => 1,
                    -1 => {
                        if exp & 1 == 0 {
                            1
                        } else {
                            -1
                        }
                    }
                    _ => 0,
                };
            }
            let (mut acc, mut b, mut e): ($t, $t, $t) = (1, base, exp);
            while e > 0 {
                if e & 1 == 1 {
                    acc = acc.wrapping_mul(b);
                }
                b = b.wrapping_mul(b);
                e >>= 1;
            }
            acc
        }

        /// `a << b`; a count below 0 or at least the bit width gives 0.
        #[inline]
        pub fn $shl(a: $t, b: $t) -> $t {
            // A negative count becomes a huge unsigned one, so one comparison covers both.
            if (b as u64) < $bits {
                a << b
            } else {
                0
            }
        }

        /// Arithmetic `a >> b`; an out-of-range count gives -1 for negative `a`, else 0.
        #[inline]
        pub fn $shr(a: $t, b: $t) -> $t {
            if (b as u64) < $bits {
                a >> b
            } else if a < 0 {
                -1
            } else {
                0
            }
        }

        /// -1, 0 or 1.
        #[inline]
        pub fn $sign(a: $t) -> $t {
            a.signum()
        }
    };
}
int_fns!(i64, 64, floor_div_i64, mod_i64, fmod_i64, pow_i64, shl_i64, shr_i64, sign_i64);
int_fns!(i32, 32, floor_div_i32, mod_i32, fmod_i32, pow_i32, shl_i32, shr_i32, sign_i32);

/// `np.gcd` and `np.lcm` (`npy_gcd`, `npy_lcm`): Euclid on the absolute values in
/// the unsigned type of the width, so `|INT_MIN|` is `2^(bits-1)` and a result
/// that does not fit wraps, as in NumPy; `gcd(0, 0)` and `lcm(x, 0)` are 0.
macro_rules! gcd_lcm {
    ($t:ty, $u:ty, $gcd:ident, $lcm:ident) => {
        /// Greatest common divisor of `|a|` and `|b|`.
        pub fn $gcd(a: $t, b: $t) -> $t {
            let (mut a, mut b) = (a.unsigned_abs(), b.unsigned_abs());
            while a != 0 {
                (a, b) = (b % a, a);
            }
            b as $t
        }

        /// Least common multiple of `|a|` and `|b|`, wrapping.
        pub fn $lcm(a: $t, b: $t) -> $t {
            let g = $gcd(a, b) as $u;
            if g == 0 {
                0
            } else {
                (a.unsigned_abs() / g).wrapping_mul(b.unsigned_abs()) as $t
            }
        }
    };
}
gcd_lcm!(i64, u64, gcd_i64, lcm_i64);
gcd_lcm!(i32, u32, gcd_i32, lcm_i32);

// ---------------------------------------------------------------------------
// Traits the generic loops are written against

/// The integer dtypes (int32, int64): wrapping arithmetic and the helpers above.
pub trait Int: crate::array::Element + Ord {
    const ZERO: Self;
    const ONE: Self;
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn not(self) -> Self;
    fn and(self, b: Self) -> Self;
    fn or(self, b: Self) -> Self;
    fn xor(self, b: Self) -> Self;
    fn floor_div(self, b: Self) -> Self;
    fn modulo(self, b: Self) -> Self;
    fn fmod(self, b: Self) -> Self;
    fn pow(self, b: Self) -> Self;
    fn shl(self, b: Self) -> Self;
    fn shr(self, b: Self) -> Self;
    fn sign(self) -> Self;
    /// This width's function of a pair (a row of [`super::func_impl`]).
    fn pick1(i64: super::I64Fn1, i32: super::I32Fn1) -> extern "C" fn(Self) -> Self;
    /// This width's function of a pair of two-argument functions.
    fn pick2(i64: super::I64Fn2, i32: super::I32Fn2) -> extern "C" fn(Self, Self) -> Self;
}

macro_rules! impl_int {
    ($t:ty, $pick:tt, $floor_div:ident, $modulo:ident, $fmod:ident, $pow:ident, $shl:ident, $shr:ident, $sign:ident) => {
        impl Int for $t {
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline]
            fn add(self, b: Self) -> Self {
                self.wrapping_add(b)
            }
            #[inline]
            fn sub(self, b: Self) -> Self {
                self.wrapping_sub(b)
            }
            #[inline]
            fn mul(self, b: Self) -> Self {
                self.wrapping_mul(b)
            }
            #[inline]
            fn neg(self) -> Self {
                self.wrapping_neg()
            }
            #[inline]
            fn abs(self) -> Self {
                self.wrapping_abs()
            }
            #[inline]
            fn not(self) -> Self {
                !self
            }
            #[inline]
            fn and(self, b: Self) -> Self {
                self & b
            }
            #[inline]
            fn or(self, b: Self) -> Self {
                self | b
            }
            #[inline]
            fn xor(self, b: Self) -> Self {
                self ^ b
            }
            #[inline]
            fn floor_div(self, b: Self) -> Self {
                $floor_div(self, b)
            }
            #[inline]
            fn modulo(self, b: Self) -> Self {
                $modulo(self, b)
            }
            #[inline]
            fn fmod(self, b: Self) -> Self {
                $fmod(self, b)
            }
            #[inline]
            fn pow(self, b: Self) -> Self {
                $pow(self, b)
            }
            #[inline]
            fn shl(self, b: Self) -> Self {
                $shl(self, b)
            }
            #[inline]
            fn shr(self, b: Self) -> Self {
                $shr(self, b)
            }
            #[inline]
            fn sign(self) -> Self {
                $sign(self)
            }
            fn pick1(i64: super::I64Fn1, i32: super::I32Fn1) -> extern "C" fn(Self) -> Self {
                (i64, i32).$pick
            }
            fn pick2(i64: super::I64Fn2, i32: super::I32Fn2) -> extern "C" fn(Self, Self) -> Self {
                (i64, i32).$pick
            }
        }
    };
}
impl_int!(i64, 0, floor_div_i64, mod_i64, fmod_i64, pow_i64, shl_i64, shr_i64, sign_i64);
impl_int!(i32, 1, floor_div_i32, mod_i32, fmod_i32, pow_i32, shl_i32, shr_i32, sign_i32);
