//! Embedding jitexpr in an ndarray program: compile once, evaluate on a
//! transposed view without copying it, and write the result into a
//! preallocated array.
//!
//! Run with `cargo run --release --features ndarray --example ndarray_embed`.

use jitexpr::{ArrayViewMut, DType, EvalConfig, Expr};
use ndarray::{s, Array2};

fn main() -> Result<(), jitexpr::Error> {
    // Compile once for the input dtypes; evaluate on any shapes and layouts.
    let expr = "2*a + sin(b)**2";
    let compiled = Expr::parse(expr)?.compile(&[("a", DType::Float64), ("b", DType::Float64)])?;

    let a = Array2::from_shape_fn((3, 4), |(i, j)| (4 * i + j) as f64);
    let b = Array2::from_shape_fn((4, 6), |(i, j)| (i as f64) - (j as f64) / 2.0);

    // `a.t()` is a (4, 3) view with strides (1, 4) and `b.slice(s![.., ..;-2])`
    // every other column of `b` backwards: both are read in place.
    let result = compiled.eval_views(&[("a", a.t().into()), ("b", b.slice(s![.., ..;-2]).into())])?;
    let result = result.into_ndarray::<f64>()?;
    println!("{expr} on a.T and b[:, ::-2] =\n{result:.3}");

    // Write into a preallocated C-order array: the kernel stores straight into it.
    let mut out = Array2::<f64>::zeros((4, 3));
    let config = EvalConfig::default();
    for step in 0..3 {
        let shifted = &a + step as f64;
        compiled.eval_views_into(
            &[("a", shifted.t().into()), ("b", b.slice(s![.., ..;-2]).into())],
            &mut [(None, ArrayViewMut::try_from(out.view_mut())?)],
            &config,
        )?;
        println!("step {step}: out[0, ..] = {:.3}", out.row(0));
    }

    // An output view must be C-contiguous: a transposed one is refused.
    let mut wide = Array2::<f64>::zeros((3, 4));
    match ArrayViewMut::try_from(wide.view_mut().reversed_axes()) {
        Ok(_) => unreachable!("a transposed view is not C-contiguous"),
        Err(e) => println!("as expected: {e}"),
    }
    Ok(())
}
