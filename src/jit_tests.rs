//! JIT tests: hand-built IR programs run on the JIT, compared with the interpreter.
//! A unit test module because it builds IR, which is not public API.

use crate::ir::ops::{BinaryOp, Func, FuncRule, ReduceOp, UnaryOp};
use crate::ir::{Input, Inst, Node, NodeId, Op, Program};
use crate::types::promote_strong;
use crate::{Array, Compiled, DType, Data, Engine, EvalConfig, Scalar, Span};

/// A tiny IR builder: nodes get the dtype the IR rules give them.
struct B {
    p: Program,
}

impl B {
    fn new(inputs: &[(&str, DType)]) -> B {
        let mut p = Program { inputs: vec![], nodes: vec![], result: NodeId(0), names: vec![] };
        for (k, (name, dt)) in inputs.iter().enumerate() {
            p.inputs.push(Input { name: name.to_string(), dtype: *dt });
            p.nodes.push(Node { inst: Inst::Input(k), dtype: *dt, span: Span::default() });
        }
        B { p }
    }
    fn push(&mut self, inst: Inst, dtype: DType) -> NodeId {
        self.p.nodes.push(Node { inst, dtype, span: Span::default() });
        NodeId(self.p.nodes.len() as u32 - 1)
    }
    fn dt(&self, id: NodeId) -> DType {
        self.p.node(id).dtype
    }
    fn c(&mut self, s: Scalar) -> NodeId {
        self.push(Inst::constant(s), s.dtype())
    }
    fn bin(&mut self, op: BinaryOp, a: NodeId, b: NodeId) -> NodeId {
        let dt = if op.is_comparison() { DType::Bool } else { self.dt(a) };
        self.push(Inst::Op(Op::Binary(op, a, b)), dt)
    }
    fn un(&mut self, op: UnaryOp, a: NodeId) -> NodeId {
        let dt = self.dt(a);
        self.push(Inst::Op(Op::Unary(op, a)), dt)
    }
    fn call(&mut self, f: Func, args: &[NodeId]) -> NodeId {
        let dt = match f {
            Func::Isnan | Func::Isinf | Func::Isfinite | Func::Signbit => DType::Bool,
            Func::Where => self.dt(args[1]),
            _ => self.dt(args[0]),
        };
        self.push(Inst::Op(Op::Call(f, args.to_vec())), dt)
    }
    fn cast(&mut self, a: NodeId, dt: DType) -> NodeId {
        if self.dt(a) == dt {
            return a;
        }
        self.push(Inst::Op(Op::Cast(a)), dt)
    }
    fn reduce(&mut self, op: ReduceOp, a: NodeId, axis: Option<i64>) -> NodeId {
        let acc = op.accumulator(self.dt(a));
        let a = self.cast(a, acc);
        self.push(Inst::Reduce { op, arg: a, axis }, acc)
    }
    fn name(&mut self, name: &str, id: NodeId) {
        self.p.names.push((name.to_string(), id));
    }
    fn finish(mut self, result: NodeId) -> Compiled {
        self.p.result = result;
        self.p.validate();
        Compiled::new(String::new(), self.p).expect("hand-built IR that validates")
    }
}

fn f64s(a: &Array) -> &[f64] {
    a.as_slice::<f64>().expect("float64 array")
}

#[test]
fn smoke_fused_arithmetic() {
    let mut b = B::new(&[("a", DType::Float64), ("b", DType::Float64)]);
    let two = b.c(Scalar::Float64(2.0));
    let m = b.bin(BinaryOp::Mul, NodeId(1), two);
    let r = b.bin(BinaryOp::Add, NodeId(0), m);
    let c = b.finish(r);
    for n in [0usize, 1, 2, 3, 17, 100_000] {
        let a = Array::from_vec((0..n).map(|i| i as f64).collect::<Vec<_>>());
        let bb = Array::from_vec((0..n).map(|i| 0.5 * i as f64).collect::<Vec<_>>());
        let out = c.eval_with(&[("a", &a), ("b", &bb)], &[None], &EvalConfig::default()).unwrap().pop().unwrap();
        let want: Vec<f64> = (0..n).map(|i| i as f64 + 2.0 * (0.5 * i as f64)).collect();
        assert_eq!(f64s(&out), &want[..], "n={n}");
    }
}

/// `a * k + a` for a constant `k`: a distinct kernel per `k`.
fn scaled(k: f64) -> Compiled {
    let mut b = B::new(&[("a", DType::Float64)]);
    let kc = b.c(Scalar::Float64(k));
    let m = b.bin(BinaryOp::Mul, NodeId(0), kc);
    let r = b.bin(BinaryOp::Add, m, NodeId(0));
    b.finish(r)
}

