//! Kernels that feed reductions: loop-carried slots and row accumulators.
//!
//! ```text
//! entry(ptrs, n):   if n == 0 goto exit
//! pre:              load every row pointer and every strided operand's byte
//!                   stride; load invariant parameters;
//!                   compute every node that depends on invariant values only
//!                   [folded reductions: goto group(0, min(n, BLOCK - phase), 0)]
//!                   [vectorizable: m = n rounded down to the step;
//!                    if m > 0 goto vbody(0, ..) else goto tail(0, ..)]
//!                   goto body(0)
//! group(lo, hi, g): [folds only] load block g's slots; the loops below run
//!                   over lo..hi instead of 0..n
//! vbody(i, vacc):   the same on `step` elements at once (f64x2, f32x4; unrolled
//!                   to 8 elements when the kernel folds a sum);
//!                   i += step; if i < m goto vbody(i, vacc) else goto tail(i, vacc)
//! tail(i, vacc):    slots = the lanes of vacc; if i < hi goto body(i, slots) else goto done(slots)
//! [float min/max folds only, instead of vbody and tail (`emit_extremum_group`):]
//! vloop(i, vacc):   if hi - lo is a multiple of the step: lane-wise minpd/maxpd
//!                   over lo..hi, NaNs noted beside; then if a NaN was seen or the
//!                   extremum m is a zero goto body(lo, slots) (the in-order
//!                   loop decides the bits), else goto done(combine(slots, m))
//! body(i, slots):   load contiguous (strided) parameters at i (i * stride);
//!                   compute the rest; store every output at i (i * stride);
//!                   accumulate; i += 1;
//!                   if i < hi goto body(i, slots) else goto done(slots)
//! done(slots):      [folds only] store block g's slots;
//!                   if hi < n goto group(hi, min(n, hi + BLOCK), g + 1) else goto exit
//! exit:             return
//! ```
//!
//! A kernel gets the vector loop when all its values are one float dtype (no
//! bool masks), every operation has an exact lane-wise lowering in
//! [`crate::codegen::vector`] (the phase loops' lowering: arithmetic, sqrt,
//! abs, floor, minimum, copysign, ...), no operand is strided and every
//! reduction is a float sum, mean or product: lane-wise these give exactly the
//! scalar results. A kernel whose folds are all float min/max (one slot each,
//! combined in order) gets a vector loop per whole group instead, exact because
//! the order only decides the bits of a zero or NaN extremum, and such groups
//! run the scalar loop. Scalar nodes go through [`super::emit_scalar`], as in
//! [`super::phased`]. Everything else is scalar,
//! and math functions are called per element (the same `semantics` functions the
//! interpreter uses, so the same bits). Kernels whose reductions read
//! functions with only a vmath block kernel (exp, log, sin, `**`, ...) are split
//! before they reach this builder (`codegen/split.rs`): [`super::phased`]
//! computes their arguments block-wise and this builder folds them.
//!
//! Reductions (see [`crate::codegen::Layout`] for the two accumulator layouts):
//! - *row* accumulators (one per element): `acc[i] = combine(acc[i], x[i])`;
//! - *folded* accumulators are `K` *slots* ([`accumulator_slots`]: 8 for float
//!   sums, means and products, 1 otherwise) per block of [`FOLD_BLOCK`]
//!   elements, loaded from the block's group at its start, carried by the loops
//!   and stored back at its end. The next element always goes
//!   into the first slot, and the scalar loop passes the slots on rotated by one
//!   (its block parameters), so element `i` of a call meets slot `i mod K` of the
//!   order the call found them in, and the stored order is what the next call
//!   continues from: a run of elements split over several calls performs exactly
//!   the additions of one call. The vector loop holds slot `s` in lane
//!   `s mod lanes` of vector accumulator `s / lanes` (unrolled so one step is 8
//!   elements) and hands them to the scalar loop at a multiple of 8 elements,
//!   where the rotation is where it started: both loops perform the same
//!   additions in the same order. The executor combines the slots.
//!   With one slot, elements are combined strictly in order, so min and max see
//!   them as the interpreter does (ties between `0.0` and `-0.0` included).
//!
//! Cranelift concepts: values are SSA; a block's parameters play the role of phi
//! nodes (`i` and the slots are `body`'s parameters); a block is *sealed* once all
//! its predecessors are known, which lets the frontend finish SSA construction;
//! everything computed in `pre` dominates `body`, so hoisted values are simply
//! reused there.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, Block, BlockArg, Function, InstBuilder, Type, Value};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::{element_addr, emit_entry, emit_scalars, mem, operand_dtype, varying_nodes, Row};
use crate::codegen::ops::{clif_type, Emitter};
use crate::codegen::{accumulator_slots, accumulator_start, vector, Layout, FOLD_BLOCK};
use crate::fuse::{KOp, Kernel};
use crate::ir::ops::{BinaryOp, Func, ReduceOp};
use crate::types::DType;

