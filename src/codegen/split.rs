//! Kernels whose reductions read math functions (`sum(exp(a - m))`,
//! `mean(log(p))`, `max(a**2.5)`) or are of several kinds (`sum(a) + max(a)`),
//! compiled as a producer, consumers and a driver.
//!
//! Input: a kernel with reductions and its layouts. Output: a [`Split`] when
//! some reduction depends on a function that only has a vmath block kernel
//! (no lane-wise instruction) or the reductions are of several kinds, else
//! `None`; and the driver's Cranelift function.
//!
//! The accumulate builder calls such functions once per element (scalar calls:
//! ~12 ns per `exp`, against ~1 ns in the phased builder's vmath block calls),
//! and gives a kernel the loop all its reductions allow: scalar when float sums
//! (lane-wise slots) meet float min/max (whole groups, in order) or integer
//! ones. So the kernel is cut:
//! - the *producer*: the kernel without its reductions, whose outputs are the
//!   kernel's outputs and then every reduction's argument (the phased builder:
//!   vector phase loops and vmath block calls);
//! - the *consumers*: one per kind of reduction (float sums, means and
//!   products; float min and max; the rest), each with one parameter per
//!   argument its reductions read, folded or accumulated by those reductions
//!   (the accumulate builder, or the SIMD fold emitter), so each kind gets its
//!   vector loop;
//!
//! and the kernel's entry is a *driver* that runs them over chunks of [`Split::len`]
//! elements:
//!
//! ```text
//! entry(ptrs, n):  if n == 0 goto exit
//! pre:             load the kernel's row pointers, strides and fold phase;
//!                  the chunk buffers (one per reduction argument) in the frame
//! chunk(c0):       len = min(L, n - c0)
//!                  producer(rows advanced to c0 ++ buffers, len)
//!                  each consumer(its buffers ++ its accumulators at c0, len)
//!                  c0 += L; if c0 < n goto chunk(c0)
//! exit:            return
//! ```
//!
//! A row accumulator advances with the elements; a folded one is addressed by
//! its group: element `c0` of the call is element `(c0 + phase) mod FOLD_BLOCK`
//! of group `(c0 + phase) / FOLD_BLOCK`, which is the phase word and group the
//! consumer gets, so its calls continue one another exactly as one call would
//! (see [`super::Layout::Invariant`]): the same additions in the same order.
//! The producer computes every value with the functions the interpreter uses
//! (vmath's block kernels give the scalar functions' bits), so the results are
//! the unsplit kernel's, bit for bit.
//!
//! The buffers are bounded like the phased builder's ([`phases::BUFFER_BYTES`]),
//! so the driver's frame does not grow with the program.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{AbiParam, Function, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind};
use cranelift_codegen::ir::{UserFuncName, Value};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

use super::{accumulator_slots, phases, vector, Layout, FOLD_BLOCK};
use crate::fuse::{KNode, KOp, KReduce, Kernel};
use crate::ir::ops::ReduceOp;
use crate::types::DType;

/// Elements per chunk at most: the producer runs its phase blocks (512
/// elements) over it and the consumer folds it while it is in L1.
const CHUNK: i64 = 1024;

/// A kernel cut into a producer and consumers (see the module docs).
pub(super) struct Split {
    pub producer: Kernel,
    pub producer_layouts: Vec<Layout>,
    pub consumers: Vec<Consumer>,
    /// The dtype of each chunk buffer (one per distinct reduction argument).
    buffers: Vec<DType>,
    /// Elements per chunk: [`CHUNK`], halved while the buffers would exceed
    /// half of [`phases::BUFFER_BYTES`] (the producer's frame has the other half).
    pub len: i64,
}

/// The reductions of one kind, folded from the chunk buffers they read.
pub(super) struct Consumer {
    pub kernel: Kernel,
    pub layouts: Vec<Layout>,
    /// Its parameters: indices into [`Split::buffers`].
    buffers: Vec<usize>,
    /// Its reductions: indices into the split kernel's reductions.
    reductions: Vec<usize>,
}

/// What kind of loop a reduction gets from the accumulate builder, which
/// gives a kernel the loop its reductions all allow: vectors for float sums,
/// means and products, vector groups for float min and max, else scalars.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sums,
    Extrema,
    Other,
}

fn kind(op: ReduceOp, dtype: DType) -> Kind {
    match op {
        ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Prod if dtype.is_float() => Kind::Sums,
        ReduceOp::Min | ReduceOp::Max if dtype.is_float() => Kind::Extrema,
        _ => Kind::Other,
    }
}