#[test]
fn one_kernel_called_from_eight_threads_at_once() {
    let cache = std::sync::Arc::new(crate::KernelCache::new(4));
    let config = EvalConfig { threads: Some(1), cache: Some(cache.clone()), ..EvalConfig::default() };
    let c = scaled(3.0);
    std::thread::scope(|s| {
        for t in 0..8 {
            let (c, config) = (&c, &config);
            s.spawn(move || {
                for rep in 0..200 {
                    let n = 1 + (t * 37 + rep * 11) % 3000;
                    let a = Array::from_vec((0..n).map(|i| (i + t) as f64).collect::<Vec<_>>());
                    let out = c.eval_with(&[("a", &a)], &[None], config).unwrap().pop().unwrap();
                    let want: Vec<f64> = (0..n).map(|i| (i + t) as f64 * 3.0 + (i + t) as f64).collect();
                    assert_eq!(f64s(&out), &want[..]);
                }
            });
        }
    });
    let stats = cache.stats();
    assert_eq!(stats.len, 1, "{stats:?}");
    assert!(stats.misses <= 8, "threads racing on a miss compile at most once each: {stats:?}");
}

// ---------------------------------------------------------------------------
// The interpreter as oracle

/// Bitwise equality of two arrays (shape, dtype and every element's bits), except
/// that any NaN equals any NaN: when both operands of a commutative operation are
/// NaN, x86 returns the first one's payload and sign, and both LLVM (compiling the
/// interpreter) and Cranelift may swap the operands, so NaN payloads are not
/// reproducible between engines (IEEE 754 leaves them unspecified too).
fn same_bits(a: &Array, b: &Array) -> bool {
    if a.shape() != b.shape() {
        return false;
    }
    match (a.data(), b.data()) {
        (Data::Float64(x), Data::Float64(y)) => {
            x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
        }
        (Data::Float32(x), Data::Float32(y)) => {
            x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan()))
        }
        (x, y) => x == y,
    }
}

/// Regression: `x * -x` with `x` NaN gave NaN of the other sign on the JIT (the
/// engines order the operands of `*` differently); only NaN payloads may differ.
/// A repeated call reused the kernel it prepared for the previous call whatever
/// its math mode: `--math fast` after an exact call on the same `Compiled` gave the
/// exact bits (found through the Python package).
#[test]
fn repeated_call_does_not_reuse_the_exact_kernel_in_fast_mode() {
    let c = crate::Expr::parse("a / 3").and_then(|e| e.compile(&[("a", DType::Float64)])).expect("compiles");
    let a = Array::from_vec((1..2000).map(|i| f64::from(i) * 0.37).collect::<Vec<f64>>());
    let run = |math: crate::Math| {
        let config = EvalConfig { math, ..EvalConfig::default() };
        let mut out = Array::from_vec(vec![0.0f64; a.len()]);
        c.eval_into(&[("a", &a)], &mut [(None, &mut out)], &config).expect("evaluates");
        out
    };
    let exact = run(crate::Math::Exact);
    let fast = run(crate::Math::Fast);
    let interp = EvalConfig { engine: Engine::Interp, math: crate::Math::Fast, ..EvalConfig::default() };
    let want = c.eval_with(&[("a", &a)], &[None], &interp).expect("evaluates").remove(0);
    assert!(same_bits(&fast, &want), "fast mode runs the fast program");
    assert!(!same_bits(&fast, &exact), "x * (1/3) differs from x / 3 somewhere");
    assert!(same_bits(&run(crate::Math::Exact), &exact));
}

#[test]
fn nan_payloads_are_the_only_allowed_difference() {
    let nan = Array::from_vec(vec![f64::NAN, -f64::NAN]);
    let pos = Array::from_vec(vec![f64::NAN, f64::NAN]);
    assert!(same_bits(&nan, &pos));
    assert!(!same_bits(&Array::from_vec(vec![0.0]), &Array::from_vec(vec![-0.0])));
}

/// Engine configurations the JIT must agree with the interpreter on: fused and
/// optimized (what users run) and unfused without the optimizer (raw codegen),
/// each on 1 and 4 threads.
fn jit_configs(chunk: Option<usize>) -> Vec<EvalConfig> {
    let mut v = Vec::new();
    for fuse in [true, false] {
        for threads in [1, 4] {
            let optimize = fuse;
            v.push(EvalConfig {
                engine: Engine::Jit,
                fuse,
                optimize,
                threads: Some(threads),
                chunk,
                ..EvalConfig::default()
            });
        }
    }
    v
}