/// A kernel's accumulators, split by layout.
struct Accs {
    /// Reductions folded into loop-carried slots: (reduction index, slot count).
    folds: Vec<(usize, usize)>,
    /// Reductions accumulated into a row, one accumulator per element.
    rows: Vec<usize>,
}

impl Accs {
    fn new(kernel: &Kernel, layouts: &[Layout]) -> Accs {
        let mut accs = Accs { folds: Vec::new(), rows: Vec::new() };
        for (r, red) in kernel.reductions.iter().enumerate() {
            match layouts[r] {
                Layout::Invariant => accs.folds.push((r, accumulator_slots(red.op, kernel.reduction_dtype(r)))),
                Layout::Contiguous => accs.rows.push(r),
                Layout::Strided => unreachable!("codegen::function rejects strided accumulators"),
            }
        }
        accs
    }

    /// The types of all slots, in order (fold by fold).
    fn slot_types(&self, kernel: &Kernel) -> Vec<Type> {
        let mut tys = Vec::new();
        for &(r, k) in &self.folds {
            tys.extend(std::iter::repeat_n(clif_type(kernel.reduction_dtype(r)), k));
        }
        tys
    }
}

/// Everything the loop emitters share.
struct Cx<'k> {
    kernel: &'k Kernel,
    accs: Accs,
    varying: Vec<bool>,
    /// Row pointers: parameters, outputs, then accumulators.
    rows: Vec<Row>,
    /// Whether some operand is strided (then there is no vector loop).
    strided: bool,
}

/// One run of the loops over elements `lo..hi`, continuing at `cont` (which
/// takes the folds' slots as parameters). `lo` is `None` for 0.
struct Pass {
    lo: Option<Value>,
    hi: Value,
    cont: Block,
}

