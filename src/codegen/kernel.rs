//! The loop skeleton of a kernel: two builders, chosen by what the kernel does.
//!
//! - [`phased`]: kernels that only store (no reductions). Math functions vmath
//!   has block kernels for run block-wise between *phase* loops; each phase loop
//!   is vectorized (unrolled, with a scalar tail) when everything it touches has
//!   one lane width.
//! - [`accumulate`]: kernels that feed reductions. Accumulators are folded into
//!   loop-carried slots or updated in place along a row, in the fixed order
//!   `exec::reduce` relies on; plain float arithmetic gets a vector loop, math
//!   functions are called per element (the same functions, so the same bits).
//!
//! Both read and write memory only through [`element_addr`] on the row pointers
//! of the ABI described in [`super`].

use cranelift_codegen::ir::{Function, InstBuilder, MemFlagsData, Type, Value};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::Layout;
use crate::fuse::{KOp, Kernel};

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