/// Whether output `name` goes through a float `sum`, `prod` or `mean`, whose
/// order of operations the JIT chooses differently from the interpreter.
fn after_float_sum(c: &Compiled, name: Option<&str>) -> bool {
    let p = c.program();
    let mut stack = vec![p.output(name).expect("outputs exist")];
    let mut seen = vec![false; p.nodes.len()];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        let node = p.node(id);
        if matches!(node.inst, Inst::Reduce { op: ReduceOp::Sum | ReduceOp::Prod | ReduceOp::Mean, .. })
            && node.dtype.is_float()
        {
            return true;
        }
        stack.extend(node.inst.args());
    }
    false
}

/// `a` and `b` agree up to a relative error `rtol` of the larger magnitude plus
/// `scale` (the size of the values that were summed): what reordering a float
/// sum can change. NaN equals NaN, and also a 0 or an infinity that another
/// order of an overflowing sum or product gives; other values must be identical.
fn close(a: &Array, b: &Array, scale: f64) -> bool {
    if a.shape() != b.shape() || a.dtype() != b.dtype() {
        return false;
    }
    let rtol = if a.dtype() == DType::Float32 { 1e-4 } else { 1e-11 };
    (0..a.len()).all(|i| match (a.get(i), b.get(i)) {
        (Scalar::Float64(x), Scalar::Float64(y)) => floats_close(x, y, rtol, scale),
        (Scalar::Float32(x), Scalar::Float32(y)) => floats_close(f64::from(x), f64::from(y), rtol, scale),
        (x, y) => x == y,
    })
}

fn floats_close(x: f64, y: f64, rtol: f64, scale: f64) -> bool {
    // Another order can overflow before or after it meets a zero or an opposite
    // infinity: `inf * 0` and `inf - inf` are NaN where the other order gave 0 or inf.
    let reordered_nan = |p: f64, q: f64| p.is_nan() && (q == 0.0 || q.is_infinite());
    (x.is_nan() && y.is_nan())
        || x == y
        || reordered_nan(x, y)
        || reordered_nan(y, x)
        || (x - y).abs() <= rtol * (x.abs().max(y.abs()) + scale)
}

/// The sum of the finite magnitudes of the inputs.
fn magnitude(inputs: &[(&str, &Array)]) -> f64 {
    let value = |s: Scalar| match s {
        Scalar::Bool(v) => f64::from(u8::from(v)),
        Scalar::Int32(v) => f64::from(v),
        Scalar::Int64(v) => v as f64,
        Scalar::Float32(v) => f64::from(v),
        Scalar::Float64(v) => v,
    };
    inputs.iter().flat_map(|(_, a)| (0..a.len()).map(|i| value(a.get(i)).abs())).filter(|v| v.is_finite()).sum()
}

/// Evaluate on the interpreter and on every JIT configuration. The JIT
/// configurations must agree with each other bit for bit; with the interpreter
/// too, except after a float sum, product or mean: then float results must be
/// within [`close`], and other dtypes are not compared (a cast or comparison of
/// a sum may flip with its last bit). Errors must be the same. Returns whether
/// the interpreter succeeded.
fn check_against_interp(
    c: &Compiled,
    inputs: &[(&str, &Array)],
    outputs: &[Option<&str>],
    chunk: Option<usize>,
) -> bool {
    let interp = EvalConfig { engine: Engine::Interp, ..EvalConfig::default() };
    let want = c.eval_with(inputs, outputs, &interp);
    let sums: Vec<bool> = outputs.iter().map(|&o| after_float_sum(c, o)).collect();
    let mut first_jit: Option<Vec<Array>> = None;
    for config in jit_configs(chunk) {
        let got = c.eval_with(inputs, outputs, &config);
        match (&want, &got) {
            (Ok(w), Ok(g)) => {
                for (k, (w, g)) in w.iter().zip(g).enumerate() {
                    let agree = match (sums[k], w.dtype().is_float()) {
                        (false, _) => same_bits(w, g),
                        (true, true) => close(w, g, magnitude(inputs)),
                        (true, false) => w.shape() == g.shape(),
                    };
                    assert!(
                        agree,
                        "output {k} differs (fuse {}, threads {:?}, chunk {chunk:?})\nprogram: {:?}\ninputs: {inputs:?}\ninterp: {w:?}\njit:    {g:?}",
                        config.fuse,
                        config.threads,
                        c.program()
                    );
                }
                let first = first_jit.get_or_insert_with(|| g.clone());
                assert!(
                    first.iter().zip(g).all(|(f, g)| same_bits(f, g)),
                    "JIT configurations disagree (fuse {}, threads {:?}, chunk {chunk:?})\nprogram: {:?}\n{first:?}\n{g:?}",
                    config.fuse,
                    config.threads,
                    c.program()
                );
                // The same values written into caller-provided arrays.
                let mut outs: Vec<Array> = w.clone();
                let mut slots: Vec<(Option<&str>, &mut Array)> = outputs.iter().copied().zip(outs.iter_mut()).collect();
                c.eval_into(inputs, &mut slots, &config).expect("eval_into succeeds where eval_with does");
                assert!(g.iter().zip(&outs).all(|(g, o)| same_bits(g, o)), "eval_into differs");
            }
            (Err(w), Err(g)) => assert_eq!((w.kind, &w.message, w.span), (g.kind, &g.message, g.span)),
            (w, g) => panic!("engines disagree\nprogram: {:?}\ninterp: {w:?}\njit: {g:?}", c.program()),
        }
    }
    want.is_ok()
}

