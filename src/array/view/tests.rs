use super::*;
use crate::array::Order;

fn f64s(a: &Array) -> Vec<f64> {
    a.as_slice::<f64>().expect("a float64 array").to_vec()
}

fn range(n: usize) -> Vec<f64> {
    (0..n).map(|i| i as f64).collect()
}

#[test]
fn strides_that_leave_the_buffer_are_errors() {
    let data = range(6);
    let bad: [(&[usize], &[isize], usize); 8] = [
        (&[2, 3], &[3, 1], 1),                   // one past the end
        (&[3, 2], &[1, 4], 0),                   // stride too long
        (&[3], &[-1], 1),                        // reversed from too early an offset
        (&[7], &[1], 0),                         // longer than the buffer
        (&[2], &[isize::MAX], 0),                // far past the end
        (&[usize::MAX, 2], &[0, isize::MIN], 5), // overflowing offsets
        (&[2, 3], &[3], 0),                      // strides missing
        (&[0, 3], &[3, 1], 7),                   // empty, but the offset is past the end
    ];
    for (shape, strides, offset) in bad {
        let err = ArrayView::new(&data, shape, strides, offset).unwrap_err();
        // A shape with more elements than any array can have is over a limit.
        assert!(matches!(err.kind, ErrorKind::Shape | ErrorKind::Limit), "{shape:?} {strides:?} {offset}: {err}");
    }
    expect_test::expect![
        "a view of shape (3, 2) with strides (1, 4) from offset 0 reaches element 6, outside a buffer of 6 elements"
    ]
    .assert_eq(&ArrayView::new(&data, &[3, 2], &[1, 4], 0).unwrap_err().message);
    expect_test::expect![[
        r#"a view of shape (3,) with strides (-1) from offset 1 reaches element -1, outside a buffer of 6 elements"#
    ]]
    .assert_eq(&ArrayView::new(&data, &[3], &[-1], 1).unwrap_err().message);
    // Too many elements to count, even with every stride 0.
    assert!(ArrayView::new(&data, &[usize::MAX, 2], &[0, 0], 0).is_err());
}

#[test]
fn valid_layouts_are_accepted() {
    let data = range(6);
    let ok: [(&[usize], &[isize], usize); 6] = [
        (&[2, 3], &[3, 1], 0),
        (&[3], &[-2], 5),
        (&[1_000_000, 6], &[0, 1], 0),
        (&[0, 100], &[100, 1], 6),
        (&[], &[], 5),
        (&[2, 1], &[1, 1_000_000], 4),
    ];
    for (shape, strides, offset) in ok {
        ArrayView::new(&data, shape, strides, offset).unwrap_or_else(|e| panic!("{shape:?} {strides:?}: {e}"));
    }
}