pub(super) fn build(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    kernel: &Kernel,
    layouts: &[Layout],
    isa: &dyn TargetIsa,
) {
    let ptr_ty = isa.pointer_type();
    let (operand_layouts, acc_layouts) = layouts.split_at(kernel.params.len() + kernel.outputs.len());
    let accs = Accs::new(kernel, acc_layouts);
    let mut em = Emitter::new(FunctionBuilder::new(func, fctx), isa.default_call_conv(), ptr_ty);
    let (ptrs, n, exit) = emit_entry(&mut em.b);
    let body = em.b.create_block();
    em.b.append_block_param(body, ptr_ty);
    for ty in accs.slot_types(kernel) {
        em.b.append_block_param(body, ty);
    }
    let slot = ptr_ty.bytes() as i32;
    let operands = layouts.len();
    let rows: Vec<Row> = (0..operands)
        .map(|k| {
            let base = em.b.ins().load(ptr_ty, mem(), ptrs, slot * k as i32);
            // A strided operand's byte stride follows the row pointers.
            let stride = (layouts[k] == Layout::Strided)
                .then(|| em.b.ins().load(ptr_ty, mem(), ptrs, slot * (operands + k) as i32));
            Row { base, stride }
        })
        .collect();
    let strided = operand_layouts.contains(&Layout::Strided);
    let cx = Cx { kernel, varying: varying_nodes(kernel, operand_layouts), accs, rows, strided };
    let mut vals: Vec<Option<Value>> = vec![None; kernel.nodes.len()];
    emit_nodes(&mut em, &cx, None, &mut vals);
    // Where the scalar body ends and where it goes then.
    let (hi, cont) = if cx.accs.folds.is_empty() {
        match vector_type(&cx) {
            Some(vty) => emit_vector_loop(&mut em, &cx, &vals, vty, &Pass { lo: None, hi: n, cont: exit }, body, &[]),
            None => {
                let zero = em.b.ins().iconst(ptr_ty, 0);
                em.b.ins().jump(body, &[zero.into()]);
            }
        }
        (n, exit)
    } else {
        // The phase follows the strides.
        let phase = em.b.ins().load(ptr_ty, mem(), ptrs, slot * 2 * operands as i32);
        emit_blocks(&mut em, &cx, &vals, n, phase, body, exit)
    };

    em.b.switch_to_block(body);
    let i = em.b.block_params(body)[0];
    let slots: Vec<Value> = em.b.block_params(body)[1..].to_vec();
    emit_nodes(&mut em, &cx, Some(i), &mut vals);
    for (k, &o) in kernel.outputs.iter().enumerate() {
        let node = &kernel.nodes[o as usize];
        let addr = element_addr(&mut em.b, cx.rows[kernel.params.len() + k], i, clif_type(node.dtype));
        let v = vals[o as usize].expect("outputs are computed before they are stored");
        em.b.ins().store(mem(), v, addr, 0);
    }
    emit_row_accumulation(&mut em, &cx, &vals, i, None);
    let slots = rotate_slots(&mut em, &cx, &vals, &slots);
    let next = em.b.ins().iadd_imm_u(i, 1);
    let more = em.b.ins().icmp(IntCC::UnsignedLessThan, next, hi);
    em.b.ins().brif(more, body, &block_args(Some(next), &slots), cont, &block_args(None, &slots));

    em.b.switch_to_block(exit);
    em.b.ins().return_(&[]);
    em.b.seal_all_blocks();
    let config = isa.frontend_config();
    em.finish().finalize(config);
}