const F64_EDGES: [f64; 24] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    1.5,
    2.5,
    -2.5,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    1e300,
    -1e-300,
    3e9,
    -3e9,
    1e19,
    7.0,
    -7.0,
    0.1,
    f64::MAX,
    f64::MIN_POSITIVE,
    5e-324,
    2147483647.5,
];
const I64_EDGES: [i64; 16] = [0, 1, -1, 2, -2, 7, -7, i64::MIN, i64::MAX, 31, 32, 63, 64, -64, 100, i32::MIN as i64];
const I32_EDGES: [i32; 15] = [0, 1, -1, 2, -2, 7, -7, i32::MIN, i32::MAX, 31, 32, 63, 64, -64, 100];

/// Element `i` of a test array of `dtype`: edge values, cycling with `period`
/// so two inputs with different periods meet every pair of edges.
fn edge(dtype: DType, i: usize, period: usize) -> Scalar {
    let j = (i / period) + i;
    match dtype {
        DType::Bool => Scalar::Bool((i / period) % 2 == 1 || i.is_multiple_of(3)),
        DType::Int32 => Scalar::Int32(I32_EDGES[j % I32_EDGES.len()]),
        DType::Int64 => Scalar::Int64(I64_EDGES[j % I64_EDGES.len()]),
        DType::Float32 => Scalar::Float32(F64_EDGES[j % F64_EDGES.len()] as f32),
        DType::Float64 => Scalar::Float64(F64_EDGES[j % F64_EDGES.len()]),
    }
}

fn array_of(dtype: DType, shape: &[usize], period: usize) -> Array {
    let n: usize = shape.iter().product();
    let vals: Vec<Scalar> = (0..n).map(|i| edge(dtype, i, period)).collect();
    let data = match dtype {
        DType::Bool => Data::Bool(vals.iter().map(|s| matches!(s, Scalar::Bool(true))).collect()),
        DType::Int32 => Data::Int32(vals.iter().map(|s| if let Scalar::Int32(v) = s { *v } else { 0 }).collect()),
        DType::Int64 => Data::Int64(vals.iter().map(|s| if let Scalar::Int64(v) = s { *v } else { 0 }).collect()),
        DType::Float32 => {
            Data::Float32(vals.iter().map(|s| if let Scalar::Float32(v) = s { *v } else { 0.0 }).collect())
        }
        DType::Float64 => {
            Data::Float64(vals.iter().map(|s| if let Scalar::Float64(v) = s { *v } else { 0.0 }).collect())
        }
    };
    Array::new(data, shape.to_vec()).unwrap()
}

/// A one-operation program over inputs `x0, x1, ...` of the given dtypes.
fn one_op(dtypes: &[DType], build: impl FnOnce(&mut B, &[NodeId]) -> NodeId) -> Compiled {
    let names: Vec<String> = (0..dtypes.len()).map(|k| format!("x{k}")).collect();
    let sig: Vec<(&str, DType)> = names.iter().map(|n| n.as_str()).zip(dtypes.iter().copied()).collect();
    let mut b = B::new(&sig);
    let ids: Vec<NodeId> = (0..dtypes.len() as u32).map(NodeId).collect();
    let r = build(&mut b, &ids);
    b.finish(r)
}

/// Run a one-op program on every edge combination (full arrays), with the
/// last operand 0-d (an invariant parameter), and broadcast `(3,1) x (n,)`.
fn check_op(dtypes: &[DType], build: impl Fn(&mut B, &[NodeId]) -> NodeId) {
    let c = one_op(dtypes, build);
    let names: Vec<String> = (0..dtypes.len()).map(|k| format!("x{k}")).collect();
    let period = F64_EDGES.len();
    let full = period.pow(dtypes.len().min(2) as u32);
    let layouts: [&dyn Fn(usize) -> Vec<usize>; 3] =
        [&|_| vec![full], &|k| if k + 1 == dtypes.len() && k > 0 { vec![] } else { vec![full] }, &|k| {
            if k == 0 {
                vec![3, 1]
            } else {
                vec![period]
            }
        }];
    for shape_of in layouts {
        let arrays: Vec<Array> =
            dtypes.iter().enumerate().map(|(k, &d)| array_of(d, &shape_of(k), period.pow(k as u32).max(1))).collect();
        let inputs: Vec<(&str, &Array)> = names.iter().map(|n| n.as_str()).zip(arrays.iter()).collect();
        assert!(check_against_interp(&c, &inputs, &[None], Some(64)), "{:?} fails on {dtypes:?}", c.program());
    }
}