#[test]
fn transforms_match_numpy() {
    let a = Array::new(Data::Float64(range(12)), vec![3, 4]).unwrap();
    // a.T
    expect_test::expect![[r#"[0.0, 4.0, 8.0, 1.0, 5.0, 9.0, 2.0, 6.0, 10.0, 3.0, 7.0, 11.0]"#]]
        .assert_eq(&format!("{:?}", f64s(&a.view().transpose().to_array())));
    // a[::-1, :]
    expect_test::expect![[r#"[8.0, 9.0, 10.0, 11.0, 4.0, 5.0, 6.0, 7.0, 0.0, 1.0, 2.0, 3.0]"#]]
        .assert_eq(&format!("{:?}", f64s(&a.view().reversed(0).unwrap().to_array())));
    // a[:, 1:4:2]
    let v = a.view().slice(1, 1, 4, 2).unwrap();
    assert_eq!((v.shape(), v.strides(), v.offset()), (&[3, 2][..], &[4, 2][..], 1));
    expect_test::expect![[r#"[1.0, 3.0, 5.0, 7.0, 9.0, 11.0]"#]].assert_eq(&format!("{:?}", f64s(&v.to_array())));
    // a[1:3, :][:, ::-3] = a[1:3, 3::-3]
    let v = a.view().slice(0, 1, 3, 1).unwrap().slice(1, 0, 4, -3).unwrap();
    expect_test::expect![[r#"[7.0, 4.0, 11.0, 8.0]"#]].assert_eq(&format!("{:?}", f64s(&v.to_array())));
    // Reversing twice is the identity; get() follows index order.
    let v = a.view().reversed(1).unwrap().reversed(1).unwrap();
    assert_eq!((v.strides(), v.offset()), (&[4, 1][..], 0));
    assert_eq!(a.view().transpose().get(1), Scalar::Float64(4.0));
    // Permutations of a 3-d array.
    let b = Array::new(Data::Float64(range(24)), vec![2, 3, 4]).unwrap();
    let p = b.view().permute(&[1, 0, 2]).unwrap();
    assert_eq!((p.shape(), p.strides()), (&[3, 2, 4][..], &[4, 12, 1][..]));
    assert_eq!(p.get(4), Scalar::Float64(12.0));
    assert!(b.view().permute(&[0, 0, 1]).is_err());
    assert!(b.view().permute(&[0, 1]).is_err());
}

#[test]
fn transform_mistakes_are_errors() {
    let a = Array::new(Data::Float64(range(12)), vec![3, 4]).unwrap();
    for r in [
        a.view().reversed(2),
        a.view().slice(2, 0, 1, 1),
        a.view().slice(0, 0, 4, 1),
        a.view().slice(0, 2, 1, 1),
        a.view().slice(0, 0, 3, 0),
    ] {
        assert_eq!(r.unwrap_err().kind, ErrorKind::Shape);
    }
}

#[test]
fn empty_slices_and_empty_views_transform() {
    let a = Array::new(Data::Float64(range(12)), vec![3, 4]).unwrap();
    let v = a.view().slice(0, 2, 2, 1).unwrap();
    assert_eq!(v.shape(), &[0, 4]);
    let v = v.reversed(1).unwrap().slice(1, 0, 4, -1).unwrap().transpose();
    assert_eq!((v.shape(), v.len()), (&[4, 0][..], 0));
    assert!(v.to_array().is_empty());
}

#[test]
fn contiguity_and_slices() {
    let a = Array::new(Data::Float64(range(12)), vec![3, 4]).unwrap();
    assert!(a.view().is_c_contiguous());
    assert!(!a.view().transpose().is_c_contiguous());
    let rows = a.view().slice(0, 1, 3, 1).unwrap();
    assert_eq!(rows.as_slice::<f64>(), Some(&range(12)[4..][..]));
    assert_eq!(rows.as_slice::<f32>(), None);
    // A row seen as a column: the length-1 axis may have any stride.
    let col = a.view().slice(0, 1, 2, 1).unwrap().transpose();
    assert_eq!((col.shape(), col.strides()), (&[4, 1][..], &[1, 4][..]));
    assert!(col.is_c_contiguous());
    let col = a.view().slice(1, 1, 2, 1).unwrap();
    assert!(!col.is_c_contiguous());
    let one = a.view().slice(1, 2, 3, 1).unwrap().slice(0, 0, 1, 1).unwrap();
    assert!(one.is_c_contiguous());
}

#[test]
fn fortran_arrays_view_and_compare_by_index_order() {
    // [[0, 1, 2], [3, 4, 5]] stored column by column.
    let f = Array::with_order(Data::Float64(vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]), vec![2, 3], Order::Fortran).unwrap();
    let c = Array::new(Data::Float64(range(6)), vec![2, 3]).unwrap();
    assert_eq!(f.view().strides(), &[1, 2]);
    assert_eq!(f, c);
    assert_eq!(f.get(1), Scalar::Float64(1.0));
    assert_eq!(f.to_c_order().as_slice::<f64>(), c.as_slice::<f64>());
    assert_eq!(f.clone().reshape(vec![3, 2]).unwrap(), c.clone().reshape(vec![3, 2]).unwrap());
    let mut f2 = f.clone();
    assert_eq!(f2.view_mut().unwrap_err().kind, ErrorKind::Shape);
    // A Fortran-order vector is also C-contiguous.
    let mut v = Array::with_order(Data::Float64(range(3)), vec![3, 1], Order::Fortran).unwrap();
    assert_eq!(v.view_mut().unwrap().shape(), &[3, 1]);
}

#[test]
fn mutable_views_check_their_size_and_assign() {
    let mut buf = vec![0.0f64; 6];
    assert!(ArrayViewMut::new(&mut buf, &[4]).is_err());
    let mut out = ArrayViewMut::new(&mut buf, &[3, 2]).unwrap();
    let a = Array::new(Data::Float64(range(6)), vec![2, 3]).unwrap();
    out.assign(&a.view().transpose());
    assert_eq!(out.view().to_array().as_slice::<f64>(), Some(&[0.0, 3.0, 1.0, 4.0, 2.0, 5.0][..]));
    assert_eq!(buf, [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
}