/// Elements in blocks: each fold's pointer addresses one group of slots per
/// block of [`FOLD_BLOCK`] elements, and the word after the accumulator pointers
/// says how many elements of the first block earlier calls took (`phase`).
/// Each block runs the loops with its group's slots, loaded before and stored
/// after. Returns the end of the current block and the block that stores the
/// slots (the scalar body's exits).
fn emit_blocks(
    em: &mut Emitter<'_>,
    cx: &Cx<'_>,
    vals: &[Option<Value>],
    n: Value,
    phase: Value,
    body: Block,
    exit: Block,
) -> (Value, Block) {
    let ptr_ty = em.b.func.dfg.value_type(n);
    let group = em.b.create_block();
    let done = em.b.create_block();
    for _ in 0..3 {
        em.b.append_block_param(group, ptr_ty);
    }
    for ty in cx.accs.slot_types(cx.kernel) {
        em.b.append_block_param(done, ty);
    }
    let block = em.b.ins().iconst(ptr_ty, FOLD_BLOCK as i64);
    let first = em.b.ins().isub(block, phase);
    let first = em.b.ins().umin(first, n);
    let zero = em.b.ins().iconst(ptr_ty, 0);
    em.b.ins().jump(group, &block_args(Some(zero), &[first, zero]));

    // group(lo, hi, g): the slots of block g cover elements lo..hi.
    em.b.switch_to_block(group);
    let (lo, hi, g) = (em.b.block_params(group)[0], em.b.block_params(group)[1], em.b.block_params(group)[2]);
    let base = cx.kernel.params.len() + cx.kernel.outputs.len();
    // Only a call's first block, when the call starts inside it, continues
    // what earlier calls folded; every other block starts fresh, so the caller
    // need not fill the groups before each call.
    let later = em.b.ins().icmp_imm_u(IntCC::NotEqual, g, 0);
    let at_start = em.b.ins().icmp_imm_u(IntCC::Equal, phase, 0);
    let fresh = em.b.ins().bor(later, at_start);
    let mut addrs = Vec::new();
    let mut slots = Vec::new();
    for &(r, k) in &cx.accs.folds {
        let dtype = cx.kernel.reduction_dtype(r);
        let ty = clif_type(dtype);
        let stride = em.b.ins().imul_imm_u(g, (k as u32 * ty.bytes()) as i64);
        let addr = em.b.ins().iadd(cx.rows[base + r].base, stride);
        if vector_type(cx).is_none() {
            let start = em.constant(accumulator_start(cx.kernel.reductions[r].op, dtype));
            for s in 0..k {
                let old = em.b.ins().load(ty, mem(), addr, (s as u32 * ty.bytes()) as i32);
                slots.push(em.b.ins().select(fresh, start, old));
            }
        }
        addrs.push((addr, fresh));
    }
    let pass = Pass { lo: Some(lo), hi, cont: done };
    match (vector_type(cx), extremum_vector_type(cx)) {
        (Some(vty), _) => emit_vector_loop(em, cx, vals, vty, &pass, body, &addrs),
        (None, Some(vty)) => emit_extremum_group(em, cx, vals, vty, &pass, body, &slots),
        (None, None) => {
            em.b.ins().jump(body, &block_args(Some(lo), &slots));
        }
    }

    // done(slots): store them back, go on with the next block or return.
    em.b.switch_to_block(done);
    let slots: Vec<Value> = em.b.block_params(done).to_vec();
    let mut at = 0;
    for (&(_, k), &(addr, _)) in cx.accs.folds.iter().zip(&addrs) {
        for (s, &v) in slots[at..at + k].iter().enumerate() {
            let size = em.b.func.dfg.value_type(v).bytes();
            em.b.ins().store(mem(), v, addr, (s as u32 * size) as i32);
        }
        at += k;
    }
    let more = em.b.ins().icmp(IntCC::UnsignedLessThan, hi, n);
    let next_hi = em.b.ins().iadd_imm_u(hi, FOLD_BLOCK as i64);
    let next_hi = em.b.ins().umin(next_hi, n);
    let next_g = em.b.ins().iadd_imm_u(g, 1);
    em.b.ins().brif(more, group, &block_args(Some(hi), &[next_hi, next_g]), exit, &[]);
    (hi, done)
}

/// Block arguments: an optional index followed by values.
fn block_args(index: Option<Value>, values: &[Value]) -> Vec<BlockArg> {
    index.into_iter().chain(values.iter().copied()).map(BlockArg::from).collect()
}

/// `combine(acc, x)`: one step of reduction `op` on values of `dtype` (scalars,
/// or vectors for the float operations the vector loop admits).
fn combine(em: &mut Emitter<'_>, op: ReduceOp, dtype: DType, acc: Value, x: Value) -> Value {
    match op {
        ReduceOp::Sum | ReduceOp::Mean => em.binary(BinaryOp::Add, dtype, acc, x),
        ReduceOp::Prod => em.binary(BinaryOp::Mul, dtype, acc, x),
        ReduceOp::Min => em.call(Func::Minimum, dtype, &[acc, x]),
        ReduceOp::Max => em.call(Func::Maximum, dtype, &[acc, x]),
        ReduceOp::Any => em.binary(BinaryOp::BitOr, DType::Bool, acc, x),
        ReduceOp::All => em.binary(BinaryOp::BitAnd, DType::Bool, acc, x),
    }
}

/// The body's next slots: each fold's first slot takes the element, then the
/// slots move down by one (so the next element meets the next slot).
fn rotate_slots(em: &mut Emitter<'_>, cx: &Cx<'_>, vals: &[Option<Value>], slots: &[Value]) -> Vec<Value> {
    let mut next = Vec::with_capacity(slots.len());
    let mut at = 0;
    for &(r, k) in &cx.accs.folds {
        let red = cx.kernel.reductions[r];
        let x = vals[red.arg as usize].expect("reduction arguments are computed");
        let s = &slots[at..at + k];
        let acc = combine(em, red.op, cx.kernel.reduction_dtype(r), s[0], x);
        next.extend_from_slice(&s[1..]);
        next.push(acc);
        at += k;
    }
    next
}

