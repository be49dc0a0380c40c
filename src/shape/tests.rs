//! Broadcasting, axis normalization, loop plans and shape inference errors.

use super::*;
use crate::diag::Span;
use crate::ir::ops::BinaryOp;
use crate::ir::{Input, Op};
use crate::types::{DType, Scalar};

/// `(a, b, broadcast(a, b))`.
type BroadcastCase = (&'static [usize], &'static [usize], Option<&'static [usize]>);

#[test]
fn broadcasting_table() {
    let table: [BroadcastCase; 14] = [
        (&[300, 200], &[200], Some(&[300, 200])),
        (&[300, 1], &[300, 200], Some(&[300, 200])),
        (&[50, 1, 7], &[4, 1], Some(&[50, 4, 7])),
        (&[], &[3, 4], Some(&[3, 4])),
        (&[], &[], Some(&[])),
        (&[0], &[1], Some(&[0])),
        (&[0, 3], &[3], Some(&[0, 3])),
        (&[1, 0], &[5, 1], Some(&[5, 0])),
        (&[0], &[], Some(&[0])),
        (&[3], &[4], None),
        (&[0], &[2], None),
        (&[2, 3], &[3, 2], None),
        (&[8, 1, 6, 1], &[7, 1, 5], Some(&[8, 7, 6, 5])),
        (&[5, 4], &[1], Some(&[5, 4])),
    ];
    for (a, b, want) in table {
        assert_eq!(broadcast(a, b).as_deref(), want, "{a:?} {b:?}");
        assert_eq!(broadcast(b, a).as_deref(), want, "{b:?} {a:?}");
    }
}

#[test]
fn axes_normalize_like_numpy() {
    assert_eq!(normalize_axis(None, 2), Ok(None));
    assert_eq!(normalize_axis(Some(-1), 3), Ok(Some(2)));
    assert_eq!(normalize_axis(Some(0), 0), Ok(None), "0-d arrays accept axis 0");
    assert_eq!(normalize_axis(Some(-1), 0), Ok(None));
    assert_eq!(normalize_axis(Some(1), 0), Err("axis 1 is out of bounds for array of dimension 0".to_string()));
    assert_eq!(normalize_axis(Some(2), 2), Err("axis 2 is out of bounds for array of dimension 2".to_string()));
    assert_eq!(normalize_axis(Some(-3), 2), Err("axis -3 is out of bounds for array of dimension 2".to_string()));
    assert_eq!(reduce_extent(&[2, 3, 4], Some(1)), (2, 3, 4));
    assert_eq!(reduce_extent(&[2, 3, 4], None), (1, 24, 1));
    assert_eq!(reduce_extent(&[], None), (1, 1, 1));
}

/// The plan of C-contiguous operands of these shapes.
fn c_plan<const K: usize>(out: &[usize], shapes: [&[usize]; K]) -> Loops<K> {
    let strides = shapes.map(crate::array::view::c_strides);
    let ops: [Strided<'_>; K] = std::array::from_fn(|k| Strided { shape: shapes[k], strides: &strides[k], offset: 0 });
    Loops::new(out, ops)
}

#[test]
fn strides_and_plans() {
    assert_eq!(broadcast_strides(&[200], &[1], &[300, 200]), [0, 1]);
    assert_eq!(broadcast_strides(&[50, 1, 7], &[7, 7, 1], &[50, 4, 7]), [7, 0, 1]);
    assert_eq!(broadcast_strides(&[4, 1], &[-1, 1], &[50, 4, 7]), [0, -1, 0]);
    // Equal shapes and scalars coalesce to one flat loop.
    let p = c_plan(&[3, 4, 5], [&[3, 4, 5][..], &[]]);
    assert_eq!((p.dims, p.strides), (vec![60], [vec![1], vec![0]]));
    // A row against a matrix keeps two dims: the row restarts every 200.
    let p = c_plan(&[300, 200], [&[300, 200][..], &[200]]);
    assert_eq!((p.dims, p.strides), (vec![300, 200], [vec![200, 1], vec![0, 1]]));
    // Size-1 dims vanish, then neighbours merge.
    let p = c_plan(&[2, 1, 3, 4], [&[2, 1, 3, 4][..], &[1, 1, 1, 4]]);
    assert_eq!((p.dims, p.strides), (vec![6, 4], [vec![4, 1], vec![0, 1]]));
    let p = c_plan(&[1, 1], [&[1][..]]);
    assert_eq!((p.dims, p.strides), (vec![1], [vec![0]]));
}

#[test]
fn nest_orders_axes_by_the_voters_strides() {
    let f = Strided { shape: &[4, 5, 6], strides: &[1, 4, 20], offset: 0 };
    let c = Strided { shape: &[4, 5, 6], strides: &[30, 6, 1], offset: 0 };
    // A lone Fortran-order voter: Fortran order (the C operand strided).
    let n = Nest::new(&[4, 5, 6], &[f, c], 1);
    assert_eq!((n.dims, n.strides), (vec![6, 5, 4], vec![vec![20, 4, 1], vec![1, 6, 30]]));
    // No voters: C order whatever the layouts.
    let n = Nest::new(&[4, 5, 6], &[f, c], 0);
    assert_eq!((n.dims, n.strides), (vec![4, 5, 6], vec![vec![1, 4, 20], vec![30, 6, 1]]));
    // A tie (one Fortran voter, one C voter) keeps C order.
    let n = Nest::new(&[4, 5, 6], &[f, c, c], 2);
    assert_eq!((n.dims, n.strides), (vec![4, 5, 6], vec![vec![1, 4, 20], vec![30, 6, 1], vec![30, 6, 1]]));
    // Every dimension of size 1: an empty nest.
    let one = Strided { shape: &[1, 1], strides: &[1, 1], offset: 0 };
    assert_eq!(Nest::new(&[1, 1], &[one], 1), Nest { dims: vec![], strides: vec![vec![]] });
}

#[test]
fn strided_operands_merge_where_they_step_evenly() {
    // A reversed vector and a transposed (Fortran-order) matrix against a C one.
    let p = Loops::new(
        &[2, 3],
        [
            Strided { shape: &[2, 3], strides: &[-3, -1], offset: 5 },
            Strided { shape: &[2, 3], strides: &[1, 2], offset: 0 },
        ],
    );
    assert_eq!((p.dims, p.strides, p.offsets), (vec![2, 3], [vec![-3, -1], vec![1, 2]], [5, 0]));
    let p = Loops::new(&[2, 3], [Strided { shape: &[2, 3], strides: &[-3, -1], offset: 5 }]);
    assert_eq!((p.dims.clone(), p.inner_stride(0)), (vec![6], -1));
    let mut seen = vec![];
    p.for_each_lane(|[a], n| seen.push((a, n)));
    assert_eq!(seen, [(5, 6)]);
}

#[test]
fn lanes_visit_every_element_in_c_order() {
    let p = c_plan(&[2, 3, 2], [&[2, 3, 2][..], &[3, 1]]);
    let mut seen = vec![];
    p.for_each_lane(|[a, b], n| seen.push((a, b, n)));
    assert_eq!(seen, [(0, 0, 2), (2, 1, 2), (4, 2, 2), (6, 0, 2), (8, 1, 2), (10, 2, 2)]);
    let empty = c_plan(&[0, 3], [&[0, 3][..]]);
    empty.for_each_lane(|_, _| panic!("no lanes in an empty output"));
    // Fortran order: the lanes jump.
    let p = Loops::new(&[2, 3], [Strided { shape: &[2, 3], strides: &[1, 2], offset: 0 }]);
    let mut seen = vec![];
    p.for_each_lane(|[a], n| seen.push((a, n)));
    assert_eq!((seen, p.inner_stride(0)), (vec![(0, 3), (1, 3)], 2));
}

fn node(inst: Inst, dtype: DType, at: usize) -> Node {
    Node { inst, dtype, span: Span::new(at, at + 1) }
}

/// `r = x + y; s = x * 2.0` over two float64 inputs.
fn program() -> Program {
    let f = DType::Float64;
    Program {
        inputs: vec![Input { name: "x".into(), dtype: f }, Input { name: "y".into(), dtype: f }],
        nodes: vec![
            node(Inst::Input(0), f, 0),
            node(Inst::Input(1), f, 1),
            node(Inst::Op(Op::Binary(BinaryOp::Add, NodeId(0), NodeId(1))), f, 2),
            node(Inst::constant(Scalar::Float64(2.0)), f, 3),
            node(Inst::Op(Op::Binary(BinaryOp::Mul, NodeId(0), NodeId(3))), f, 4),
        ],
        result: NodeId(2),
        names: vec![("s".into(), NodeId(4))],
    }
}

#[test]
fn infer_gives_shapes_of_needed_nodes_only() {
    let p = program();
    let shapes = infer(&p, &[&[3, 1], &[4]], &[NodeId(4)]).expect("s needs only x");
    assert_eq!(shapes, [Some(vec![3, 1]), None, None, Some(vec![]), Some(vec![3, 1])]);
    let shapes = infer(&p, &[&[3, 1], &[4]], &[NodeId(2)]).expect("broadcasts");
    assert_eq!(shapes[2].as_deref(), Some(&[3, 4][..]));
}

#[test]
fn infer_reports_broadcast_errors_at_the_node() {
    let err = infer(&program(), &[&[2, 3], &[4]], &[NodeId(2)]).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Shape);
    assert_eq!(err.span, Some(Span::new(2, 3)));
    assert_eq!(err.message, "operands could not be broadcast together with shapes (2, 3) (4,)");
}

#[test]
fn three_operand_errors_name_all_shapes() {
    let f = DType::Float64;
    let n = node(Inst::Op(Op::Call(crate::ir::ops::Func::Clip, vec![NodeId(0), NodeId(1), NodeId(2)])), f, 7);
    let err = node_shape(&n, &[&[2], &[3], &[]]).unwrap_err();
    assert_eq!(err.message, "operands could not be broadcast together with shapes (2,) (3,) ()");
}
