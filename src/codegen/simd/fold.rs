//! Folded float sums, means and products in the SIMD emitter: the loops of a
//! kernel whose reductions all fold ([`Layout::Invariant`](super::Layout)
//! accumulators), in exactly the order of Cranelift's kernel
//! (`kernel/accumulate.rs`) and so of the interpreter's partition
//! (`exec/reduce.rs`).
//!
//! The ABI (see [`crate::codegen::Layout::Invariant`]): each reduction's
//! pointer addresses one group of 8 slots per block of [`FOLD_BLOCK`]
//! elements; the word after the strides (`phase`) is how many elements of the
//! first block earlier calls folded. A group is stored in *position order*:
//! its first slot takes the call's next element of that block. Within a block
//! the call's element `j` goes into position `j mod 8`, each position adding
//! its elements in order; after `m` elements the group is stored rotated left
//! by `m mod 8`, so the next call continues where this one stopped.
//!
//! 8 slots are exactly one zmm of float64 (`parts = 1`), two ymm of float64
//! (`parts = 2`) or one ymm of float32 (`parts = 1`): an accumulator vector adds
//! lane `l` of a vector of elements `8t + l` of its block, the very additions
//! of the slots. A whole block runs `unroll` steps of 8 elements per iteration
//! (4, 2 or 1: what the registers allow), each step's vectors added into the
//! accumulators in element order:
//!
//! ```text
//! entry:      phase = ptrs[2 * operands]; i = 0; group = 0
//!             if phase != 0: hi = min(BLOCK - phase, n); goto single
//! check:      while i + BLOCK <= n:                      (whole blocks)
//!               start the accumulators (-0.0 or 1.0: a fresh block)
//!               for t in 0..16 / unroll: elements i .. i + 8 * unroll
//!               store it; i += BLOCK; group += 1
//!             if i == n: return
//!             hi = min(i + BLOCK, n); start the accumulators; goto body
//! single:     load the group (the block earlier calls began)
//! body:       8 elements at a time while i + 8 <= hi
//!             the r = hi - i < 8 left (AVX2: one element at a time into the
//!             slots spilled to the frame; AVX-512: one vector masked by k1)
//!             store the group rotated left by r; i = hi; group += 1; goto check
//! ```
//!
//! Blocks are independent, so interleaving several (one group of accumulators
//! each) would break the chain of 16 dependent additions per accumulator; it
//! measured slower at every size (n = 3e4 to 1e7, 1 thread: 1.1–1.7× at 1e7,
//! where 4 or 8 concurrent streams per array defeat the prefetchers), so each
//! block runs alone. Accumulators live in `zmm16..` (AVX-512: no value register
//! is taken) or in the top value registers (AVX2, which has 16). The rotation
//! goes through a frame buffer holding the slots twice: the rotated group is
//! the 8 slots starting at slot `r`.

use iced_x86::code_asm::*;

use super::{Emit, Emitter, Fail, Mode, Rm, Val, Width, ALL_REGS, VALUE_REGS, XMM, YMM, ZMM};
use crate::codegen::{accumulator_start, FOLD_BLOCK};
use crate::fuse::Kernel;
use crate::ir::ops::ReduceOp;
use crate::types::{DType, Scalar};

/// Slots per group: [`crate::codegen::accumulator_slots`] of every reduction
/// the emitter folds.
const SLOTS: i32 = 8;

/// The folded reductions of a kernel and how their slots sit in registers.
pub(super) struct Fold {
    /// Per reduction: its operation and argument node.
    reds: Vec<(ReduceOp, usize)>,
    /// Vectors per group of 8 slots.
    parts: usize,
    /// Steps of 8 elements per iteration of the whole-block loop.
    unroll: usize,
    /// Steps of 8 elements the body being emitted takes (`unroll` or 1).
    now: usize,
}

/// The first AVX-512 register of the accumulators: `zmm16`, the first of the 16
/// that VEX cannot name (the high bank takes the rest).
pub(super) const ACC_BASE: usize = 16;