/// `acc[i] = combine(acc[i], x[i])` for every row accumulator, on scalars
/// (`vty: None`) or on vectors of `vty` at element `i`.
fn emit_row_accumulation(em: &mut Emitter<'_>, cx: &Cx<'_>, vals: &[Option<Value>], i: Value, vty: Option<Type>) {
    let base = cx.kernel.params.len() + cx.kernel.outputs.len();
    for &r in &cx.accs.rows {
        let red = cx.kernel.reductions[r];
        let dtype = cx.kernel.reduction_dtype(r);
        let x = vals[red.arg as usize].expect("reduction arguments are computed");
        let lane_ty = clif_type(dtype);
        let addr = element_addr(&mut em.b, cx.rows[base + r], i, lane_ty);
        let old = em.b.ins().load(vty.unwrap_or(lane_ty), mem(), addr, 0);
        let new = combine(em, red.op, dtype, old, x);
        em.b.ins().store(mem(), new, addr, 0);
    }
}

/// The vector type of a kernel that gets a vector loop, if it does.
fn vector_type(cx: &Cx<'_>) -> Option<Type> {
    let (kernel, accs) = (cx.kernel, &cx.accs);
    if cx.strided {
        return None;
    }
    let dtype = kernel.nodes.first()?.dtype;
    let vty = match dtype {
        DType::Float64 => types::F64X2,
        DType::Float32 => types::F32X4,
        DType::Bool | DType::Int32 | DType::Int64 => return None,
    };
    // Every value one float dtype (no bool masks), every operation one with an
    // exact lane-wise lowering.
    let simple = (kernel.nodes.iter().enumerate())
        .all(|(k, n)| n.dtype == dtype && vector::supported(n, operand_dtype(kernel, k)));
    // Lane-wise sums and products; the vector loop's step makes exactly the
    // folds' 8 slots.
    let lanes = vty.lane_count() as usize;
    let sums = kernel.reductions.iter().all(|r| matches!(r.op, ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Prod));
    let slots_fit = accs.folds.iter().all(|&(_, k)| k % lanes == 0 && k == accs.folds[0].1);
    (simple && sums && slots_fit).then_some(vty)
}

/// The vector type of a kernel whose folds are all float min/max
/// ([`emit_extremum_group`]): every value one float dtype, every operation
/// lane-wise, no strided operand, no output and no row accumulator.
fn extremum_vector_type(cx: &Cx<'_>) -> Option<Type> {
    let kernel = cx.kernel;
    if cx.strided || !kernel.outputs.is_empty() || !cx.accs.rows.is_empty() || cx.accs.folds.is_empty() {
        return None;
    }
    let dtype = kernel.nodes.first()?.dtype;
    let vty = vector::vector_type(dtype).filter(|_| dtype.is_float())?;
    let simple = (kernel.nodes.iter().enumerate())
        .all(|(k, n)| n.dtype == dtype && vector::supported(n, operand_dtype(kernel, k)));
    let extrema = kernel.reductions.iter().all(|r| matches!(r.op, ReduceOp::Min | ReduceOp::Max));
    (simple && extrema).then_some(vty)
}

/// Vector accumulators per min/max fold in [`emit_extremum_group`]: independent
/// chains, so the loop is not bound by the latency of one.
const EXTREMUM_UNROLL: usize = 4;

