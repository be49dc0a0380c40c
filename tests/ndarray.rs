//! The `ndarray` feature: ndarray views of any layout in, ndarray arrays out.
#![cfg(feature = "ndarray")]

use jitexpr::{ArrayView, ArrayViewMut, DType, Engine, ErrorKind, EvalConfig, Expr};
use ndarray::{s, Array2, Array3, ArrayD, Axis, IxDyn, ShapeBuilder};

fn configs() -> Vec<EvalConfig> {
    vec![
        EvalConfig { engine: Engine::Interp, ..EvalConfig::default() },
        EvalConfig { threads: Some(1), ..EvalConfig::default() },
        EvalConfig { threads: Some(4), chunk: Some(64), ..EvalConfig::default() },
        EvalConfig { fuse: false, threads: Some(4), chunk: Some(64), ..EvalConfig::default() },
    ]
}

fn grid(rows: usize, cols: usize) -> Array2<f64> {
    Array2::from_shape_fn((rows, cols), |(i, j)| (i as f64) * 1.5 - (j as f64) / 3.0)
}

/// What ndarray itself computes for `2 * a + b * b`.
fn expected(a: ndarray::ArrayView2<'_, f64>, b: ndarray::ArrayView2<'_, f64>) -> ArrayD<f64> {
    (&a * 2.0 + &b * &b).into_dyn()
}

#[test]
fn views_of_any_layout_read_in_place() {
    let compiled = Expr::parse("2 * a + b * b")
        .and_then(|e| e.compile(&[("a", DType::Float64), ("b", DType::Float64)]))
        .expect("compiles");
    let a = grid(40, 50);
    let f = grid(50, 40).reversed_axes(); // Fortran order, (40, 50)
    let wide = grid(80, 151);
    let b_cases: Vec<(&str, ndarray::ArrayView2<'_, f64>)> = vec![
        ("c order", a.view()),
        ("fortran", f.view()),
        ("transposed", f.t().reversed_axes()),
        ("stepped", wide.slice(s![..;2, 1..;3])),
        ("reversed", wide.slice(s![..40;-1, 100..150;-1])),
        ("broadcast row", wide.slice(s![7..8, ..50])),
    ];
    for config in configs() {
        for (what, b) in &b_cases {
            let b = b.broadcast((40, 50)).expect("broadcasts");
            let got = compiled
                .eval_views_with(&[("a", a.t().t().into()), ("b", b.into())], &[None], &config)
                .expect("evaluates")
                .pop()
                .expect("one output")
                .into_ndarray::<f64>()
                .expect("float64");
            assert_eq!(got, expected(a.view(), b), "{what} [{config:?}]");
        }
    }
}

#[test]
fn conversion_keeps_the_layout_and_borrows() {
    let a = grid(4, 6);
    let v: ArrayView<'_> = a.slice(s![1..;2, ..;-3]).into();
    assert_eq!((v.shape(), v.strides()), (&[2, 2][..], &[12, -3][..]));
    assert_eq!(v.to_array().into_ndarray::<f64>().unwrap(), a.slice(s![1..;2, ..;-3]).to_owned().into_dyn());
    // Empty and 0-d views.
    let e: ArrayView<'_> = a.slice(s![2..2, ..]).into();
    assert!(e.is_empty());
    let z = ndarray::arr0(5i64);
    let zv: ArrayView<'_> = z.view().into();
    assert_eq!((zv.dtype(), zv.len()), (DType::Int64, 1));
    // Every element type.
    let bools = Array3::from_shape_fn((2, 3, 4).f(), |(i, j, k)| (i + j + k) % 2 == 0);
    let out = Expr::parse("~m")
        .and_then(|e| e.compile(&[("m", DType::Bool)]))
        .and_then(|c| c.eval_views(&[("m", bools.view().into())]))
        .and_then(|r| r.into_ndarray::<bool>())
        .expect("evaluates");
    assert_eq!(out, bools.mapv(|b| !b).into_dyn());
}

#[test]
fn outputs_go_into_c_contiguous_views_and_others_are_refused() {
    let compiled = Expr::parse("a * 3 - 1").and_then(|e| e.compile(&[("a", DType::Int32)])).expect("compiles");
    let a = Array2::from_shape_fn((30, 20), |(i, j)| (i * 20 + j) as i32);
    for config in configs() {
        let mut out = Array2::<i32>::zeros((20, 30));
        let mut views = [(None, ArrayViewMut::try_from(out.view_mut()).expect("C order"))];
        compiled.eval_views_into(&[("a", a.t().into())], &mut views, &config).expect("evaluates");
        assert_eq!(out, a.t().mapv(|x| x * 3 - 1));
        // A row of a larger array is C-contiguous too.
        let mut big = Array2::<i32>::zeros((40, 30));
        let rows = big.slice_mut(s![10..30, ..]);
        let mut views = [(None, ArrayViewMut::try_from(rows).expect("C-contiguous rows"))];
        compiled.eval_views_into(&[("a", a.t().into())], &mut views, &config).expect("evaluates");
        assert_eq!(big.slice(s![10..30, ..]), a.t().mapv(|x| x * 3 - 1));
        assert!(big.slice(s![..10, ..]).iter().all(|&x| x == 0));
    }
    let mut out = Array2::<i32>::zeros((30, 20));
    let err = ArrayViewMut::try_from(out.view_mut().reversed_axes()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
    assert!(err.message.contains("not C-contiguous"), "{}", err.message);
    let err = ArrayViewMut::try_from(out.slice_mut(s![.., ..;2])).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
}

#[test]
fn owned_results_move_into_ndarray() {
    let r = Expr::parse("a + 0.5")
        .and_then(|e| e.compile(&[("a", DType::Float32)]))
        .and_then(|c| c.eval_views(&[("a", Array3::<f32>::ones((2, 3, 4)).view().into())]))
        .expect("evaluates");
    assert_eq!(r.clone().into_ndarray::<f64>().unwrap_err().kind, ErrorKind::Input);
    let nd = r.into_ndarray::<f32>().expect("float32");
    assert_eq!(nd.shape(), &[2, 3, 4]);
    assert_eq!(nd.sum_axis(Axis(0)), ArrayD::from_elem(IxDyn(&[3, 4]), 3.0f32));
}