#[test]
fn every_unary_and_binary_operator_on_every_dtype_matches_interp() {
    for d in DType::ALL {
        for op in UnaryOp::ALL {
            if op.result(d).is_ok() {
                check_op(&[d], |b, x| b.un(op, x[0]));
            }
        }
        for op in BinaryOp::ALL {
            if let Ok((compute, _)) = op.compute(d) {
                if compute == d {
                    check_op(&[d, d], |b, x| b.bin(op, x[0], x[1]));
                }
            }
        }
    }
}

#[test]
fn every_function_on_every_dtype_matches_interp() {
    for d in DType::ALL {
        for f in Func::ALL {
            let info = f.info();
            let Ok((compute, _)) = info.rule.compute(info.name, d) else { continue };
            if compute != d {
                continue;
            }
            let args = match info.rule {
                FuncRule::Where => vec![DType::Bool, d, d],
                _ => vec![d; info.arity],
            };
            check_op(&args, |b, x| b.call(f, x));
        }
    }
}

#[test]
fn every_cast_matches_interp() {
    for from in DType::ALL {
        for to in DType::ALL {
            check_op(&[from], |b, x| b.push(Inst::Op(Op::Cast(x[0])), to));
        }
    }
}

/// Lengths around the chunk size, and chunk sizes that make every kernel call
/// after the first start at an odd element offset of its buffers.
#[test]
fn awkward_lengths_and_misaligned_chunks_match_interp() {
    let c = {
        let mut b = B::new(&[("a", DType::Float64), ("b", DType::Int32), ("s", DType::Float64)]);
        let bf = b.cast(NodeId(1), DType::Float64);
        let t = b.bin(BinaryOp::Mul, NodeId(0), bf);
        let t = b.bin(BinaryOp::Add, t, NodeId(2));
        let e = b.call(Func::Sin, &[t]);
        let gt = b.bin(BinaryOp::Gt, e, NodeId(0));
        let w = b.call(Func::Where, &[gt, e, t]);
        b.name("flag", gt);
        b.finish(w)
    };
    for chunk in [1usize, 3, 7, 64, crate::DEFAULT_CHUNK] {
        for n in [0, 1, 2, 3, chunk - 1, chunk, chunk + 1, 3 * chunk + 7] {
            let a = array_of(DType::Float64, &[n], 5);
            let bi = array_of(DType::Int32, &[n], 3);
            let s = Array::scalar(Scalar::Float64(0.25));
            let ins = [("a", &a), ("b", &bi), ("s", &s)];
            assert!(check_against_interp(&c, &ins, &[None, Some("flag")], Some(chunk)));
        }
    }
}

#[test]
fn nd_broadcasting_matches_interp() {
    let c = one_op(&[DType::Float64, DType::Float64], |b, x| b.bin(BinaryOp::Mul, x[0], x[1]));
    let shapes: [(&[usize], &[usize]); 8] = [
        (&[300, 1], &[300, 200]),
        (&[300, 200], &[200]),
        (&[50, 1, 7], &[4, 1]),
        (&[], &[2, 3]),
        (&[0, 3], &[3]),
        (&[1, 1], &[1]),
        (&[5, 1, 3], &[1, 4, 1]),
        (&[3], &[4]),
    ];
    for (sa, sb) in shapes {
        let (a, b) = (array_of(DType::Float64, sa, 3), array_of(DType::Float64, sb, 5));
        for chunk in [Some(7), None] {
            let ok = check_against_interp(&c, &[("x0", &a), ("x1", &b)], &[None], chunk);
            assert_eq!(ok, sa != [3], "{sa:?} * {sb:?}");
        }
    }
}