/// A group of float min/max folds (one slot each, combined strictly in order,
/// see [`accumulator_slots`]) on vectors, exactly: when the group's length is a
/// multiple of the step, lane-wise `minpd`/`maxpd` ([`vector::pmin`]) over it
/// give its extremum `m`, whose value does not depend on the order, unless a
/// NaN is among the elements (tracked beside: those instructions drop it).
/// Only `m`'s bits can depend on the order: a zero (`0.0` and `-0.0` tie, and
/// the in-order fold keeps the last one). Otherwise every element equal to
/// `m` has `m`'s bits, so the in-order fold of the group onto the slot is
/// `combine(slot, m)`. A group with a NaN or whose `m` is a zero, or whose
/// length is not a multiple of the step, runs the scalar loop from its start
/// instead.
fn emit_extremum_group(
    em: &mut Emitter<'_>,
    cx: &Cx<'_>,
    scalars: &[Option<Value>],
    vty: Type,
    pass: &Pass,
    body: Block,
    slots: &[Value],
) {
    let kernel = cx.kernel;
    let lo = pass.lo.expect("folds run in groups");
    let ptr_ty = em.b.func.dfg.value_type(pass.hi);
    let lanes = vty.lane_count() as usize;
    let mask_ty = vty.as_int();
    let step = (lanes * EXTREMUM_UNROLL) as i64;
    let chains = cx.accs.folds.len() * EXTREMUM_UNROLL;
    let vloop = em.b.create_block();
    let vdone = em.b.create_block();
    em.b.append_block_param(vloop, ptr_ty);
    for _ in 0..chains {
        em.b.append_block_param(vloop, vty);
        em.b.append_block_param(vdone, vty);
    }
    for _ in 0..chains {
        em.b.append_block_param(vloop, mask_ty);
        em.b.append_block_param(vdone, mask_ty);
    }
    let len = em.b.ins().isub(pass.hi, lo);
    let rest = em.b.ins().band_imm_u(len, step - 1);
    let ragged = em.b.ins().icmp_imm_u(IntCC::NotEqual, rest, 0);
    let empty = em.b.ins().icmp_imm_u(IntCC::Equal, len, 0);
    let scalar = em.b.ins().bor(ragged, empty);
    let mut vvals = splat_invariants(em, cx, scalars, vty);
    let mut vstart = Vec::new();
    for &(r, _) in &cx.accs.folds {
        vstart.extend(std::iter::repeat_n(vector_start(em, kernel, r, vty), EXTREMUM_UNROLL));
    }
    let no_nan = em.b.ins().iconst(mask_ty.lane_type(), 0);
    let no_nan = em.b.ins().splat(mask_ty, no_nan);
    vstart.extend(std::iter::repeat_n(no_nan, chains));
    em.b.ins().brif(scalar, body, &block_args(Some(lo), slots), vloop, &block_args(Some(lo), &vstart));

    em.b.switch_to_block(vloop);
    let i = em.b.block_params(vloop)[0];
    let mut vaccs: Vec<Value> = em.b.block_params(vloop)[1..].to_vec();
    for u in 0..EXTREMUM_UNROLL {
        let iu = if u == 0 { i } else { em.b.ins().iadd_imm_u(i, (u * lanes) as i64) };
        emit_vector_nodes(&mut em.b, cx, vty, iu, &mut vvals);
        for (f, &(r, _)) in cx.accs.folds.iter().enumerate() {
            let red = kernel.reductions[r];
            let x = vvals[red.arg as usize].expect("reduction arguments are computed");
            let c = f * EXTREMUM_UNROLL + u;
            vaccs[c] = match red.op {
                ReduceOp::Min => vector::pmin(&mut em.b, x, vaccs[c]),
                _ => vector::pmax(&mut em.b, x, vaccs[c]),
            };
            let nan = em.b.ins().fcmp(FloatCC::Unordered, x, x);
            vaccs[chains + c] = em.b.ins().bor(vaccs[chains + c], nan);
        }
    }
    let next = em.b.ins().iadd_imm_u(i, step);
    let more = em.b.ins().icmp(IntCC::UnsignedLessThan, next, pass.hi);
    em.b.ins().brif(more, vloop, &block_args(Some(next), &vaccs), vdone, &block_args(None, &vaccs));

    // vdone: each fold's extremum; the scalar loop after a NaN or for a zero.
    em.b.switch_to_block(vdone);
    let vaccs: Vec<Value> = em.b.block_params(vdone).to_vec();
    let nans = vaccs[chains + 1..].iter().fold(vaccs[chains], |m, &n| em.b.ins().bor(m, n));
    let mut odd = em.b.ins().vany_true(nans);
    let mut next_slots = Vec::with_capacity(cx.accs.folds.len());
    for (f, &(r, _)) in cx.accs.folds.iter().enumerate() {
        let red = kernel.reductions[r];
        // NaN-free here (else the scalar loop runs): any max or min will do.
        let extremum = |b: &mut FunctionBuilder<'_>, x: Value, y: Value| match red.op {
            ReduceOp::Min => b.ins().fmin(x, y),
            _ => b.ins().fmax(x, y),
        };
        let accs = &vaccs[f * EXTREMUM_UNROLL..(f + 1) * EXTREMUM_UNROLL];
        let v = accs[1..].iter().fold(accs[0], |v, &w| match red.op {
            ReduceOp::Min => vector::pmin(&mut em.b, v, w),
            _ => vector::pmax(&mut em.b, v, w),
        });
        let mut m = em.b.ins().extractlane(v, 0);
        for l in 1..lanes {
            let x = em.b.ins().extractlane(v, l as u8);
            m = extremum(&mut em.b, m, x);
        }
        let dtype = kernel.reduction_dtype(r);
        let zero = em.constant(accumulator_start(ReduceOp::Sum, dtype));
        let is_zero = em.b.ins().fcmp(FloatCC::Equal, m, zero);
        odd = em.b.ins().bor(odd, is_zero);
        next_slots.push(combine(em, red.op, dtype, slots[f], m));
    }
    em.b.ins().brif(odd, body, &block_args(Some(lo), slots), pass.cont, &block_args(None, &next_slots));
}

