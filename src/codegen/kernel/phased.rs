//! Kernels that only store: block calls into vmath between vectorized phase loops.
//!
//! ```text
//! entry(ptrs, n):   if n == 0 goto exit
//! pre:              load every row pointer and every strided operand's byte
//!                   stride; load invariant parameters;
//!                   compute every node that depends on invariant values only
//! [no block calls]  phase 0 over [0, n)
//! [block calls]     fill the buffers of invariant block-call arguments;
//!   block(i0):      len = min(L, n - i0); rows advanced to i0;
//!                   phase 0 over [0, len); block calls of phase 1;
//!                   phase 1 over [0, len); ...
//!                   i0 += L; if i0 < n goto block(i0)
//! exit:             return
//!
//! L is the kernel's block length, `Phases::len`: 512 unless the buffers would
//! make the frame too large (see [`super::super::phases`]).
//!
//! phase p over [0, len), rows r:
//!   [vectorizable: broadcast invariant values to vectors;
//!    vloop(j):  UNROLL vectors of `lanes` elements; j += UNROLL*lanes while it fits;
//!    v1(j):     one vector; j += lanes while it fits]
//!   body(j):    one element: load parameters and buffers at j, compute the
//!               phase's nodes, store its outputs and buffered values at j
//! ```
//!
//! Block calls (vmath kernels for exp, log, sin, `**`, ...) and phases are
//! planned in [`super::phases`]; which operations vectorize is decided in
//! [`super::vector`]. A phase loop is vectorized when everything it loads,
//! computes and stores has one lane width and no operand is strided (elements
//! `i * stride` apart); otherwise it is scalar.
//!
//! Cranelift concepts: values are SSA; a block's parameters play the role of phi
//! nodes (`j` is each loop's parameter); a block is *sealed* once all its
//! predecessors are known, which lets the frontend finish SSA construction;
//! everything computed in `pre` dominates the loops, so hoisted values are simply
//! reused there.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Function, InstBuilder, StackSlotData, StackSlotKind, Type, Value};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::{element_addr, emit_entry, emit_scalar, emit_scalars, mem, operand_dtype, varying_nodes, Row};
use crate::codegen::ops::{clif_type, Emitter};
use crate::codegen::phases::Phases;
use crate::codegen::{vector, Layout};
use crate::fuse::{KOp, Kernel};
use crate::types::DType;

/// Vectors per iteration of the main vector loop, so independent work overlaps.
/// Measured on `2*a + 3*b` and `0.25*a**3 + 0.75*a**2 - 1.5*a - 2` (cache-resident):
/// 2 beat 1 by ~15%, 4 was no faster than 2.
const UNROLL: i64 = 2;

/// What every phase loop shares.
struct Cx<'k> {
    kernel: &'k Kernel,
    varying: Vec<bool>,
    phases: Phases,
    /// Values computed in `pre` (invariant nodes).
    hoisted: Vec<Option<Value>>,
    ptr_ty: Type,
    /// Whether some operand is strided (then every loop is scalar).
    strided: bool,
}

/// Where a phase reads and writes: row pointers advanced to the block, and the
/// block buffers (by node).
struct Rows {
    params: Vec<Row>,
    outputs: Vec<Row>,
    buffers: Vec<Option<Row>>,
}