#[test]
fn reductions_in_kernels_match_interp() {
    // d = a - max(a); e = exp(d); e / sum(e), plus a per-axis mean.
    let mut b = B::new(&[("a", DType::Float64)]);
    let m = b.reduce(ReduceOp::Max, NodeId(0), None);
    let d = b.bin(BinaryOp::Sub, NodeId(0), m);
    let e = b.call(Func::Exp, &[d]);
    let s = b.reduce(ReduceOp::Sum, e, None);
    let r = b.bin(BinaryOp::Div, e, s);
    let mean = b.reduce(ReduceOp::Mean, NodeId(0), Some(0));
    let centered = b.bin(BinaryOp::Sub, NodeId(0), mean);
    b.name("centered", centered);
    b.name("s", s);
    let c = b.finish(r);
    for shape in [vec![7usize, 5], vec![1, 1], vec![200, 3]] {
        let a = array_of(DType::Float64, &shape, 4);
        let a = Array::new(
            Data::Float64(
                a.as_slice::<f64>()
                    .unwrap()
                    .iter()
                    .map(|v| if v.is_finite() { v.clamp(-5.0, 5.0) } else { 0.5 })
                    .collect(),
            ),
            shape.clone(),
        )
        .unwrap();
        assert!(check_against_interp(&c, &[("a", &a)], &[None, Some("centered"), Some("s")], Some(16)));
    }
    let empty = Array::zeros(DType::Float64, vec![0]).unwrap();
    assert!(!check_against_interp(&c, &[("a", &empty)], &[None], None), "max of nothing is an error");
    let plan = c.emit_fused(&[None, Some("centered")], &EvalConfig::default()).unwrap();
    assert!(plan.contains("accumulator(s): max") && plan.contains("needs:"), "{plan}");
}

// ---------------------------------------------------------------------------
// Random well-typed programs: JIT == interpreter

/// Build a random well-typed program from a list of choices (so proptest can
/// shrink it): each step applies a random operation to earlier nodes, casting
/// operands to the dtype the operation computes in.
fn random_program(input_dtypes: &[DType], steps: &[(u8, u16, u16, u16)], reductions: bool) -> Compiled {
    let names: Vec<String> = (0..input_dtypes.len()).map(|k| format!("x{k}")).collect();
    let sig: Vec<(&str, DType)> = names.iter().map(|n| n.as_str()).zip(input_dtypes.iter().copied()).collect();
    let mut b = B::new(&sig);
    for &(kind, p, q, r) in steps {
        let len = b.p.nodes.len();
        let x = NodeId(p as u32 % len as u32);
        let y = NodeId(q as u32 % len as u32);
        let dx = b.dt(x);
        match kind % 6 {
            0 => {
                let op = UnaryOp::ALL[r as usize % UnaryOp::ALL.len()];
                if op.result(dx).is_ok() {
                    b.un(op, x);
                }
            }
            1 | 2 => {
                let op = BinaryOp::ALL[r as usize % BinaryOp::ALL.len()];
                if let Ok((compute, _)) = op.compute(promote_strong(dx, b.dt(y))) {
                    let (x, y) = (b.cast(x, compute), b.cast(y, compute));
                    b.bin(op, x, y);
                }
            }
            3 => {
                let f = Func::ALL[r as usize % Func::ALL.len()];
                let info = f.info();
                let z = NodeId((p as u32 ^ q as u32) % len as u32);
                let operands = [x, y, z];
                let t = operands[..info.arity].iter().fold(dx, |t, &o| promote_strong(t, b.dt(o)));
                let t = match info.rule {
                    FuncRule::Where => Some(promote_strong(b.dt(y), b.dt(z))),
                    _ => info.rule.compute(info.name, t).ok().map(|(compute, _)| compute),
                };
                let Some(t) = t else { continue };
                let args: Vec<NodeId> = match info.rule {
                    FuncRule::Where => vec![b.cast(x, DType::Bool), b.cast(y, t), b.cast(z, t)],
                    _ => operands[..info.arity].iter().map(|&o| b.cast(o, t)).collect(),
                };
                b.call(f, &args);
            }
            4 => {
                let to = DType::ALL[r as usize % DType::ALL.len()];
                b.push(Inst::Op(Op::Cast(x)), to);
            }
            _ if reductions && r % 3 == 0 => {
                let op = ReduceOp::ALL[(r / 3) as usize % ReduceOp::ALL.len()];
                let axis = [None, Some(-1), Some(0), Some(1), Some(-2)][q as usize % 5];
                b.reduce(op, x, axis);
            }
            _ => {
                let s = edge(DType::ALL[r as usize % DType::ALL.len()], p as usize, 1);
                b.c(s);
            }
        }
    }
    let last = NodeId(b.p.nodes.len() as u32 - 1);
    let mid = NodeId(b.p.nodes.len() as u32 / 2);
    b.name("mid", mid);
    b.finish(last)
}

mod random {
    use super::*;
    use proptest::prelude::*;