/// Emit, from the current block, the vector loop over the elements of `pass`
/// up to a multiple of the step and the jump to the scalar loop for the rest.
/// The folds' slots start as the vectors at `addrs`, or (where the paired
/// flag is set: a fresh block) as their reductions' start.
fn emit_vector_loop(
    em: &mut Emitter<'_>,
    cx: &Cx<'_>,
    scalars: &[Option<Value>],
    vty: Type,
    pass: &Pass,
    body: Block,
    addrs: &[(Value, Value)],
) {
    let kernel = cx.kernel;
    let ptr_ty = em.b.func.dfg.value_type(pass.hi);
    let lanes = vty.lane_count() as usize;
    // One vector accumulator per `lanes` slots: unrolled so that the step holds
    // every slot once.
    let unroll = cx.accs.folds.first().map_or(1, |&(_, k)| k / lanes);
    let step = (lanes * unroll) as i64;
    let vbody = em.b.create_block();
    let tail = em.b.create_block();
    em.b.append_block_param(vbody, ptr_ty);
    em.b.append_block_param(tail, ptr_ty);
    for _ in 0..cx.accs.folds.len() * unroll {
        em.b.append_block_param(vbody, vty);
        em.b.append_block_param(tail, vty);
    }
    let mut vvals = splat_invariants(em, cx, scalars, vty);
    // The slots as vectors: `lanes` consecutive slots per vector.
    let mut vstart = Vec::new();
    for (&(addr, fresh), &(r, _)) in addrs.iter().zip(&cx.accs.folds) {
        let start = vector_start(em, kernel, r, vty);
        for u in 0..unroll {
            let old = em.b.ins().load(vty, mem(), addr, (u as u32 * vty.bytes()) as i32);
            vstart.push(em.b.ins().select(fresh, start, old));
        }
    }
    // m: the end of the vector loop, `lo + (hi - lo)` rounded down to the step.
    let (lo, m) = match pass.lo {
        None => (em.b.ins().iconst(ptr_ty, 0), em.b.ins().band_imm_s(pass.hi, -step)),
        Some(lo) => {
            let len = em.b.ins().isub(pass.hi, lo);
            let len = em.b.ins().band_imm_s(len, -step);
            (lo, em.b.ins().iadd(lo, len))
        }
    };
    let any = em.b.ins().icmp(IntCC::NotEqual, m, lo);
    em.b.ins().brif(any, vbody, &block_args(Some(lo), &vstart), tail, &block_args(Some(lo), &vstart));

    em.b.switch_to_block(vbody);
    let i = em.b.block_params(vbody)[0];
    let mut vaccs: Vec<Value> = em.b.block_params(vbody)[1..].to_vec();
    for u in 0..unroll {
        let iu = if u == 0 { i } else { em.b.ins().iadd_imm_u(i, (u * lanes) as i64) };
        emit_vector_nodes(&mut em.b, cx, vty, iu, &mut vvals);
        for (k, &o) in kernel.outputs.iter().enumerate() {
            let addr = element_addr(&mut em.b, cx.rows[kernel.params.len() + k], iu, vty.lane_type());
            let v = vvals[o as usize].expect("outputs are computed before they are stored");
            em.b.ins().store(mem(), v, addr, 0);
        }
        emit_row_accumulation(em, cx, &vvals, iu, Some(vty));
        for (f, &(r, _)) in cx.accs.folds.iter().enumerate() {
            let red = kernel.reductions[r];
            let x = vvals[red.arg as usize].expect("reduction arguments are computed");
            let a = &mut vaccs[f * unroll + u];
            *a = combine(em, red.op, kernel.reduction_dtype(r), *a, x);
        }
    }
    let next = em.b.ins().iadd_imm_u(i, step);
    let more = em.b.ins().icmp(IntCC::UnsignedLessThan, next, m);
    em.b.ins().brif(more, vbody, &block_args(Some(next), &vaccs), tail, &block_args(Some(next), &vaccs));

    em.b.switch_to_block(tail);
    let i = em.b.block_params(tail)[0];
    let vaccs: Vec<Value> = em.b.block_params(tail)[1..].to_vec();
    // Slot `s` of a fold is lane `s % lanes` of its vector `s / lanes`.
    let mut slots = Vec::new();
    for f in 0..cx.accs.folds.len() {
        for s in 0..unroll * lanes {
            slots.push(em.b.ins().extractlane(vaccs[f * unroll + s / lanes], (s % lanes) as u8));
        }
    }
    let rest = em.b.ins().icmp(IntCC::UnsignedLessThan, i, pass.hi);
    em.b.ins().brif(rest, body, &block_args(Some(i), &slots), pass.cont, &block_args(None, &slots));
}

