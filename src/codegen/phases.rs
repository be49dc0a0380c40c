//! Which math calls of a kernel run block-wise through [`crate::vmath`], and the
//! phases that splits the loop body into.
//!
//! Input: a kernel, which of its nodes vary along the loop, the parameter layouts.
//! Output: a [`Phases`] plan: per node, its phase and whether it lives in a block
//! buffer.
//!
//! A *block call* is a varying call of a function vmath has a block kernel for
//! (exp, log, trig, ..., float `**`, and sqrt and `/`, which AVX-512 runs 4 times
//! faster than Cranelift's 128-bit vectors). The kernel then runs over blocks of
//! [`Phases::len`] elements (at most [`BLOCK`]), and each block runs the phases in turn: phase `p` is a loop
//! over the block computing the nodes of phase `p`; between phase `p` and `p + 1`,
//! every block call of phase `p + 1` runs once on the whole block (its arguments
//! are in buffers, or are contiguous parameters read in place; its result goes to
//! a buffer). A block call's phase is the highest phase among its varying
//! arguments, plus one; any other node is computed in the first phase that reads
//! it (as late as its arguments allow). Values crossing phases live in buffers;
//! parameters are simply read again; invariant arguments of block calls get a
//! buffer filled once before the first block. Outputs are stored in their node's
//! phase (outputs never alias inputs: exec hands kernels fresh or exclusively
//! borrowed output buffers); a block call that is a contiguous output writes it
//! directly.
//!
//! The buffers live in the kernel's stack frame, so their size is bounded, not
//! the program's: a kernel with many buffers runs shorter blocks, keeping them
//! within [`BUFFER_BYTES`] (fusion caps a kernel's nodes at
//! [`crate::fuse::MAX_KERNEL_NODES`], so [`MIN_BLOCK`] always fits).

use super::Layout;
use crate::fuse::{KOp, Kernel};
use crate::ir::Op;
use crate::semantics;
use crate::types::DType;
use crate::vmath::{self, Kernel as VKernel};

/// Elements per block for kernels with block calls: buffers of 4 KiB (float64)
/// stay in L1 with the inputs. Measured (`examples/jit_timing.rs`): 256 and 1024
/// were within a few percent, 512 the fastest on `log(1 + exp(a))`.
pub(super) const BLOCK: i64 = 512;

/// The most bytes of block buffers a kernel keeps in its stack frame: the
/// frame must fit in any thread's stack (2 MiB for spawned threads and
/// tests), next to the caller's frames, whatever the size of the program.
pub(super) const BUFFER_BYTES: i64 = 64 << 10;

/// The shortest block: below this the calls into vmath cost more than they
/// compute. `MAX_KERNEL_NODES` buffers of 8-byte elements fit in
/// `BUFFER_BYTES` at this length.
pub(super) const MIN_BLOCK: i64 = 16;

const _: () = assert!(crate::fuse::MAX_KERNEL_NODES as i64 * 8 * MIN_BLOCK <= BUFFER_BYTES);

/// The vmath block kernel of a node, by address, and its arity.
#[derive(Clone, Copy, Debug)]
pub(super) struct BlockFn {
    pub addr: usize,
    pub arity: usize,
}

pub(super) struct Phases {
    /// Per node: the phase computing it (0 for invariant nodes, which are hoisted).
    pub phase: Vec<u32>,
    /// Per node: the vmath kernel when it is a block call.
    pub block: Vec<Option<BlockFn>>,
    /// Per node: whether its value is kept in a block buffer (block call results,
    /// values read in a later phase, arguments of block calls not read in place).
    pub buffered: Vec<bool>,
    /// Per node: the output a block call writes directly (its first output slot),
    /// instead of a buffer that a phase loop would copy.
    pub direct: Vec<Option<usize>>,
    /// Number of phases (1 when the kernel has no block call).
    pub count: u32,
    /// Elements per block: [`BLOCK`], halved while the buffers would exceed
    /// [`BUFFER_BYTES`] (never below [`MIN_BLOCK`]).
    pub len: i64,
}

