//! The loop skeleton of a kernel: two builders, chosen by what the kernel does.
//!
//! - [`phased`]: kernels that only store (no reductions). Math functions vmath
//!   has block kernels for run block-wise between *phase* loops; each phase loop
//!   is vectorized (unrolled, with a scalar tail) when everything it touches has
//!   one lane width.
//! - [`accumulate`]: kernels that feed reductions. Accumulators are folded into
//!   loop-carried slots or updated in place along a row, in the fixed order
//!   `exec::reduce` relies on; float operations with a lane-wise form get a
//!   vector loop, math functions are called per element (the same functions,
//!   so the same bits). A kernel whose reductions read a function that has
//!   only a vmath block kernel (`sum(exp(a))`) never gets here: it is split
//!   into a phased producer and an accumulating consumer (`codegen/split.rs`).
//!
//! Both read and write memory only through [`element_addr`] on the row pointers
//! of the ABI described in [`super`], lower scalar nodes through
//! [`emit_scalar`] and vector nodes through [`super::vector::emit`].

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Block, Function, InstBuilder, MemFlagsData, Type, Value};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::ops::{clif_type, Emitter};
use super::Layout;
use crate::fuse::{KOp, Kernel};
use crate::ir::Op;
use crate::types::DType;

mod accumulate;
mod phased;

pub(super) fn build(
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    kernel: &Kernel,
    layouts: &[Layout],
    isa: &dyn TargetIsa,
) {
    if kernel.reductions.is_empty() {
        phased::build(func, fctx, kernel, layouts, isa)
    } else {
        accumulate::build(func, fctx, kernel, layouts, isa)
    }
}

/// The entry every kernel function starts with: `entry(ptrs, n)` returns at
/// once for `n == 0`, else continues in a new block, where the builder is
/// left. Returns `ptrs`, `n` and the (empty, unsealed) exit block.
pub(super) fn emit_entry(b: &mut FunctionBuilder<'_>) -> (Value, Value, Block) {
    let entry = b.create_block();
    let pre = b.create_block();
    let exit = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let ptrs = b.block_params(entry)[0];
    let n = b.block_params(entry)[1];
    let empty = b.ins().icmp_imm_u(IntCC::Equal, n, 0);
    b.ins().brif(empty, exit, &[], pre, &[]);
    b.switch_to_block(pre);
    (ptrs, n, exit)
}

/// Loads and stores never trap: exec guarantees every pointer covers its elements.
pub(super) fn mem() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// Which nodes change from one element to the next: contiguous and strided
/// parameters and everything computed from them. The rest is hoisted out of the
/// loop.
pub(super) fn varying_nodes(kernel: &Kernel, layouts: &[Layout]) -> Vec<bool> {
    let mut varying = vec![false; kernel.nodes.len()];
    for (i, node) in kernel.nodes.iter().enumerate() {
        varying[i] = match &node.op {
            KOp::Param(p) => layouts[*p as usize] != Layout::Invariant,
            op => op.args().into_iter().any(|a| varying[a]),
        };
    }
    varying
}

/// The dtype node `k` computes in: its last argument's (`where`'s bool
/// condition comes first; the other operands share one dtype), or its own for
/// a parameter or constant.
pub(super) fn operand_dtype(kernel: &Kernel, k: usize) -> DType {
    let node = &kernel.nodes[k];
    node.op.args().last().map_or(node.dtype, |&a| kernel.nodes[a].dtype)
}

/// Node `k`, an operation or constant, as a scalar computed from its
/// arguments' values `args` (in order): the one dispatch from kernel
/// operations to the scalar lowering in [`super::ops`]. Parameters are loads,
/// which each loop builder addresses its own way.
pub(super) fn emit_scalar(em: &mut Emitter<'_>, kernel: &Kernel, k: usize, op: &Op<u32>, args: &[Value]) -> Value {
    let dtype = kernel.nodes[k].dtype;
    let operand = operand_dtype(kernel, k);
    match op {
        Op::Const(c) => em.constant(c.0),
        Op::Unary(op, _) => em.unary(*op, dtype, args[0]),
        Op::Binary(op, ..) => em.binary(*op, operand, args[0], args[1]),
        Op::Call(f, _) => em.call(*f, operand, args),
        Op::Cast(_) => em.cast(operand, dtype, args[0]),
    }
}

/// Emit, in order, the scalar value of every node `select` picks into `vals`:
/// a parameter loaded from its row at element `index` (at the row's base for
/// `None`: an invariant parameter in the pre-header), any other node computed
/// from its arguments' values, which `vals` already holds.
pub(super) fn emit_scalars(
    em: &mut Emitter<'_>,
    kernel: &Kernel,
    rows: &[Row],
    index: Option<Value>,
    select: impl Fn(usize) -> bool,
    vals: &mut [Option<Value>],
) {
    for (k, node) in kernel.nodes.iter().enumerate() {
        if !select(k) {
            continue;
        }
        let v = match &node.op {
            &KOp::Param(p) => {
                let ty = clif_type(node.dtype);
                let addr = match index {
                    Some(i) => element_addr(&mut em.b, rows[p as usize], i, ty),
                    None => rows[p as usize].base,
                };
                em.b.ins().load(ty, mem(), addr, 0)
            }
            KOp::Op(op) => {
                let args: Vec<Value> =
                    node.op.args().into_iter().map(|a| vals[a].expect("kernel nodes read earlier nodes")).collect();
                emit_scalar(em, kernel, k, op, &args)
            }
        };
        vals[k] = Some(v);
    }
}

/// Where an operand's elements are: the row pointer and, for a strided
/// operand, the byte distance between consecutive elements (any sign).
#[derive(Clone, Copy)]
pub(super) struct Row {
    pub base: Value,
    pub stride: Option<Value>,
}

/// `base + i * size_of(ty)`, or `base + i * stride` for a strided operand.
pub(super) fn element_addr(b: &mut FunctionBuilder<'_>, row: Row, i: Value, ty: Type) -> Value {
    let offset = match row.stride {
        Some(stride) => b.ins().imul(i, stride),
        None => {
            let shift = ty.bytes().trailing_zeros();
            if shift == 0 {
                i
            } else {
                b.ins().ishl_imm_u(i, shift as i64)
            }
        }
    };
    b.ins().iadd(row.base, offset)
}