/// The invariant values broadcast to every lane of `vty` (once per loop: in
/// the pre-header, or per block group, which is cheap next to its elements);
/// `None` for the varying nodes, which the loop computes.
fn splat_invariants(em: &mut Emitter<'_>, cx: &Cx<'_>, scalars: &[Option<Value>], vty: Type) -> Vec<Option<Value>> {
    (scalars.iter().zip(&cx.varying))
        .map(|(s, &v)| if v { None } else { s.map(|s| em.b.ins().splat(vty, s)) })
        .collect()
}

/// Reduction `r`'s start value in every lane of `vty`.
fn vector_start(em: &mut Emitter<'_>, kernel: &Kernel, r: usize, vty: Type) -> Value {
    let start = em.constant(accumulator_start(kernel.reductions[r].op, kernel.reduction_dtype(r)));
    em.b.ins().splat(vty, start)
}

/// The varying nodes on vectors of `vty` at element `i`, lowered by
/// [`vector::emit`] (`vector_type` admitted every one).
fn emit_vector_nodes(b: &mut FunctionBuilder<'_>, cx: &Cx<'_>, vty: Type, i: Value, vvals: &mut [Option<Value>]) {
    for (k, node) in cx.kernel.nodes.iter().enumerate() {
        if !cx.varying[k] {
            continue;
        }
        let v = match &node.op {
            &KOp::Param(p) => {
                let addr = element_addr(b, cx.rows[p as usize], i, vty.lane_type());
                b.ins().load(vty, mem(), addr, 0)
            }
            KOp::Op(op) => {
                let args: Vec<Value> =
                    node.op.args().into_iter().map(|a| vvals[a].expect("kernel nodes read earlier nodes")).collect();
                vector::emit(b, op, operand_dtype(cx.kernel, k), &args)
            }
        };
        vvals[k] = Some(v);
    }
}

/// Emit the varying nodes at loop counter `index` (`Some`: into the loop body),
/// or the invariant ones (`None`: into the pre-header).
fn emit_nodes(em: &mut Emitter<'_>, cx: &Cx<'_>, index: Option<Value>, vals: &mut [Option<Value>]) {
    emit_scalars(em, cx.kernel, &cx.rows, index, |k| cx.varying[k] == index.is_some(), vals);
}