/// The split of `kernel`, if it is a kernel with reductions fed by a function
/// with no lane-wise form, or with reductions of several kinds (whose shared
/// loop would be scalar); see the module docs.
pub(super) fn split(kernel: &Kernel, layouts: &[Layout]) -> Option<Split> {
    if kernel.reductions.is_empty() {
        return None;
    }
    let operands = kernel.params.len() + kernel.outputs.len();
    let varying = super::kernel::varying_nodes(kernel, &layouts[..operands]);
    let phases = phases::Phases::plan(kernel, &varying, &layouts[..operands]);
    // Only what the accumulate builder would call per element: functions with
    // a block kernel and no vector lowering (not sqrt or `/`, which it
    // vectorizes in place).
    let calls = |k: usize| {
        phases.block[k].is_some() && !vector::supported(&kernel.nodes[k], super::kernel::operand_dtype(kernel, k))
    };
    let mut feeds = vec![false; kernel.nodes.len()];
    for red in &kernel.reductions {
        feeds[red.arg as usize] = true;
    }
    let mut slow = false;
    for k in (0..kernel.nodes.len()).rev() {
        if feeds[k] {
            slow |= varying[k] && calls(k);
            for a in kernel.nodes[k].op.args() {
                feeds[a] = true;
            }
        }
    }
    let mut kinds: Vec<Kind> = Vec::new();
    for r in 0..kernel.reductions.len() {
        let k = kind(kernel.reductions[r].op, kernel.reduction_dtype(r));
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    if !slow && kinds.len() == 1 {
        return None;
    }
    // One buffer per distinct argument.
    let mut args: Vec<u32> = Vec::new();
    for red in &kernel.reductions {
        if !args.contains(&red.arg) {
            args.push(red.arg);
        }
    }
    let buffers: Vec<DType> = args.iter().map(|&a| kernel.nodes[a as usize].dtype).collect();
    let outputs: Vec<u32> = kernel.outputs.iter().chain(&args).copied().collect();
    let producer = Kernel::new(kernel.params.clone(), kernel.nodes.clone(), outputs, vec![]);
    let mut producer_layouts = layouts[..operands].to_vec();
    producer_layouts.extend(std::iter::repeat_n(Layout::Contiguous, args.len()));
    // Each reduction's buffer; one consumer per kind, reading the buffers of its reductions.
    let buffer_of: Vec<usize> = (kernel.reductions.iter())
        .map(|red| args.iter().position(|&a| a == red.arg).expect("every argument has a buffer"))
        .collect();
    let consumers = kinds
        .iter()
        .map(|&want| {
            let reductions: Vec<usize> = (0..kernel.reductions.len())
                .filter(|&r| kind(kernel.reductions[r].op, kernel.reduction_dtype(r)) == want)
                .collect();
            let mut used: Vec<usize> = Vec::new();
            for &r in &reductions {
                if !used.contains(&buffer_of[r]) {
                    used.push(buffer_of[r]);
                }
            }
            let nodes = used.iter().enumerate().map(|(j, &b)| KNode { op: KOp::Param(j as u32), dtype: buffers[b] });
            let reds = reductions.iter().map(|&r| {
                let param = used.iter().position(|&u| u == buffer_of[r]).expect("its buffer is a parameter");
                KReduce { op: kernel.reductions[r].op, arg: param as u32 }
            });
            let kernel_of =
                Kernel::new(used.iter().map(|&b| buffers[b]).collect(), nodes.collect(), vec![], reds.collect());
            let mut layouts_of = vec![Layout::Contiguous; used.len()];
            layouts_of.extend(reductions.iter().map(|&r| layouts[operands + r]));
            Consumer { kernel: kernel_of, layouts: layouts_of, buffers: used, reductions }
        })
        .collect();
    let bytes: i64 = buffers.iter().map(|d| d.size() as i64).sum();
    let mut len = CHUNK;
    while len > phases::MIN_BLOCK && bytes * len > phases::BUFFER_BYTES / 2 {
        len /= 2;
    }
    Some(Split { producer, producer_layouts, consumers, buffers, len })
}

/// The driver of `split` for a kernel of `layouts`, calling the compiled
/// producer and consumers (in order) at these addresses.
pub(super) fn driver(
    split: &Split,
    kernel: &Kernel,
    layouts: &[Layout],
    producer: usize,
    consumers: &[usize],
    isa: &dyn TargetIsa,
) -> Function {
    let ptr_ty = isa.pointer_type();
    let word = ptr_ty.bytes() as i32;
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.push(AbiParam::new(ptr_ty));
    sig.params.push(AbiParam::new(ptr_ty));
    let mut func = Function::with_name_signature(UserFuncName::user(0, 0), sig.clone());
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let mem = MemFlagsData::new().with_notrap();
    let callee_sig = b.import_signature(sig);

    // pre: the kernel's rows, strides and phase; the argument arrays' fixed
    // entries (buffer addresses, strides, invariant parameters).
    let (ptrs, n, exit) = super::kernel::emit_entry(&mut b);
    let chunk = b.create_block();
    b.append_block_param(chunk, ptr_ty);
    let (params, outputs, reds) = (kernel.params.len(), kernel.outputs.len(), kernel.reductions.len());
    let operands = params + outputs + reds;
    let base: Vec<Value> = (0..operands).map(|k| b.ins().load(ptr_ty, mem, ptrs, word * k as i32)).collect();
    let stride: Vec<Option<Value>> = (0..operands)
        .map(|k| (layouts[k] == Layout::Strided).then(|| b.ins().load(ptr_ty, mem, ptrs, word * (operands + k) as i32)))
        .collect();
    let folds = layouts[params + outputs..].contains(&Layout::Invariant);
    let phase =
        if folds { b.ins().load(ptr_ty, mem, ptrs, word * 2 * operands as i32) } else { b.ins().iconst(ptr_ty, 0) };
    let slot = |b: &mut FunctionBuilder<'_>, bytes: u32| {
        let s = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, bytes, 6));
        b.ins().stack_addr(ptr_ty, s, 0)
    };
    let buffers: Vec<Value> = split.buffers.iter().map(|d| slot(&mut b, d.size() as u32 * split.len as u32)).collect();
    // The producer's array: parameters, outputs, buffers, then their strides.
    let p_ops = params + outputs + buffers.len();
    let p_args = slot(&mut b, (2 * p_ops) as u32 * word as u32);
    // Each consumer's array: its buffers, its accumulators, their strides (all 0),
    // the phase.
    let c_ops: Vec<usize> = split.consumers.iter().map(|c| c.buffers.len() + c.reductions.len()).collect();
    let c_args: Vec<Value> = c_ops.iter().map(|&ops| slot(&mut b, (2 * ops + 1) as u32 * word as u32)).collect();
    let zero = b.ins().iconst(ptr_ty, 0);
    for k in 0..params + outputs {
        let s = stride[k].unwrap_or(zero);
        b.ins().store(mem, s, p_args, word * (p_ops + k) as i32);
        if layouts[k] == Layout::Invariant {
            b.ins().store(mem, base[k], p_args, word * k as i32);
        }
    }
    for (j, &buf) in buffers.iter().enumerate() {
        b.ins().store(mem, buf, p_args, word * (params + outputs + j) as i32);
        b.ins().store(mem, zero, p_args, word * (p_ops + params + outputs + j) as i32);
    }
    for ((c, &args), &ops) in split.consumers.iter().zip(&c_args).zip(&c_ops) {
        for (j, &buf) in c.buffers.iter().enumerate() {
            b.ins().store(mem, buffers[buf], args, word * j as i32);
        }
        for k in 0..ops {
            b.ins().store(mem, zero, args, word * (ops + k) as i32);
        }
    }
    b.ins().jump(chunk, &[zero.into()]);

    // chunk(c0): the rows advanced to c0, the producer, then the consumer.
    b.switch_to_block(chunk);
    let c0 = b.block_params(chunk)[0];
    let rest = b.ins().isub(n, c0);
    let most = b.ins().iconst(ptr_ty, split.len);
    let len = b.ins().umin(rest, most);
    let advance = |b: &mut FunctionBuilder<'_>, k: usize, size: usize| {
        let offset = match stride[k] {
            Some(s) => b.ins().imul(c0, s),
            None => b.ins().imul_imm_u(c0, size as i64),
        };
        b.ins().iadd(base[k], offset)
    };
    let operand_dtype = |k: usize| {
        if k < params {
            kernel.params[k]
        } else {
            kernel.nodes[kernel.outputs[k - params] as usize].dtype
        }
    };
    for (k, &layout) in layouts[..params + outputs].iter().enumerate() {
        if layout != Layout::Invariant {
            let row = advance(&mut b, k, operand_dtype(k).size());
            b.ins().store(mem, row, p_args, word * k as i32);
        }
    }
    let callee = b.ins().iconst(ptr_ty, producer as i64);
    b.ins().call_indirect(callee_sig, callee, &[p_args, len]);
    // Element c0 of the call is element `at % FOLD_BLOCK` of fold group `at / FOLD_BLOCK`.
    let at = b.ins().iadd(c0, phase);
    let group = b.ins().ushr_imm_u(at, FOLD_BLOCK.trailing_zeros() as i64);
    let rows: Vec<Value> = (kernel.reductions.iter().enumerate())
        .map(|(r, red)| {
            let k = params + outputs + r;
            let dtype = kernel.reduction_dtype(r);
            match layouts[k] {
                Layout::Invariant => {
                    let group_bytes = (accumulator_slots(red.op, dtype) * dtype.size()) as i64;
                    let offset = b.ins().imul_imm_u(group, group_bytes);
                    b.ins().iadd(base[k], offset)
                }
                _ => advance(&mut b, k, dtype.size()),
            }
        })
        .collect();
    let within = b.ins().band_imm_u(at, FOLD_BLOCK as i64 - 1);
    for (((c, &args), &ops), &entry) in split.consumers.iter().zip(&c_args).zip(&c_ops).zip(consumers) {
        for (j, &r) in c.reductions.iter().enumerate() {
            b.ins().store(mem, rows[r], args, word * (c.buffers.len() + j) as i32);
        }
        b.ins().store(mem, within, args, word * 2 * ops as i32);
        let callee = b.ins().iconst(ptr_ty, entry as i64);
        b.ins().call_indirect(callee_sig, callee, &[args, len]);
    }
    let next = b.ins().iadd_imm_u(c0, split.len);
    let more = b.ins().icmp(IntCC::UnsignedLessThan, next, n);
    b.ins().brif(more, chunk, &[next.into()], exit, &[]);

    b.switch_to_block(exit);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(isa.frontend_config());
    func
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuse::{plan, Fusion};
    use crate::Expr;

    /// The first stage's kernel of `src` on float64 inputs `a`, `b`, with its
    /// parameters and outputs contiguous and its reductions as `accs`.
    fn split_of(src: &str, accs: Layout) -> Option<Split> {
        let c = Expr::parse(src).and_then(|e| e.compile(&[("a", DType::Float64), ("b", DType::Float64)]));
        let c = c.expect("compiles");
        let k = plan(c.program(), &[c.program().result], Fusion::Fused).stages[0].kernel.clone();
        let mut layouts = vec![Layout::Contiguous; k.params.len() + k.outputs.len()];
        layouts.extend(std::iter::repeat_n(accs, k.reductions.len()));
        split(&k, &layouts)
    }

    #[test]
    fn reductions_of_block_only_functions_or_of_several_kinds_split_and_the_rest_do_not() {
        for accs in [Layout::Invariant, Layout::Contiguous] {
            for src in ["sum(exp(a - b))", "max(log(a))", "mean(a ** 2.5)", "sum(a) + prod(sin(b))"] {
                let s = split_of(src, accs).unwrap_or_else(|| panic!("{src} splits"));
                assert!(s.producer.reductions.is_empty(), "{src}");
                assert_eq!(s.consumers.len(), 1, "{src}: one kind");
                let c = &s.consumers[0];
                assert!(c.kernel.outputs.is_empty(), "{src}");
                assert_eq!(c.kernel.reductions.len(), c.layouts.len() - c.kernel.params.len());
                assert_eq!((s.len, s.buffers.len()), (CHUNK, c.kernel.params.len()), "{src}");
            }
            // Lane-wise functions and one kind stay in the accumulate builder.
            for src in ["sum(a * b)", "sum(sqrt(a) / b)", "max(abs(a))", "min(a) + max(b)", "exp(a)"] {
                assert!(split_of(src, accs).is_none(), "{src}");
            }
        }
        // Several kinds: a consumer each, sharing the buffers.
        let s = split_of("sum(a) + max(a) + min(a * b) + mean(b)", Layout::Invariant).expect("splits");
        let kinds: Vec<Vec<usize>> = s.consumers.iter().map(|c| c.reductions.clone()).collect();
        assert_eq!(kinds, vec![vec![0, 3], vec![1, 2]]);
        assert_eq!(s.buffers.len(), 3);
        // One buffer per distinct argument.
        assert_eq!(split_of("e = exp(a); sum(e) + max(e)", Layout::Invariant).map(|s| s.buffers.len()), Some(1));
    }
}