pub(super) fn build(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    kernel: &Kernel,
    layouts: &[Layout],
    isa: &dyn TargetIsa,
) {
    let ptr_ty = isa.pointer_type();
    let mut b = FunctionBuilder::new(func, fctx);
    let (ptrs, n, exit) = emit_entry(&mut b);
    let slot = ptr_ty.bytes() as i32;
    let operands = kernel.params.len() + kernel.outputs.len();
    let rows: Vec<Row> = (0..operands)
        .map(|k| {
            let base = b.ins().load(ptr_ty, mem(), ptrs, slot * k as i32);
            // A strided operand's byte stride follows the row pointers.
            let stride = (layouts[k] == Layout::Strided)
                .then(|| b.ins().load(ptr_ty, mem(), ptrs, slot * (operands + k) as i32));
            Row { base, stride }
        })
        .collect();
    let varying = varying_nodes(kernel, layouts);
    let phases = Phases::plan(kernel, &varying, layouts);
    let mut em = Emitter::new(b, isa.default_call_conv(), ptr_ty);
    let mut hoisted: Vec<Option<Value>> = vec![None; kernel.nodes.len()];
    emit_scalars(&mut em, kernel, &rows, None, |k| !varying[k], &mut hoisted);
    let strided = layouts.contains(&Layout::Strided);
    let cx = Cx { kernel, varying, phases, hoisted, ptr_ty, strided };
    let (params, outputs) = rows.split_at(kernel.params.len());
    let rows = Rows { params: params.to_vec(), outputs: outputs.to_vec(), buffers: vec![None; kernel.nodes.len()] };
    if cx.phases.count == 1 {
        emit_phase(&mut em, &cx, 0, &rows, n);
    } else {
        emit_blocks(&mut em, &cx, layouts, rows, n);
    }
    em.b.ins().jump(exit, &[]);

    em.b.switch_to_block(exit);
    em.b.ins().return_(&[]);
    em.b.seal_all_blocks();
    let config = isa.frontend_config();
    em.finish().finalize(config);
}

/// The block loop of a kernel with block calls (see the module docs).
fn emit_blocks(em: &mut Emitter<'_>, cx: &Cx<'_>, layouts: &[Layout], mut rows: Rows, n: Value) {
    let kernel = cx.kernel;
    for (k, node) in kernel.nodes.iter().enumerate() {
        if !cx.phases.buffered[k] || cx.phases.direct[k].is_some() {
            continue;
        }
        let ty = clif_type(node.dtype);
        let bytes = ty.bytes() * cx.phases.len as u32;
        // 64-byte alignment: whole cache lines, aligned AVX-512 loads in vmath.
        let slot = em.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, bytes, 6));
        let base = em.b.ins().stack_addr(cx.ptr_ty, slot, 0);
        rows.buffers[k] = Some(Row { base, stride: None });
        if !cx.varying[k] {
            fill(
                &mut em.b,
                Row { base, stride: None },
                cx.hoisted[k].expect("invariant nodes are hoisted"),
                ty,
                cx.phases.len,
            );
        }
    }
    let block = em.b.create_block();
    em.b.append_block_param(block, cx.ptr_ty);
    let zero = em.b.ins().iconst(cx.ptr_ty, 0);
    em.b.ins().jump(block, &[zero.into()]);

    em.b.switch_to_block(block);
    let i0 = em.b.block_params(block)[0];
    let rest = em.b.ins().isub(n, i0);
    let full = em.b.ins().iconst(cx.ptr_ty, cx.phases.len);
    let len = em.b.ins().umin(rest, full);
    let advance = |b: &mut FunctionBuilder<'_>, row: Row, dtype| Row {
        base: element_addr(b, row, i0, clif_type(dtype)),
        stride: row.stride,
    };
    let here = Rows {
        params: (rows.params.iter().zip(layouts).zip(&kernel.params))
            .map(|((&r, l), &d)| if *l == Layout::Invariant { r } else { advance(&mut em.b, r, d) })
            .collect(),
        outputs: (rows.outputs.iter().zip(&kernel.outputs))
            .map(|(&r, &o)| advance(&mut em.b, r, kernel.nodes[o as usize].dtype))
            .collect(),
        buffers: rows.buffers,
    };
    let mut here = here;
    for (k, slot) in cx.phases.direct.iter().enumerate() {
        if let Some(slot) = slot {
            here.buffers[k] = Some(here.outputs[*slot]);
        }
    }
    for p in 0..cx.phases.count {
        emit_block_calls(em, cx, p, &here, len);
        emit_phase(em, cx, p, &here, len);
    }
    let next = em.b.ins().iadd_imm_u(i0, cx.phases.len);
    let more = em.b.ins().icmp(IntCC::UnsignedLessThan, next, n);
    let done = em.b.create_block();
    em.b.ins().brif(more, block, &[next.into()], done, &[]);
    em.b.switch_to_block(done);
}