    fn dtype() -> impl Strategy<Value = DType> {
        prop::sample::select(DType::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        #[test]
        fn random_programs_match_interp(
            dtypes in prop::collection::vec(dtype(), 1..4),
            steps in prop::collection::vec(any::<(u8, u16, u16, u16)>(), 1..14),
            shape_picks in prop::collection::vec(0usize..5, 3),
            n in 0usize..40,
            reductions in any::<bool>(),
        ) {
            let c = random_program(&dtypes, &steps, reductions);
            // (2, 1) does not broadcast with (3, n): shape errors must match too.
            let shapes = [vec![n], vec![], vec![3, n], vec![3, 1], vec![2, 1]];
            let arrays: Vec<Array> = dtypes
                .iter()
                .enumerate()
                .map(|(k, &d)| array_of(d, &shapes[shape_picks[k]], k + 2))
                .collect();
            let names: Vec<String> = (0..dtypes.len()).map(|k| format!("x{k}")).collect();
            let inputs: Vec<(&str, &Array)> = names.iter().map(|s| s.as_str()).zip(arrays.iter()).collect();
            check_against_interp(&c, &inputs, &[None, Some("mid")], Some(5));
        }
    }
}

/// The vector loop (f32x4 here) and its scalar tail agree with plain Rust for
/// every length around the lane count and at odd chunk offsets.
#[test]
fn vector_loop_and_scalar_tail_cover_every_element() {
    let mut b = B::new(&[("a", DType::Float32), ("b", DType::Float32)]);
    let m = b.bin(BinaryOp::Mul, NodeId(0), NodeId(1));
    let d = b.bin(BinaryOp::Div, m, NodeId(0));
    let s = b.call(Func::Sqrt, &[d]);
    let r = b.un(UnaryOp::Neg, s);
    let c = b.finish(r);
    for chunk in [None, Some(3), Some(5)] {
        for n in 0..=13usize {
            let a = Array::from_vec((0..n).map(|i| 1.0 + i as f32).collect::<Vec<_>>());
            let bb = Array::from_vec((0..n).map(|i| 2.5 * i as f32).collect::<Vec<_>>());
            let config = EvalConfig { chunk, threads: Some(2), ..EvalConfig::default() };
            let out = c.eval_with(&[("a", &a), ("b", &bb)], &[None], &config).unwrap().pop().unwrap();
            let want: Vec<f32> = (0..n)
                .map(|i| {
                    let (x, y) = (1.0 + i as f32, 2.5 * i as f32);
                    -((x * y) / x).sqrt()
                })
                .collect();
            let got = out.as_slice::<f32>().unwrap();
            assert!(got.iter().zip(&want).all(|(g, w)| g.to_bits() == w.to_bits()), "n={n}: {got:?} vs {want:?}");
        }
    }
}

/// More parameters than the executor's on-stack pointer array, and a long chain
/// of operations in one kernel, both through the real front end.
#[test]
fn many_parameters_and_long_chains_match_interp() {
    let names: Vec<String> = (0..20).map(|k| format!("x{k}")).collect();
    let arrays: Vec<Array> = (0..20).map(|k| array_of(DType::Float64, &[100], k + 2)).collect();
    let inputs: Vec<(&str, &Array)> = names.iter().map(|n| n.as_str()).zip(&arrays).collect();
    let sig: Vec<(&str, DType)> = names.iter().map(|n| (n.as_str(), DType::Float64)).collect();
    let sum = names.join(" * 0.5 + ");
    let c = crate::Expr::parse(&sum).unwrap().compile(&sig).unwrap();
    assert!(check_against_interp(&c, &inputs, &[None], Some(7)));
    let chain: String = (0..2000).map(|i| format!("t = t + x{} * {i}\n", i % 20)).collect();
    let c = crate::Expr::parse(&format!("t = x0\n{chain}t")).unwrap().compile(&sig).unwrap();
    assert!(check_against_interp(&c, &inputs, &[None], None));
}

/// Kernels with vmath block calls (phases per block) and vector comparisons,
/// selects, min/max, rounding and bool outputs: bit-identical to the interpreter
/// at every length around the lane count, the unroll factor and the block size,
/// on special values (NaN, ±inf, ±0, subnormals, huge) and at odd chunk offsets.
#[test]
fn block_math_and_vector_ops_match_interp_at_awkward_lengths() {
    const BLOCK: usize = 512;
    let exprs = [
        "exp(a)",
        "log(1 + exp(a))",
        "sin(a)**2 + cos(b)**2",
        "a**2.5 + b**a",
        "arctan2(a, b) + hypot(a, b) * expm1(b)",
        "tanh(exp(a)) - cbrt(log2(b))",
        "where(a > b, a - b, 0.0)",
        "where((a >= b) & ~(b != b) | (a == 0.5), minimum(a, b), maximum(a, -b))",
        "clip(a, -1, 1) + floor(a) + ceil(b) + trunc(a) + rint(b) + copysign(a, b) + abs(b)",
        "exp(a) * 2 > b",
        "sqrt(a*a + b*b) / (a - 3)",
    ];
    let mut lengths: Vec<usize> = (0..=17).collect();
    lengths.extend([BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 7]);
    for dtype in [DType::Float64, DType::Float32] {
        for e in exprs {
            let c = crate::Expr::parse(e).unwrap().compile(&[("a", dtype), ("b", dtype)]).unwrap();
            for &n in &lengths {
                let a = array_of(dtype, &[n], 1);
                let b = array_of(dtype, &[n], 5);
                for chunk in [None, Some(7)] {
                    assert!(check_against_interp(&c, &[("a", &a), ("b", &b)], &[None], chunk), "{e} on {dtype}, n={n}");
                }
            }
        }
    }
}

/// Math functions on special values and on uniform arguments across blocks: the
/// JIT's block calls and the interpreter's slices give the same bits.
#[test]
fn every_math_function_matches_interp_on_special_values() {
    let specials = [
        0.0,
        -0.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        5e-324,
        -2.2e-308,
        f64::MIN_POSITIVE,
        1e300,
        -1e300,
        f64::MAX,
        710.0,
        -746.0,
        1e6,
        1e22,
        0.5,
        -0.5,
        1.0,
        -1.0,
        2.0,
    ];
    let n = 1100;
    let vals: Vec<f64> = (0..n)
        .map(|i| if i % 7 == 0 { specials[(i / 7) % specials.len()] } else { -3.0 + i as f64 * 0.0055 })
        .collect();
    for f in Func::ALL {
        let info = f.info();
        if info.rule != FuncRule::Math {
            continue;
        }
        for dtype in [DType::Float64, DType::Float32] {
            let args = ["a", "b", "c"][..info.arity].join(", ");
            let c = crate::Expr::parse(&format!("{}({args})", info.name))
                .unwrap()
                .compile(&[("a", dtype), ("b", dtype), ("c", dtype)])
                .unwrap();
            // `c`: the values rotated by a third, so three-argument functions
            // (`fma`) meet every special value against the others.
            let third: Vec<f64> = vals.iter().cycle().skip(n / 3).take(n).copied().collect();
            let (a, b, c3): (Array, Array, Array) = match dtype {
                DType::Float32 => (
                    Array::from_vec(vals.iter().map(|&v| v as f32).collect::<Vec<_>>()),
                    Array::from_vec(vals.iter().rev().map(|&v| v as f32).collect::<Vec<_>>()),
                    Array::from_vec(third.iter().map(|&v| v as f32).collect::<Vec<_>>()),
                ),
                _ => (
                    Array::from_vec(vals.clone()),
                    Array::from_vec(vals.iter().rev().copied().collect::<Vec<_>>()),
                    Array::from_vec(third),
                ),
            };
            let inputs = [("a", &a), ("b", &b), ("c", &c3)];
            assert!(check_against_interp(&c, &inputs, &[None], Some(301)), "{}", info.name);
        }
    }
}

/// CSE merges `b == a` into the earlier `a == b`: the JIT used to report that
/// node's shapes in its operand order and at its span, not the interpreter's.
#[test]
fn shape_errors_after_cse_of_commuted_operands_are_the_interpreters() {
    let c = crate::Expr::parse("x = a == b; b == a")
        .and_then(|e| e.compile(&[("a", DType::Float64), ("b", DType::Float64)]))
        .expect("compiles");
    let a = Array::new(Data::Float64(vec![0.0; 2]), vec![2, 1]).expect("an array");
    let b = Array::new(Data::Float64(vec![0.0; 3]), vec![3, 1]).expect("an array");
    let interp = EvalConfig { engine: Engine::Interp, ..EvalConfig::default() };
    let want = c.eval_with(&[("a", &a), ("b", &b)], &[None], &interp).expect_err("shapes clash");
    let got = c.eval_with(&[("a", &a), ("b", &b)], &[None], &EvalConfig::default()).expect_err("shapes clash");
    assert_eq!((got.kind, &got.message, got.span), (want.kind, &want.message, want.span));
    assert!(want.message.contains("(3, 1) (2, 1)"), "{}", want.message);
}

#[test]
fn defect9_compiled_new_checks_hand_built_ir() {
    // `a + b` with a bool and a float64 operand: no engine has a meaning for it.
    let mut b = B::new(&[("a", DType::Bool), ("b", DType::Float64)]);
    let bad = b.push(Inst::Op(Op::Binary(BinaryOp::Add, NodeId(0), NodeId(1))), DType::Float64);
    b.p.result = bad;
    let err = Compiled::new(String::new(), b.p.clone()).unwrap_err();
    assert_eq!(err.kind, crate::ErrorKind::Internal);
    assert!(err.message.starts_with("invalid IR at node 2"), "{}", err.message);
    // A result that refers to no node.
    b.p.result = NodeId(7);
    b.p.nodes.truncate(2);
    assert_eq!(Compiled::new(String::new(), b.p).unwrap_err().kind, crate::ErrorKind::Internal);
}
