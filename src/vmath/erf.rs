//! erf.
//!
//! `|x| < 1`: `erf x = x (2/sqrt(pi) + x^2 E(x^2))` with the leading constant as a
//! double-double. `1 <= |x| < 6`: `erf x = 1 - e^(-x^2) erfcx(x)`, erfcx (smooth,
//! ~1/(x sqrt(pi))) from four degree-12 pieces in `x - mid`, whose coefficients
//! each lane selects (blends, no table lookups): an error in erfcx is scaled down
//! by erfc x, so the later pieces may be coarser. `e^(-x^2)` needs no extra
//! precision for the same reason. Beyond 6, erf rounds to 1.
//!
//! Coefficients: `tools/vmath_coeffs.py`.

use super::dd::{fma, poly, Dd};
use super::exp::exp_fast;

// erf x = x (2/sqrt(pi) + z E(z)), z = x^2 <= 1.
const ERF_E: [f64; 12] = [
    -0.37612638903183754,
    0.11283791670955111,
    -0.026866170645123838,
    0.005223977625303518,
    -0.0008548327010033328,
    0.00012055332214716276,
    -1.4925622504489842e-05,
    1.6461446656928561e-06,
    -1.6355118610877705e-07,
    1.4692484859133263e-08,
    -1.1500357159785296e-09,
    6.174097221305255e-11,
];

const TWO_OVER_SQRT_PI: Dd = Dd { hi: std::f64::consts::FRAC_2_SQRT_PI, lo: 1.533545961316588e-17 };

/// The pieces of erfcx on [1, 1.5], [1.5, 2.25], [2.25, 3.5], [3.5, 6]: centres and
/// coefficients (constant term first) in `x - centre`.
const ERFCX_MID: [f64; 4] = [1.25, 1.875, 2.875, 4.75];
const ERFCX: [[f64; 13]; 4] = [
    [
        0.3678229164523611,
        -0.20882187596460952,
        0.1067955714965987,
        -0.05021827439604813,
        0.022011364250898474,
        -0.00908162761495057,
        0.0035531098979445968,
        -0.0013257839153641357,
        0.00047397059996488885,
        -0.00016293376713169493,
        5.404634674114516e-05,
        -1.7678831244654092e-05,
        5.494065543139676e-06,
    ],
    [
        0.2694299851646704,
        -0.11801672272799475,
        0.04814863004967254,
        -0.018492027590627822,
        0.006738039159488131,
        -0.002343281625519923,
        0.0007814620007865198,
        -0.00025086968151995085,
        7.777106903402331e-05,
        -2.3332308436253344e-05,
        6.79703120897119e-06,
        -1.992787355367885e-06,
        5.489349480569381e-07,
    ],
    [
        0.1860549346844711,
        -0.058563292659745386,
        0.017685468287522477,
        -0.005145047559605198,
        0.0014467282837671703,
        -0.00039428141146207504,
        0.00010438964084040667,
        -2.6903954746844338e-05,
        6.7609002476963e-06,
        -1.6559609684477168e-06,
        3.9744391275239935e-07,
        -9.995419590545677e-08,
        2.295796335313003e-08,
    ],
    [
        0.11630270721024731,
        -0.023503448596501476,
        0.004661326368695728,
        -0.0009080989267613732,
        0.0001739283089901235,
        -3.277562949007631e-05,
        6.08108930382966e-06,
        -1.1118981029544583e-06,
        2.0034698237166781e-07,
        -3.524796365868836e-08,
        6.184507649360792e-09,
        -1.2539231843294967e-09,
        2.136625977914233e-10,
    ],
];

#[inline(always)]
pub fn erf(x: f64) -> f64 {
    let a = x.abs();
    let z = a * a;
    let small = fma(a, TWO_OVER_SQRT_PI.hi, a * fma(z, poly(z, &ERF_E), TWO_OVER_SQRT_PI.lo));

    let b = if a < 6.0 { a } else { 6.0 };
    let piece = |row: usize| {
        if b < 1.5 {
            ERFCX[0][row]
        } else if b < 2.25 {
            ERFCX[1][row]
        } else if b < 3.5 {
            ERFCX[2][row]
        } else {
            ERFCX[3][row]
        }
    };
    let mid = if b < 1.5 {
        ERFCX_MID[0]
    } else if b < 2.25 {
        ERFCX_MID[1]
    } else if b < 3.5 {
        ERFCX_MID[2]
    } else {
        ERFCX_MID[3]
    };
    let t = b - mid;
    let mut f = piece(12);
    for row in (0..12).rev() {
        f = fma(f, t, piece(row));
    }
    let big = fma(-exp_fast(-(b * b)), f, 1.0);

    let res = if a < 1.0 { small } else { big };
    let res = if a >= 6.0 { 1.0 } else { res };
    if x.is_nan() {
        x
    } else {
        res.copysign(x)
    }
}