/// Store `v` into all `len` elements of a buffer (once per kernel call).
fn fill(b: &mut FunctionBuilder<'_>, base: Row, v: Value, ty: Type, len: i64) {
    let ptr_ty = b.func.dfg.value_type(base.base);
    let body = b.create_block();
    let done = b.create_block();
    b.append_block_param(body, ptr_ty);
    let zero = b.ins().iconst(ptr_ty, 0);
    b.ins().jump(body, &[zero.into()]);
    b.switch_to_block(body);
    let j = b.block_params(body)[0];
    let addr = element_addr(b, base, j, ty);
    b.ins().store(mem(), v, addr, 0);
    let next = b.ins().iadd_imm_u(j, 1);
    let more = b.ins().icmp_imm_u(IntCC::UnsignedLessThan, next, len);
    b.ins().brif(more, body, &[next.into()], done, &[]);
    b.switch_to_block(done);
}

/// Call the vmath kernel of every block call of phase `p` on the current block.
fn emit_block_calls(em: &mut Emitter<'_>, cx: &Cx<'_>, p: u32, rows: &Rows, len: Value) {
    for (k, node) in cx.kernel.nodes.iter().enumerate() {
        let Some(f) = cx.phases.block[k].filter(|_| cx.phases.phase[k] == p) else { continue };
        let mut ptrs: Vec<Value> = node
            .op
            .args()
            .into_iter()
            .map(|a| match (&cx.kernel.nodes[a].op, rows.buffers[a]) {
                (_, Some(buf)) => buf.base,
                (KOp::Param(q), None) => rows.params[*q as usize].base,
                (_, None) => unreachable!("block-call arguments are buffered or contiguous parameters"),
            })
            .collect();
        debug_assert_eq!(ptrs.len(), f.arity);
        ptrs.push(rows.buffers[k].expect("block calls write a buffer").base);
        ptrs.push(len);
        em.call_block(f.addr, &ptrs);
    }
}

/// The nodes phase `p` stores: outputs of that phase and buffered values it computes.
fn phase_roots(cx: &Cx<'_>, p: u32) -> (Vec<(usize, usize)>, Vec<usize>) {
    let ph = &cx.phases;
    let outputs = (cx.kernel.outputs.iter().enumerate())
        .map(|(k, &o)| (k, o as usize))
        .filter(|&(k, o)| ph.phase[o] == p && ph.direct[o] != Some(k))
        .collect();
    let spills = (0..cx.kernel.nodes.len())
        .filter(|&k| cx.varying[k] && ph.buffered[k] && ph.block[k].is_none() && ph.phase[k] == p)
        .collect();
    (outputs, spills)
}

/// Whether node `k` is loaded (rather than computed) in phase `p`.
fn is_loaded(cx: &Cx<'_>, p: u32, k: usize) -> bool {
    matches!(cx.kernel.nodes[k].op, KOp::Param(_)) || cx.phases.block[k].is_some() || cx.phases.phase[k] < p
}

/// The vector type of phase `p`'s loop, if it vectorizes; and the invariant
/// nodes it reads (to broadcast before the loop).
fn phase_vector(cx: &Cx<'_>, p: u32, roots: &[usize]) -> Option<(Type, Vec<usize>)> {
    [types::F64X2, types::F32X4].into_iter().find_map(|vty| phase_vector_as(cx, p, roots, vty))
}

fn phase_vector_as(cx: &Cx<'_>, p: u32, roots: &[usize], vty: Type) -> Option<(Type, Vec<usize>)> {
    let kernel = cx.kernel;
    let mut seen = vec![false; kernel.nodes.len()];
    let mut stack = roots.to_vec();
    let mut invariants = vec![];
    // What is loaded, broadcast or stored (other than bool results) must be `vty` in memory.
    let in_memory = |k: usize| vector::vector_type(kernel.nodes[k].dtype) == Some(vty);
    while let Some(k) = stack.pop() {
        if std::mem::replace(&mut seen[k], true) {
            continue;
        }
        let node = &kernel.nodes[k];
        vector::lane_type(node.dtype, vty)?;
        if !cx.varying[k] {
            in_memory(k).then_some(())?;
            invariants.push(k);
            continue;
        }
        if is_loaded(cx, p, k) {
            in_memory(k).then_some(())?;
            continue;
        }
        if !vector::supported(node, operand_dtype(kernel, k)) {
            return None;
        }
        stack.extend(node.op.args());
    }
    // Spills are reloaded as `vty`; bool outputs are narrowed.
    let spills_ok = roots.iter().all(|&k| in_memory(k) || kernel.outputs.contains(&(k as u32)));
    spills_ok.then_some((vty, invariants))
}