impl Phases {
    pub fn plan(kernel: &Kernel, varying: &[bool], layouts: &[Layout]) -> Phases {
        let len = kernel.nodes.len();
        let mut phase = vec![0u32; len];
        let mut block = vec![None; len];
        let mut buffered = vec![false; len];
        for (k, node) in kernel.nodes.iter().enumerate() {
            if !varying[k] {
                continue;
            }
            let args = node.op.args();
            let base = args.iter().filter(|&&a| varying[a]).map(|&a| phase[a]).max().unwrap_or(0);
            block[k] = block_fn(&node.op, node.dtype);
            phase[k] = base + block[k].is_some() as u32;
        }
        // As late as possible: a node that is no block call moves to the first phase
        // that reads it, so a value computed beside a block call's argument but used
        // only after the call (`0.75*a*a` in `0.25*a**3 + 0.75*a*a`) is not stored to
        // a buffer and loaded back. Its arguments then follow it (reverse order sees
        // every reader first); a block call's arguments must be ready a phase earlier.
        let mut first_read = vec![u32::MAX; len];
        for k in (0..len).rev() {
            if !varying[k] {
                continue;
            }
            let movable = block[k].is_none() && !matches!(kernel.nodes[k].op, KOp::Param(_));
            if movable && first_read[k] != u32::MAX {
                phase[k] = phase[k].max(first_read[k]);
            }
            let need = phase[k] - block[k].is_some() as u32;
            for a in kernel.nodes[k].op.args() {
                first_read[a] = first_read[a].min(need);
            }
        }
        let in_place = |a: usize| match kernel.nodes[a].op {
            KOp::Param(p) => varying[a] && layouts[p as usize] == Layout::Contiguous,
            _ => block[a].is_some(),
        };
        for (k, node) in kernel.nodes.iter().enumerate() {
            if block[k].is_some() {
                buffered[k] = true;
                for a in node.op.args() {
                    buffered[a] |= !in_place(a);
                }
            } else if varying[k] {
                for a in node.op.args() {
                    let reloadable = matches!(kernel.nodes[a].op, KOp::Param(_));
                    buffered[a] |= varying[a] && phase[a] < phase[k] && !reloadable;
                }
            }
        }
        let count = phase.iter().copied().max().unwrap_or(0) + 1;
        let contiguous_output = |slot: &usize| layouts[kernel.params.len() + slot] == Layout::Contiguous;
        let direct: Vec<Option<usize>> = (0..len)
            .map(|k| block[k].and_then(|_| kernel.outputs.iter().position(|&o| o as usize == k)))
            .map(|slot| slot.filter(contiguous_output))
            .collect();
        let buffers = (0..len).filter(|&k| buffered[k] && direct[k].is_none()).count();
        Phases { phase, block, buffered, direct, count, len: block_len(buffers) }
    }
}

/// The block length for `buffers` block buffers (see [`Phases::len`]).
fn block_len(buffers: usize) -> i64 {
    let mut len = BLOCK;
    while len > MIN_BLOCK && buffers as i64 * 8 * len > BUFFER_BYTES {
        len /= 2;
    }
    len
}

/// The vmath kernel computing `op` in `dtype`, if there is one (the block kernel
/// of the function's row, or of the float operator).
fn block_fn(op: &KOp, dtype: DType) -> Option<BlockFn> {
    let kernel = match (op, dtype) {
        (KOp::Op(Op::Call(f, _)), DType::Float32 | DType::Float64) => semantics::func_impl(*f).block?,
        (KOp::Op(Op::Binary(op, ..)), DType::Float32 | DType::Float64) => {
            VKernel::Binary(semantics::binary_impl(*op).1?)
        }
        _ => return None,
    };
    let single = dtype == DType::Float32;
    Some(match kernel {
        VKernel::Unary(u) => {
            let addr = if single { vmath::block1_f32(u) as usize } else { vmath::block1_f64(u) as usize };
            BlockFn { addr, arity: 1 }
        }
        VKernel::Binary(b) => {
            let addr = if single { vmath::block2_f32(b) as usize } else { vmath::block2_f64(b) as usize };
            BlockFn { addr, arity: 2 }
        }
    })
}