impl Fold {
    /// The folds of `kernel` (`None` without reductions), `unroll` steps of 8
    /// elements per iteration. `lane_dtype` admitted the kernel: every
    /// reduction is a float sum, mean or product of the lane dtype.
    pub(super) fn new(kernel: &Kernel, lanes: DType, width: Width, unroll: usize) -> Option<Fold> {
        if kernel.reductions.is_empty() {
            return None;
        }
        let parts = if width == Width::Avx2 && lanes == DType::Float64 { 2 } else { 1 };
        let reds = kernel.reductions.iter().map(|r| (r.op, r.arg as usize)).collect();
        Some(Fold { reds, parts, unroll, now: unroll })
    }
}

impl Emitter<'_> {
    /// Vectors per node in one iteration of the main (or single-block) loop.
    pub(super) fn copies(&self) -> usize {
        self.fold.as_ref().map_or(self.unroll, |f| f.now * f.parts)
    }

    /// Value registers the accumulators hold (AVX2 only: AVX-512 has its own).
    pub(super) fn reserved(&self) -> usize {
        match &self.fold {
            Some(f) if !self.wide => f.reds.len() * f.parts,
            _ => 0,
        }
    }

    /// The AVX-512 registers above the accumulators, allocated like value
    /// registers (none in AVX2 code).
    pub(super) fn high_bank(&self) -> std::ops::Range<usize> {
        let accs = self.fold.as_ref().map_or(0, |f| f.reds.len() * f.parts);
        if self.wide {
            (ACC_BASE + accs).min(ALL_REGS)..ALL_REGS
        } else {
            0..0
        }
    }

    /// Where the folds' scratch starts in the frame: after the slots.
    pub(super) fn scratch_at(&self) -> i32 {
        self.vbytes() * self.filled.max(1) as i32
    }

    /// The folds' frame scratch: per reduction its slots twice (the rotation
    /// buffer), then the AVX2 tail's slot pointer.
    pub(super) fn scratch_bytes(&self) -> i32 {
        self.fold.as_ref().map_or(0, |f| f.reds.len() as i32 * self.buffer_bytes() + 8)
    }

    /// One reduction's rotation buffer: its 8 slots twice.
    fn buffer_bytes(&self) -> i32 {
        2 * SLOTS * self.size()
    }

    fn fold_ref(&self) -> &Fold {
        self.fold.as_ref().expect("only folding kernels run the fold loops")
    }

    /// Accumulator vector `part` of reduction `r` (an index into `YMM` or `ZMM`).
    fn acc(&self, r: usize, part: usize) -> usize {
        let k = r * self.fold_ref().parts + part;
        if self.wide {
            ACC_BASE + k
        } else {
            VALUE_REGS - 1 - k
        }
    }

    /// The loops of a folding kernel (see the module doc). On entry `rcx` is
    /// 0 and `rdi` still `ptrs`; `rdi` then holds the byte offset of the
    /// current group, `rdx` the end of the current block (or inner loop).
    pub(super) fn fold_loops(&mut self) -> Emit {
        let block = FOLD_BLOCK as i32;
        let group = SLOTS * self.size();
        let unroll = self.fold_ref().unroll as i32;
        if self.wide && ACC_BASE + self.fold_ref().reds.len() > ALL_REGS {
            return Err(Fail::Registers);
        }
        let mut check = self.a.create_label();
        let mut single_setup = self.a.create_label();
        let mut single = self.a.create_label();
        let mut single_body = self.a.create_label();
        let mut vloop = self.a.create_label();
        let mut tail = self.a.create_label();
        let mut whole = self.a.create_label();
        let mut next = self.a.create_label();
        let mut done = self.a.create_label();
        let ops = self.layouts.len() as i32;
        self.a.mov(rax, qword_ptr(rdi + 8 * 2 * ops))?;
        self.a.xor(edi, edi)?;
        // A call starting inside a block finishes that block first.
        self.a.mov(edx, block)?;
        self.a.sub(rdx, rax)?;
        self.a.cmp(rdx, rsi)?;
        self.a.cmova(rdx, rsi)?;
        self.a.test(rax, rax)?;
        self.a.jnz(single)?;
        let mut inner = self.a.create_label();
        self.a.set_label(&mut check)?;
        self.a.lea(rax, ptr(rcx + block))?;
        self.a.cmp(rax, rsi)?;
        self.a.ja(single_setup)?;
        self.fold_ref_mut().now = unroll as usize;
        // A whole block is a fresh one: no earlier call folded any of it.
        self.start_groups()?;
        self.a.lea(rdx, ptr(rcx + block))?;
        self.a.set_label(&mut inner)?;
        self.body(Mode::Vector)?;
        self.a.add(rcx, unroll * SLOTS)?;
        self.a.cmp(rcx, rdx)?;
        self.a.jb(inner)?;
        self.groups(true)?;
        self.a.add(rdi, group)?;
        self.a.jmp(check)?;
        self.a.set_label(&mut single_setup)?;
        self.a.cmp(rcx, rsi)?;
        self.a.jae(done)?;
        self.a.lea(rdx, ptr(rcx + block))?;
        self.a.cmp(rdx, rsi)?;
        self.a.cmova(rdx, rsi)?;
        self.fold_ref_mut().now = 1;
        // After whole blocks, the last one is fresh too; only a call's first
        // block, when it starts inside (`phase != 0`), loads what earlier calls
        // folded.
        self.start_groups()?;
        self.a.jmp(single_body)?;
        self.a.set_label(&mut single)?;
        self.groups(false)?;
        self.a.set_label(&mut single_body)?;
        self.a.lea(rax, ptr(rcx + SLOTS))?;
        self.a.cmp(rax, rdx)?;
        self.a.ja(tail)?;
        self.a.set_label(&mut vloop)?;
        self.body(Mode::Vector)?;
        self.a.add(rcx, SLOTS)?;
        self.a.lea(rax, ptr(rcx + SLOTS))?;
        self.a.cmp(rax, rdx)?;
        self.a.jbe(vloop)?;
        self.a.set_label(&mut tail)?;
        self.a.cmp(rcx, rdx)?;
        self.a.jae(whole)?;
        if self.wide {
            self.masked_fold_tail()?;
        } else {
            self.scalar_fold_tail()?;
        }
        self.a.jmp(next)?;
        self.a.set_label(&mut whole)?;
        self.groups(true)?;
        self.a.set_label(&mut next)?;
        self.a.add(rdi, group)?;
        self.a.jmp(check)?;
        self.a.set_label(&mut done)?;
        Ok(())
    }

    fn fold_ref_mut(&mut self) -> &mut Fold {
        self.fold.as_mut().expect("only folding kernels run the fold loops")
    }

    /// The row pointer register of reduction `r`'s groups.
    fn group_base(&self, r: usize) -> AsmRegister64 {
        self.bases[self.kernel.params.len() + self.kernel.outputs.len() + r].expect("folds have a row register")
    }

    /// Load (`store: false`) or store group `rdi` of every reduction into
    /// (from) its accumulators.
    fn groups(&mut self, store: bool) -> Emit {
        let (reds, parts) = (self.fold_ref().reds.len(), self.fold_ref().parts);
        for r in 0..reds {
            let base = self.group_base(r);
            for part in 0..parts {
                let m = ptr(base + rdi + part as i32 * self.vbytes());
                self.move_acc(self.acc(r, part), m, store)?;
            }
        }
        Ok(())
    }

    /// Set every reduction's accumulators to its start (`-0.0` for sums and
    /// means, `1.0` for products) for a fresh block, instead of loading the
    /// group: the caller need not fill the groups before each call.
    fn start_groups(&mut self) -> Emit {
        let (reds, parts) = (self.fold_ref().reds.len(), self.fold_ref().parts);
        let dtype = if self.f64_lanes { DType::Float64 } else { DType::Float32 };
        for r in 0..reds {
            let bits = match accumulator_start(self.fold_ref().reds[r].0, dtype) {
                Scalar::Float64(v) => v.to_bits(),
                Scalar::Float32(v) => u64::from(v.to_bits()),
                s => unreachable!("the emitter folds float reductions only, not {s:?}"),
            };
            self.a.mov(rax, bits)?;
            for part in 0..parts {
                let k = self.acc(r, part);
                match (self.wide, self.f64_lanes) {
                    (true, true) => self.a.vpbroadcastq(ZMM[k], rax)?,
                    (true, false) => self.a.vpbroadcastd(ZMM[k], eax)?,
                    (false, true) => {
                        self.a.vmovq(XMM[k], rax)?;
                        self.a.vpbroadcastq(YMM[k], XMM[k])?;
                    }
                    (false, false) => {
                        self.a.vmovq(XMM[k], rax)?;
                        self.a.vpbroadcastd(YMM[k], XMM[k])?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Accumulator `k` from (`store: false`) or to memory `m`.
    fn move_acc(&mut self, k: usize, m: AsmMemoryOperand, store: bool) -> Emit {
        match (self.wide, store) {
            (true, false) => fp!(self, vmovupd, vmovups, ZMM[k], m)?,
            (true, true) => fp!(self, vmovupd, vmovups, m, ZMM[k])?,
            (false, false) => fp!(self, vmovupd, vmovups, YMM[k], m)?,
            (false, true) => fp!(self, vmovupd, vmovups, m, YMM[k])?,
        }
        Ok(())
    }

    /// Fold node `i`'s values `vals` (one per copy) into every reduction of
    /// `i`: lane-wise into the accumulators (`Vector`), under the tail's
    /// mask `k1` (`Masked`), or the one element of the AVX2 tail into its
    /// slot in the frame buffer (`Scalar`).
    pub(super) fn accumulate(&mut self, i: usize, vals: &[Val], mode: Mode) -> Emit {
        let Some(fold) = &self.fold else { return Ok(()) };
        let parts = fold.parts;
        let reds: Vec<(usize, ReduceOp)> = (fold.reds.iter().enumerate())
            .filter(|&(_, &(_, arg))| self.rep[arg] == i)
            .map(|(r, &(op, _))| (r, op))
            .collect();
        for (r, op) in reds {
            let mul = op == ReduceOp::Prod;
            match mode {
                Mode::Vector => {
                    for (copy, &v) in vals.iter().enumerate() {
                        // Copies are consecutive vectors: in element order.
                        let k = self.acc(r, copy % parts);
                        if self.wide {
                            let a = ZMM[k];
                            match (self.rmz(v), mul) {
                                (Rm::Reg(x), false) => fp!(self, vaddpd, vaddps, a, a, x)?,
                                (Rm::Mem(x), false) => fp!(self, vaddpd, vaddps, a, a, x)?,
                                (Rm::Reg(x), true) => fp!(self, vmulpd, vmulps, a, a, x)?,
                                (Rm::Mem(x), true) => fp!(self, vmulpd, vmulps, a, a, x)?,
                            }
                        } else {
                            let a = YMM[k];
                            match (self.rm(v), mul) {
                                (Rm::Reg(x), false) => fp!(self, vaddpd, vaddps, a, a, x)?,
                                (Rm::Mem(x), false) => fp!(self, vaddpd, vaddps, a, a, x)?,
                                (Rm::Reg(x), true) => fp!(self, vmulpd, vmulps, a, a, x)?,
                                (Rm::Mem(x), true) => fp!(self, vmulpd, vmulps, a, a, x)?,
                            }
                        }
                    }
                }
                Mode::Masked => {
                    let a = ZMM[self.acc(r, 0)];
                    match (self.rmz(vals[0]), mul) {
                        (Rm::Reg(x), false) => fp!(self, vaddpd, vaddps, a.k1(), a, x)?,
                        (Rm::Mem(x), false) => fp!(self, vaddpd, vaddps, a.k1(), a, x)?,
                        (Rm::Reg(x), true) => fp!(self, vmulpd, vmulps, a.k1(), a, x)?,
                        (Rm::Mem(x), true) => fp!(self, vmulpd, vmulps, a.k1(), a, x)?,
                    }
                }
                Mode::Scalar => {
                    // rax + rcx * size is this element's slot in buffer 0.
                    let x = XMM[self.reg(vals[0], 0)?];
                    let t = XMM[super::TEMP[0]];
                    let size = self.size();
                    self.a.mov(rax, qword_ptr(rsp + self.tail_pointer()))?;
                    let slot = ptr(rax + rcx * size + r as i32 * self.buffer_bytes());
                    match (self.f64_lanes, mul) {
                        (true, false) => {
                            self.a.vmovsd(t, qword_ptr(slot))?;
                            self.a.vaddsd(t, t, x)?;
                            self.a.vmovsd(qword_ptr(slot), t)?;
                        }
                        (true, true) => {
                            self.a.vmovsd(t, qword_ptr(slot))?;
                            self.a.vmulsd(t, t, x)?;
                            self.a.vmovsd(qword_ptr(slot), t)?;
                        }
                        (false, false) => {
                            self.a.vmovss(t, dword_ptr(slot))?;
                            self.a.vaddss(t, t, x)?;
                            self.a.vmovss(dword_ptr(slot), t)?;
                        }
                        (false, true) => {
                            self.a.vmovss(t, dword_ptr(slot))?;
                            self.a.vmulss(t, t, x)?;
                            self.a.vmovss(dword_ptr(slot), t)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The frame offset of the AVX2 tail's slot pointer (after the buffers).
    fn tail_pointer(&self) -> i32 {
        self.scratch_at() + self.fold_ref().reds.len() as i32 * self.buffer_bytes()
    }

    /// Reduction `r`'s rotation buffer in the frame (+ `offset` bytes).
    fn buffer(&self, r: usize, offset: i32) -> AsmMemoryOperand {
        ptr(rsp + (self.scratch_at() + r as i32 * self.buffer_bytes() + offset))
    }

    /// AVX2: the elements `rcx..rdx` (fewer than 8) one at a time, each into
    /// its slot of the group spilled to the frame, then the group rotated
    /// left by their count back to memory. Ends with `rcx = rdx`.
    fn scalar_fold_tail(&mut self) -> Emit {
        let (reds, parts) = (self.fold_ref().reds.len(), self.fold_ref().parts);
        let (size, vbytes, half) = (self.size(), self.vbytes(), SLOTS * self.size());
        for r in 0..reds {
            for part in 0..parts {
                let m = self.buffer(r, part as i32 * vbytes);
                self.move_acc(self.acc(r, part), m, true)?;
            }
        }
        // The slot pointer: buffer 0 - rcx * size, so element rcx meets slot 0.
        self.a.mov(rax, rcx)?;
        self.a.shl(rax, size.trailing_zeros())?;
        self.a.neg(rax)?;
        self.a.lea(rax, ptr(rsp + rax + self.scratch_at()))?;
        self.a.mov(qword_ptr(rsp + self.tail_pointer()), rax)?;
        let mut top = self.a.create_label();
        self.a.set_label(&mut top)?;
        self.body(Mode::Scalar)?;
        self.a.inc(rcx)?;
        self.a.cmp(rcx, rdx)?;
        self.a.jb(top)?;
        // Slots 0..8 again at 8..16; the group rotated by r starts at slot r,
        // which is `rax + rcx * size` now.
        let t = YMM[super::TEMP[0]];
        self.a.mov(rax, qword_ptr(rsp + self.tail_pointer()))?;
        for r in 0..reds {
            let base = self.group_base(r);
            for part in 0..parts {
                let off = part as i32 * vbytes;
                self.a.vmovdqu(t, self.buffer(r, off))?;
                self.a.vmovdqu(self.buffer(r, half + off), t)?;
            }
            for part in 0..parts {
                let off = r as i32 * self.buffer_bytes() + part as i32 * vbytes;
                self.a.vmovdqu(t, ptr(rax + rcx * size + off))?;
                self.a.vmovdqu(ptr(base + rdi + part as i32 * vbytes), t)?;
            }
        }
        Ok(())
    }

    /// AVX-512: the elements `rcx..rdx` (fewer than 8) as one vector masked by
    /// `k1`, added into the lanes of their slots, then the group rotated left
    /// by their count back to memory. Ends with `rcx = rdx`.
    fn masked_fold_tail(&mut self) -> Emit {
        let reds = self.fold_ref().reds.len();
        let half = SLOTS * self.size();
        self.a.sub(rdx, rcx)?;
        self.a.mov(rax, -1i64)?;
        self.a.bzhi(rax, rax, rdx)?;
        self.a.kmovw(k1, eax)?;
        self.body(Mode::Masked)?;
        for r in 0..reds {
            let a = ZMM[self.acc(r, 0)];
            self.a.vmovdqu64(self.buffer(r, 0), a)?;
            self.a.vmovdqu64(self.buffer(r, half), a)?;
            let size = self.size();
            let off = self.scratch_at() + r as i32 * self.buffer_bytes();
            self.a.vmovdqu64(a, ptr(rsp + rdx * size + off))?;
            self.a.vmovdqu64(ptr(self.group_base(r) + rdi), a)?;
        }
        self.a.add(rcx, rdx)?;
        Ok(())
    }
}