/// Phase `p` over `[0, len)`: vector loops when it vectorizes, then the scalar loop.
fn emit_phase(em: &mut Emitter<'_>, cx: &Cx<'_>, p: u32, rows: &Rows, len: Value) {
    let (outputs, spills) = phase_roots(cx, p);
    if outputs.is_empty() && spills.is_empty() {
        return;
    }
    let roots: Vec<usize> = outputs.iter().map(|&(_, o)| o).chain(spills.iter().copied()).collect();
    let ptr_ty = cx.ptr_ty;
    let body = em.b.create_block();
    let done = em.b.create_block();
    em.b.append_block_param(body, ptr_ty);
    let mut start = em.b.ins().iconst(ptr_ty, 0);
    if let Some((vty, invariants)) = phase_vector(cx, p, &roots).filter(|_| !cx.strided) {
        let mut splats = vec![None; cx.kernel.nodes.len()];
        for k in invariants {
            splats[k] = Some(em.b.ins().splat(vty, cx.hoisted[k].expect("invariant nodes are hoisted")));
        }
        let lanes = vty.lane_count() as i64;
        for step in [UNROLL * lanes, lanes] {
            start = emit_vector_loop(em, cx, p, rows, &splats, vty, len, start, step);
        }
        let rest = em.b.ins().icmp(IntCC::UnsignedLessThan, start, len);
        em.b.ins().brif(rest, body, &[start.into()], done, &[]);
    } else {
        // len >= 1: the scalar loop runs at least once.
        em.b.ins().jump(body, &[start.into()]);
    }

    em.b.switch_to_block(body);
    let j = em.b.block_params(body)[0];
    let mut it = Step { cx, p, rows, j, vty: None, vals: vec![None; cx.kernel.nodes.len()] };
    it.store_roots(em, &outputs, &spills);
    let next = em.b.ins().iadd_imm_u(j, 1);
    let more = em.b.ins().icmp(IntCC::UnsignedLessThan, next, len);
    em.b.ins().brif(more, body, &[next.into()], done, &[]);
    em.b.switch_to_block(done);
}

/// A vector loop from `start` while `step` more elements fit in `len`; returns the
/// index where it stopped (in the block it leaves the builder in).
#[allow(clippy::too_many_arguments)]
fn emit_vector_loop(
    em: &mut Emitter<'_>,
    cx: &Cx<'_>,
    p: u32,
    rows: &Rows,
    splats: &[Option<Value>],
    vty: Type,
    len: Value,
    start: Value,
    step: i64,
) -> Value {
    let ptr_ty = cx.ptr_ty;
    let lanes = vty.lane_count() as i64;
    let (outputs, spills) = phase_roots(cx, p);
    let vbody = em.b.create_block();
    let after = em.b.create_block();
    em.b.append_block_param(vbody, ptr_ty);
    em.b.append_block_param(after, ptr_ty);
    // Iterate while j + step <= len, i.e. j < len - step + 1 (no overflow: len >= 1).
    let limit = em.b.ins().iadd_imm_s(len, 1 - step);
    let fits = em.b.ins().icmp(IntCC::SignedLessThan, start, limit);
    em.b.ins().brif(fits, vbody, &[start.into()], after, &[start.into()]);

    em.b.switch_to_block(vbody);
    let j = em.b.block_params(vbody)[0];
    for u in 0..step / lanes {
        let ju = if u == 0 { j } else { em.b.ins().iadd_imm_u(j, u * lanes) };
        let mut vals = splats.to_vec();
        vals.iter_mut().zip(&cx.varying).for_each(|(v, &var)| *v = v.filter(|_| !var));
        let mut it = Step { cx, p, rows, j: ju, vty: Some(vty), vals };
        it.store_roots(em, &outputs, &spills);
    }
    let next = em.b.ins().iadd_imm_u(j, step);
    let more = em.b.ins().icmp(IntCC::SignedLessThan, next, limit);
    em.b.ins().brif(more, vbody, &[next.into()], after, &[next.into()]);
    em.b.switch_to_block(after);
    em.b.block_params(after)[0]
}

/// One step (one element or one vector) of a phase loop.
struct Step<'a, 'k> {
    cx: &'a Cx<'k>,
    p: u32,
    rows: &'a Rows,
    j: Value,
    /// The vector type, or `None` for the scalar loop.
    vty: Option<Type>,
    vals: Vec<Option<Value>>,
}

impl Step<'_, '_> {
    fn store_roots(&mut self, em: &mut Emitter<'_>, outputs: &[(usize, usize)], spills: &[usize]) {
        for &(slot, o) in outputs {
            let v = self.get(em, o);
            self.store(em, self.rows.outputs[slot], o, v);
        }
        for &k in spills {
            let v = self.get(em, k);
            self.store(em, self.rows.buffers[k].expect("spilled nodes have a buffer"), k, v);
        }
    }

    /// Node `k`'s value in this iteration, computing what it needs first, in
    /// the order a depth-first walk meets it (arguments in order). The walk
    /// keeps its own stack: dependency chains are as long as the kernel.
    fn get(&mut self, em: &mut Emitter<'_>, k: usize) -> Value {
        if let Some(v) = self.vals[k] {
            return v;
        }
        let mut seen = vec![false; self.vals.len()];
        let mut stack = vec![(k, false)];
        while let Some((n, ready)) = stack.pop() {
            if ready {
                self.compute(em, n);
            } else if self.vals[n].is_none() && !std::mem::replace(&mut seen[n], true) {
                stack.push((n, true));
                if self.is_computed(n) {
                    stack.extend(self.cx.kernel.nodes[n].op.args().into_iter().rev().map(|a| (a, false)));
                }
            }
        }
        self.vals[k].expect("the walk computed the node")
    }

    /// Whether node `k` is computed from its arguments here (rather than
    /// hoisted or loaded).
    fn is_computed(&self, k: usize) -> bool {
        self.cx.varying[k] && !is_loaded(self.cx, self.p, k)
    }

    /// Compute node `k`, whose arguments have values.
    fn compute(&mut self, em: &mut Emitter<'_>, k: usize) {
        let cx = self.cx;
        let node = &cx.kernel.nodes[k];
        let v = match &node.op {
            _ if !cx.varying[k] => cx.hoisted[k].expect("invariant nodes are hoisted"),
            &KOp::Param(q) => self.load(em, self.rows.params[q as usize], k),
            KOp::Op(_) if is_loaded(cx, self.p, k) => {
                self.load(em, self.rows.buffers[k].expect("values from earlier phases are buffered"), k)
            }
            KOp::Op(op) => {
                let vs: Vec<Value> =
                    node.op.args().into_iter().map(|a| self.vals[a].expect("arguments are computed first")).collect();
                match self.vty {
                    Some(_) => vector::emit(&mut em.b, op, operand_dtype(cx.kernel, k), &vs),
                    None => emit_scalar(em, cx.kernel, k, op, &vs),
                }
            }
        };
        self.vals[k] = Some(v);
    }

    fn load(&mut self, em: &mut Emitter<'_>, base: Row, k: usize) -> Value {
        let ty = clif_type(self.cx.kernel.nodes[k].dtype);
        let addr = element_addr(&mut em.b, base, self.j, ty);
        em.b.ins().load(self.vty.unwrap_or(ty), mem(), addr, 0)
    }

    fn store(&mut self, em: &mut Emitter<'_>, base: Row, k: usize, v: Value) {
        let dtype = self.cx.kernel.nodes[k].dtype;
        let addr = element_addr(&mut em.b, base, self.j, clif_type(dtype));
        match (self.vty, dtype) {
            (Some(_), DType::Bool) => vector::store_mask(&mut em.b, mem(), v, addr),
            _ => {
                em.b.ins().store(mem(), v, addr, 0);
            }
        }
    }
}
