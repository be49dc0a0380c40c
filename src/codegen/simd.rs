//! The SIMD emitter: fused elementwise kernels as 512-bit (AVX-512) or 256-bit
//! (AVX2) x86 loops, beside Cranelift (which emits 128-bit vectors only).
//!
//! One emitter for both widths ([`Width`]): the loop skeleton, register
//! allocation, frame and unrolling below are shared; the per-operation
//! lowering (`op`/`load`/`store` for ymm and VEX, `op_z`/`load_z`/`store_z`
//! for zmm and EVEX) and the tail differ. The AVX-512 code keeps bools as lane
//! masks in vector registers too (so allocation is the same), converting
//! through mask register `k2` where EVEX needs one (comparisons, `where`,
//! minimum/maximum), and its tail is one vector per iteration with loads and
//! stores masked by `k1`, instead of the AVX2 code's one-element tail.
//!
//! Input: a [`Kernel`] and its [`Layout`]s, as [`super::compile`] gets them.
//! Output: machine code with exactly the ABI of [`super::KernelFn`] (System V:
//! `ptrs` in `rdi`, `n` in `rsi`), or `None` when the kernel is outside the
//! subset below, and Cranelift compiles it as before.
//!
//! The subset: parameters contiguous or invariant, outputs contiguous
//! (strided operands go to Cranelift); reductions only as folded float sums,
//! means and products (`Invariant` accumulators; their loops, in the slot
//! order of Cranelift's kernel, are in `fold.rs`; float32 folds at 256 bits
//! only); every value float64, or every
//! value float32, or bool (held as lane masks of that width: all ones or all
//! zeros, as comparisons produce them); the operations [`supported`] lists:
//! `+ - * /`, negation, comparisons, `& | ^ ~` on bools, sqrt, abs, square,
//! floor, ceil, trunc, rint, copysign, NumPy's minimum/maximum, `where`,
//! reciprocal, fma (on CPUs with FMA). Each is one correctly rounded IEEE instruction or a bit operation, the ones
//! [`super::vector`] uses for Cranelift's loops, so results are bit-identical to
//! the interpreter (NaN payloads aside, as everywhere). No FMA is formed here:
//! `a*b + c` rounds twice, as NumPy does; an `fma` node (what `--math fast`
//! contracts `a*b + c` into, in the IR, for every engine) is one `vfmadd` on
//! CPUs with FMA, and makes the emitter decline the kernel on CPUs without.
//!
//! ```text
//! entry(ptrs, n):  if n == 0 return
//!                  save callee-saved registers; reserve the frame
//!                  load row pointers of contiguous operands into registers;
//!                  broadcast invariant parameters and constants into frame slots;
//!                  compute every node of invariant values only into frame slots;
//!                  load the invariant values the loops read into registers
//! main(i):         while i + U*L <= n: U vectors of L lanes per node (node-major,
//!                  so the U copies are independent work); stores; i += U*L
//! tail(i):         while i < n: the same code on one element (scalar loads and
//!                  stores, so nothing past element n - 1 is touched); i += 1
//!                  (AVX-512: k1 = low min(n - i, L) bits; one vector with
//!                  loads and stores masked by k1; i += L)
//! ```
//!
//! Varying float parameters read once are memory operands of the instruction
//! that uses them (no separate loads in the main loop); values live in
//! `ymm0..=ymm10` (allocated in node order, freed after their last use),
//! `ymm11..=ymm15` are scratch; a result may take the register of an argument
//! read for the last time. AVX-512 code also allocates the *high bank*,
//! `zmm16..=zmm31` above the folds' accumulators, which no VEX instruction can
//! name. Invariant values the loops read are loaded into registers before them
//! (the highest free first) when that still fits, else read from their slots as
//! memory operands; with the high bank, so are the constants the lowerings ask
//! for (sign masks, an inline power's domain bounds), and a float parameter
//! read by more than one operation is loaded once per vector when registers
//! are plenty. That matters: on this machine's EPYC (Zen 5) the exact cubic's
//! loop read 8 vectors per 8 elements (the input twice, six constants) and was
//! bound by it — 29 µs at n = 1e5 on one thread, 15 µs with
//! its constants in the high bank. U is 4, 2 or 1: the largest whose values fit
//! in registers; a kernel that does not fit even at U = 1 (or has more
//! contiguous operands than spare general registers) goes to Cranelift.
//!
//! AVX-512 code does not compute a comparison read only by a `where` as a lane
//! mask value: the `where` compares into `k2` and blends (`vcmppd`,
//! `vblendmpd`), without the round trip through a vector register
//! (`vpmovm2q`, `vpmovq2m`) a bool value takes.
//!
//! With [`Stores::Streaming`] the code has two main loops: one writing float
//! outputs with non-temporal stores (`vmovntpd`/`vmovntps`, which bypass the
//! caches and need vector-aligned addresses), taken when every float output
//! starts on a vector boundary, and the ordinary one otherwise.
//!
//! A kernel that folds reductions has other loops (blocks of 128 elements;
//! see `fold.rs`) around the same `body`, which adds each reduction's argument
//! into accumulator registers as it is computed.
//!
//! This module only produces bytes; [`super::compile`] places them in the same
//! JIT memory Cranelift's code uses, and `exec` calls them the same way.

use std::collections::HashMap;

use iced_x86::code_asm::*;
use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter};

use super::kernel::varying_nodes;
use super::{Layout, Stores};
use crate::fuse::{KOp, Kernel};
use crate::ir::ops::{BinaryOp, ReduceOp, UnaryOp};
use crate::ir::Op;
use crate::semantics::{func_impl, Builtin, FloatImpl};
use crate::types::{DType, Scalar};
use crate::vmath::{self, POW_SPECIAL_N as SPECIAL_N, POW_SPECIAL_X_MAX, POW_SPECIAL_X_MIN};

/// The vector width the emitter writes code for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Width {
    /// 256-bit `ymm` registers, VEX encoding (AVX2), a one-element tail loop.
    Avx2,
    /// 512-bit `zmm` registers, EVEX encoding (AVX-512 F and DQ), comparisons
    /// through mask registers, a masked one-vector tail loop (BMI2's `bzhi`).
    Avx512,
}

impl Width {
    /// The name `--emit asm` prints.
    pub(super) fn name(self) -> &'static str {
        match self {
            Width::Avx2 => "avx2",
            Width::Avx512 => "avx512",
        }
    }
}

/// Whether this CPU runs the code this module emits at `width` (checked once).
pub(super) fn available(width: Width) -> bool {
    static AVX2: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    static AVX512: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    match width {
        Width::Avx2 => *AVX2.get_or_init(|| std::arch::is_x86_feature_detected!("avx2")),
        Width::Avx512 => *AVX512.get_or_init(|| {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512dq")
                && std::arch::is_x86_feature_detected!("bmi2")
        }),
    }
}

/// Whether this CPU has the FMA3 instructions `fma` nodes are emitted as (checked
/// once). Without them the emitter declines kernels with `fma`, and Cranelift
/// calls libm's correctly rounded `fma`: the same bits, slower.
fn fma_available() -> bool {
    static FMA: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FMA.get_or_init(|| std::arch::is_x86_feature_detected!("fma"))
}

/// Whether `kernel` has outputs that [`Stores::Streaming`] code writes with
/// non-temporal stores (float ones; bool outputs are narrow stores either way).
/// Kernels that fold reductions have their own loops and stream nothing.
pub(super) fn streams(kernel: &Kernel) -> bool {
    kernel.reductions.is_empty() && kernel.outputs.iter().any(|&o| kernel.nodes[o as usize].dtype.is_float())
}

/// Machine code for `kernel` at `width` with `stores`, or `None` if it is
/// outside the subset.
pub(super) fn emit(kernel: &Kernel, layouts: &[Layout], width: Width, stores: Stores) -> Option<Vec<u8>> {
    let lanes = lane_dtype(kernel, layouts)?;
    if width == Width::Avx512 && lanes == DType::Float32 && !kernel.reductions.is_empty() {
        // 8 float32 slots are half a zmm: not written yet (the AVX2 code takes it).
        return None;
    }
    // Most vectors per iteration first, invariant values in registers first.
    let shapes = [4, 2, 1].into_iter().flat_map(|unroll| [Pin::Registers, Pin::Frame].map(|pin| Shape { unroll, pin }));
    shapes.into_iter().find_map(|shape| {
        // The prologue fills the frame slots the code asks for, which are known
        // only once it is emitted: emit again until no new slot is asked for
        // (each pass can only add slots, so this ends).
        let mut frame = Vec::new();
        loop {
            let mut e = Emitter::new(kernel, layouts, lanes, width, shape, frame);
            e.stores = stores;
            let done = e.function();
            let grew = e.frame.len() > e.filled;
            match done {
                Ok(()) if !grew => return e.a.assemble(0).map_err(encode_bug).ok(),
                Ok(()) if e.frame.len() * e.vbytes() as usize + e.scratch_bytes() as usize <= MAX_FRAME => {
                    frame = e.frame
                }
                Ok(()) | Err(Fail::Registers) => return None,
                Err(Fail::Encode(err)) => {
                    encode_bug(err);
                    return None;
                }
            }
        }
    })
}

/// How many kernels the emitter gave up on because iced refused an instruction it
/// built: a bug in the emitter, never the user's. The kernel then goes to Cranelift
/// (same bits, slower), so a user never sees it; the tests check it stays 0.
static ENCODE_BUGS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn encode_bug(err: IcedError) {
    ENCODE_BUGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    if cfg!(debug_assertions) {
        panic!("the SIMD emitter built an instruction iced cannot encode: {err}")
    }
}

/// The number of encoding bugs met so far (see [`ENCODE_BUGS`]).
pub(crate) fn encode_bugs() -> usize {
    ENCODE_BUGS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The disassembly of code from [`emit`], for `--emit asm`.
pub(super) fn listing(code: &[u8]) -> String {
    let mut decoder = Decoder::with_ip(64, code, 0, DecoderOptions::NONE);
    let mut formatter = IntelFormatter::new();
    let mut out = String::new();
    for ins in &mut decoder {
        let mut text = String::new();
        formatter.format(&ins, &mut text);
        out.push_str(&format!("  {:04x}  {text}\n", ins.ip()));
    }
    out
}

/// The float dtype of every lane (float64 or float32), if the kernel is in the
/// subset. A kernel of bools only runs in 32-bit lanes.
fn lane_dtype(kernel: &Kernel, layouts: &[Layout]) -> Option<DType> {
    let params = kernel.params.len();
    let accs = params + kernel.outputs.len();
    // Reductions only as folds of float sums, means and products (their
    // arguments' dtype is checked with every other node's below).
    let folds_ok = (kernel.reductions.iter().enumerate()).all(|(r, red)| {
        matches!(red.op, ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Prod) && kernel.reduction_dtype(r).is_float()
    });
    let layouts_ok = folds_ok
        && layouts[..params].iter().all(|l| matches!(l, Layout::Contiguous | Layout::Invariant))
        && layouts[params..accs].iter().all(|&l| l == Layout::Contiguous)
        && layouts[accs..].iter().all(|&l| l == Layout::Invariant);
    if !layouts_ok {
        return None;
    }
    let mut float = None;
    for node in &kernel.nodes {
        match node.dtype {
            DType::Bool => {}
            d @ (DType::Float64 | DType::Float32) if float.is_none_or(|f| f == d) => float = Some(d),
            DType::Float64 | DType::Float32 | DType::Int32 | DType::Int64 => return None,
        }
    }
    kernel.nodes.iter().all(|n| supported(&n.op, kernel)).then_some(float.unwrap_or(DType::Float32))
}

/// Whether an operation (all of whose values have the lane dtype or are bools)
/// has an exact lowering here.
fn supported(op: &KOp, kernel: &Kernel) -> bool {
    let float = |a: &u32| kernel.nodes[*a as usize].dtype.is_float();
    match op {
        KOp::Param(_) | KOp::Op(Op::Const(_)) => true,
        KOp::Op(Op::Unary(UnaryOp::Neg | UnaryOp::Pos, a)) => float(a),
        KOp::Op(Op::Unary(UnaryOp::Invert, a)) => !float(a),
        KOp::Op(Op::Binary(bop, a, _)) => match bop {
            BinaryOp::Add | BinaryOp::Mul | BinaryOp::Sub | BinaryOp::Div => float(a),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => float(a),
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => !float(a),
            BinaryOp::Pow => float(a) && int_power(kernel, op).is_some(),
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Shl | BinaryOp::Shr => false,
        },
        KOp::Op(Op::Call(f, args)) => match builtin(*f) {
            Some(Builtin::Where) => true,
            Some(_) => args.iter().all(float),
            None => false,
        },
        KOp::Op(Op::Cast(_)) => false,
    }
}

/// The exponent `n` of a `x ** n` node this module computes inline, exactly as
/// `vmath::pow` does ([`Emitter::power`]): a constant whole number, float64
/// `3 <= n <= 8` (pow's special path in double-double, needing FMA) or float32
/// `n = 3, 4` (one float64 product, `vmath::pow::pow_f32_int`). `x ** 2` is
/// `x * x` already (the optimizer's), other exponents go to Cranelift.
fn int_power(kernel: &Kernel, op: &KOp) -> Option<u32> {
    let KOp::Op(Op::Binary(BinaryOp::Pow, _, e)) = op else { return None };
    let KOp::Op(Op::Const(c)) = kernel.nodes[*e as usize].op else { return None };
    let (y, max) = match c.0 {
        Scalar::Float64(y) if fma_available() => (y, f64::from(SPECIAL_N)),
        Scalar::Float32(y) => (f64::from(y), 4.0),
        _ => return None,
    };
    (y.trunc() == y && (3.0..=max).contains(&y)).then_some(y as u32)
}

/// The inline operation of function `f` on floats, if this module emits it.
fn builtin(f: crate::ir::ops::Func) -> Option<Builtin> {
    let Some(FloatImpl::Op(op)) = func_impl(f).float else { return None };
    let ours = match op {
        Builtin::Where
        | Builtin::Sqrt
        | Builtin::Square
        | Builtin::Abs
        | Builtin::Floor
        | Builtin::Ceil
        | Builtin::Trunc
        | Builtin::Rint
        | Builtin::Copysign
        | Builtin::Minimum
        | Builtin::Maximum
        | Builtin::Identity
        | Builtin::Reciprocal => true,
        // `vfmadd`: only where the CPU has FMA (else Cranelift's libcall).
        Builtin::Fma => fma_available(),
        // Not written yet: Cranelift compiles kernels using them.
        Builtin::Sign
        | Builtin::Clip
        | Builtin::Zero
        | Builtin::One
        | Builtin::Isnan
        | Builtin::Isinf
        | Builtin::Isfinite
        | Builtin::Signbit
        | Builtin::TruncRem => false,
    };
    ours.then_some(op)
}

/// Vector registers by index: AVX2 code uses the first 16; AVX-512 code all 32
/// (registers 16.. need EVEX encodings, which every AVX-512 instruction has).
const YMM: [AsmRegisterYmm; 32] = [
    ymm0, ymm1, ymm2, ymm3, ymm4, ymm5, ymm6, ymm7, ymm8, ymm9, ymm10, ymm11, ymm12, ymm13, ymm14, ymm15, ymm16, ymm17,
    ymm18, ymm19, ymm20, ymm21, ymm22, ymm23, ymm24, ymm25, ymm26, ymm27, ymm28, ymm29, ymm30, ymm31,
];
const ZMM: [AsmRegisterZmm; 32] = [
    zmm0, zmm1, zmm2, zmm3, zmm4, zmm5, zmm6, zmm7, zmm8, zmm9, zmm10, zmm11, zmm12, zmm13, zmm14, zmm15, zmm16, zmm17,
    zmm18, zmm19, zmm20, zmm21, zmm22, zmm23, zmm24, zmm25, zmm26, zmm27, zmm28, zmm29, zmm30, zmm31,
];
const XMM: [AsmRegisterXmm; 32] = [
    xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15, xmm16, xmm17,
    xmm18, xmm19, xmm20, xmm21, xmm22, xmm23, xmm24, xmm25, xmm26, xmm27, xmm28, xmm29, xmm30, xmm31,
];
/// Registers values are allocated from (`0..VALUE_REGS`); `VALUE_REGS..16` are
/// scratch. AVX-512 code also allocates from the high bank, `16 + folds..32`
/// (the folds' accumulators take `zmm16..`): twice the registers, so invariant
/// values stay in registers at the widest unroll instead of being read from the
/// frame, and a stream read more than once is loaded once.
const VALUE_REGS: usize = 11;
/// Every vector register index.
const ALL_REGS: usize = 32;
/// Scratch: one per argument of an operation (loaded from memory when it must
/// be a register), and two temporaries.
const ARG_SCRATCH: [usize; 3] = [13, 14, 15];
const TEMP: [usize; 2] = [11, 12];
/// Row pointers of contiguous operands; `rbx`, `rbp`, `r12..r15` are saved.
const BASES: [AsmRegister64; 10] = [r8, r9, r10, r11, rbx, rbp, r12, r13, r14, r15];
const CALLEE_SAVED: [AsmRegister64; 6] = [rbx, rbp, r12, r13, r14, r15];
/// The frame holds one vector per slot (32 or 64 bytes); bounded so it stays
/// within one page (no stack probes needed) whatever the kernel.
const MAX_FRAME: usize = 3072;
/// How far ahead a dense main loop prefetches its parameters ([`Emitter::prefetch`]), in bytes.
const PREFETCH_AHEAD: i32 = 4096;
/// Instructions per cache line streamed from which a main loop prefetches.
const PREFETCH_DENSITY: usize = 5;

enum Fail {
    /// Not enough registers at this unroll factor (or too many operands).
    Registers,
    Encode(IcedError),
}

impl From<IcedError> for Fail {
    fn from(e: IcedError) -> Fail {
        Fail::Encode(e)
    }
}

type Emit<T = ()> = Result<T, Fail>;

/// What a frame slot holds (filled by the prologue).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Slot {
    /// A lane bit pattern broadcast to every lane.
    Bits(u64),
    /// An invariant parameter broadcast (bools as masks).
    Param(u32),
    /// A node of invariant values only.
    Node(u32),
}

/// Where one unrolled copy of a value is.
#[derive(Clone, Copy)]
enum Val {
    Reg(usize),
    /// A frame slot: the same for every element.
    Slot(usize),
    /// A contiguous float parameter at the current element plus `copy` vectors
    /// (main loop only: a memory operand reads a whole vector).
    Stream {
        param: u32,
        copy: usize,
    },
}

/// How a loop is laid out: vectors per node per iteration, and where the
/// invariant values the loop reads are.
#[derive(Clone, Copy)]
struct Shape {
    unroll: usize,
    pin: Pin,
}

#[derive(Clone, Copy, PartialEq)]
enum Pin {
    /// Loaded into registers before the loop (one instruction less per use).
    Registers,
    /// Read from their frame slots (leaves more registers to values).
    Frame,
}

/// A vector loop body (`unroll` vectors per node), the one-element tail body
/// (AVX2), or the one-vector tail body whose loads and stores are masked by
/// `k1` (AVX-512).
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Vector,
    Scalar,
    Masked,
}

/// An operand that may be a register (`ymm` or `zmm`) or memory.
enum Rm<R> {
    Reg(R),
    Mem(AsmMemoryOperand),
}

/// `$a.$op(.., $rm)` with the last operand a register or memory.
macro_rules! with_rm {
    ($rm:expr, |$x:ident| $body:expr) => {
        match $rm {
            Rm::Reg($x) => $body,
            Rm::Mem($x) => $body,
        }
    };
}

/// The float64 or float32 form of an instruction (either width).
macro_rules! fp {
    ($e:expr, $pd:ident, $ps:ident, $($arg:expr),*) => {
        if $e.f64_lanes { $e.a.$pd($($arg),*) } else { $e.a.$ps($($arg),*) }
    };
}

/// An instruction on vector registers given by index, `zmm` or `ymm` by width.
macro_rules! vx {
    ($e:expr, $op:ident, $($r:expr),+) => {
        if $e.wide { $e.a.$op($(ZMM[$r]),+) } else { $e.a.$op($(YMM[$r]),+) }
    };
}

// After the macros, which it uses.
mod fold;

use fold::Fold;

struct Emitter<'k> {
    a: CodeAssembler,
    kernel: &'k Kernel,
    layouts: &'k [Layout],
    f64_lanes: bool,
    /// 512-bit (EVEX) code rather than 256-bit.
    wide: bool,
    unroll: usize,
    pin: Pin,
    varying: Vec<bool>,
    /// Per node: the register an invariant value lives in during the loops.
    pinned: Vec<Option<usize>>,
    /// Node -> the node whose value it is (`+x` and `identity(x)` are `x`).
    rep: Vec<usize>,
    /// Per node: the last node reading it.
    last_use: Vec<usize>,
    /// Row pointer register per operand (parameters, then outputs), if contiguous.
    bases: Vec<Option<AsmRegister64>>,
    frame: Vec<Slot>,
    slot_of: HashMap<Slot, usize>,
    /// Slots this pass's prologue fills (those an earlier pass asked for).
    filled: usize,
    free: [bool; ALL_REGS],
    /// Registers holding invariant values for the whole loop (never released).
    locked: [bool; ALL_REGS],
    /// Frame slots of bit patterns held in registers during the loops (slot ->
    /// register), like pinned invariant nodes.
    slot_pins: HashMap<usize, usize>,
    /// Per node: how many operations read its value.
    readers: Vec<usize>,
    /// Per node: a comparison whose one reader is a `where` (AVX-512). It is
    /// not computed as a value: the `where` compares into `k2` and blends, two
    /// mask round trips (`vpmovm2q`, `vpmovq2m`) fewer per vector.
    deferred: Vec<bool>,
    /// Which main loops to emit (see [`Stores`]).
    stores: Stores,
    /// The main loop being emitted writes float outputs with non-temporal
    /// stores (its outputs are known to be vector-aligned).
    nt: bool,
    /// The folded reductions, if the kernel has any (then `unroll` counts
    /// steps of 8 elements, see `fold.rs`).
    fold: Option<Fold>,
    /// The body being emitted (`Vector` outside the loops, e.g. in the prologue).
    mode: Mode,
    /// Out-of-line slow paths of inline powers, emitted after the return.
    stubs: Vec<Stub>,
    /// Per float64 inline power: a later node squaring the same value (`x*x`,
    /// `square(x)`), whose value the power's first product is.
    square_partner: Vec<Option<usize>>,
    /// Per node: its value per copy, already computed by an inline power
    /// (taken when the body reaches the node).
    shared: Vec<Vec<Val>>,
}

/// The slow path of one inline float64 power ([`Emitter::power`]): `vmath`'s
/// pow block kernel on the vector, for lanes outside the special path's domain.
struct Stub {
    entry: CodeLabel,
    /// The move of the result into its value register that ends the fast path.
    back: CodeLabel,
    /// The register holding `x`, and the scratch register the fast path leaves
    /// the result in (the stub puts `x**y` there).
    x: usize,
    result: usize,
    y: f64,
}

impl<'k> Emitter<'k> {
    fn new(
        kernel: &'k Kernel,
        layouts: &'k [Layout],
        lanes: DType,
        width: Width,
        shape: Shape,
        frame: Vec<Slot>,
    ) -> Self {
        let mut rep: Vec<usize> = (0..kernel.nodes.len()).collect();
        let mut last_use = vec![0; kernel.nodes.len()];
        let mut readers = vec![0; kernel.nodes.len()];
        for (i, node) in kernel.nodes.iter().enumerate() {
            let alias = match &node.op {
                KOp::Op(Op::Unary(UnaryOp::Pos, a)) => Some(*a),
                KOp::Op(Op::Call(f, args)) if builtin(*f) == Some(Builtin::Identity) => Some(args[0]),
                _ => None,
            };
            if let Some(a) = alias {
                // Not computed: its readers read `a`'s value, and count as its uses.
                rep[i] = rep[a as usize];
                continue;
            }
            for a in node.op.args() {
                last_use[rep[a]] = i;
                readers[rep[a]] += 1;
            }
        }
        // Contiguous operands and folded accumulators (the rest are invariant
        // parameters) get a row pointer register.
        let mut next = BASES.iter();
        let accs = kernel.params.len() + kernel.outputs.len();
        let bases = (layouts.iter().enumerate())
            .map(|(k, &l)| if l == Layout::Contiguous || k >= accs { next.next().copied() } else { None })
            .collect();
        let fold = Fold::new(kernel, lanes, width, shape.unroll);
        let slot_of = frame.iter().enumerate().map(|(k, &s)| (s, k)).collect();
        let square_partner = (0..kernel.nodes.len())
            .map(|i| {
                let KOp::Op(Op::Binary(BinaryOp::Pow, x, _)) = kernel.nodes[i].op else { return None };
                if lanes != DType::Float64 || int_power(kernel, &kernel.nodes[i].op).is_none() {
                    return None;
                }
                let x = rep[x as usize];
                (i + 1..kernel.nodes.len()).find(|&j| {
                    rep[j] == j
                        && match &kernel.nodes[j].op {
                            KOp::Op(Op::Binary(BinaryOp::Mul, a, b)) => rep[*a as usize] == x && rep[*b as usize] == x,
                            KOp::Op(Op::Call(f, args)) => {
                                builtin(*f) == Some(Builtin::Square) && rep[args[0] as usize] == x
                            }
                            _ => false,
                        }
                })
            })
            .collect();
        let outputs_or_folded: Vec<usize> = (kernel.outputs.iter().copied())
            .chain(kernel.reductions.iter().map(|r| r.arg))
            .map(|n| rep[n as usize])
            .collect();
        let mut deferred = vec![false; kernel.nodes.len()];
        if width == Width::Avx512 {
            for (j, node) in kernel.nodes.iter().enumerate() {
                let KOp::Op(Op::Call(f, args)) = &node.op else { continue };
                let c = rep[args[0] as usize];
                let compares = matches!(
                    kernel.nodes[c].op,
                    KOp::Op(Op::Binary(
                        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne,
                        ..
                    ))
                );
                if builtin(*f) == Some(Builtin::Where)
                    && rep[j] == j
                    && compares
                    && readers[c] == 1
                    && !outputs_or_folded.contains(&c)
                {
                    deferred[c] = true;
                    // Its operands are read at the `where`.
                    for a in kernel.nodes[c].op.args() {
                        last_use[rep[a]] = last_use[rep[a]].max(j);
                    }
                }
            }
        }
        Emitter {
            a: CodeAssembler::new(64).expect("64-bit mode exists"),
            kernel,
            layouts,
            f64_lanes: lanes == DType::Float64,
            wide: width == Width::Avx512,
            unroll: shape.unroll,
            pin: shape.pin,
            varying: varying_nodes(kernel, layouts),
            pinned: vec![None; kernel.nodes.len()],
            rep,
            last_use,
            bases,
            filled: frame.len(),
            frame,
            slot_of,
            free: [false; ALL_REGS],
            locked: [false; ALL_REGS],
            slot_pins: HashMap::new(),
            readers,
            deferred,
            stores: Stores::Cached,
            nt: false,
            fold,
            mode: Mode::Vector,
            stubs: Vec::new(),
            square_partner,
            shared: vec![Vec::new(); kernel.nodes.len()],
        }
    }

    fn function(&mut self) -> Emit {
        let accs = self.kernel.params.len() + self.kernel.outputs.len();
        let rows = self.layouts[..accs].iter().filter(|&&l| l == Layout::Contiguous).count();
        if rows + self.kernel.reductions.len() > BASES.len() || self.reserved() > VALUE_REGS - 2 {
            return Err(Fail::Registers);
        }
        let saved: Vec<AsmRegister64> =
            self.bases.iter().flatten().filter(|r| CALLEE_SAVED.contains(r)).copied().collect();
        let mut out = self.a.create_label();
        self.a.test(rsi, rsi)?;
        self.a.jz(out)?;
        for &r in &saved {
            self.a.push(r)?;
        }
        let frame_bytes = self.scratch_at() + self.scratch_bytes();
        self.a.sub(rsp, frame_bytes)?;
        for k in 0..self.layouts.len() {
            if let Some(base) = self.bases[k] {
                self.a.mov(base, qword_ptr(rdi + 8 * k as i32))?;
            }
        }
        self.free = self.fresh_registers();
        self.prologue()?;
        if self.pin == Pin::Registers {
            self.pin_invariants()?;
        }
        self.a.xor(ecx, ecx)?;
        if self.fold.is_some() {
            self.fold_loops()?;
        } else {
            if self.stores == Stores::Streaming {
                self.streaming_main_loop()?;
            } else {
                self.main_loop()?;
            }
            if self.wide {
                self.masked_tail()?;
            } else {
                self.tail_loop()?;
            }
        }
        self.a.vzeroupper()?;
        self.a.add(rsp, frame_bytes)?;
        for &r in saved.iter().rev() {
            self.a.pop(r)?;
        }
        self.a.set_label(&mut out)?;
        self.a.ret()?;
        for stub in std::mem::take(&mut self.stubs) {
            self.stub(stub)?;
        }
        Ok(())
    }

    /// Fill the frame slots an earlier pass asked for: patterns and invariant
    /// parameters first, then invariant nodes in node order (they read those).
    fn prologue(&mut self) -> Emit {
        let known = self.frame[..self.filled].to_vec();
        let t = TEMP[0];
        for (k, slot) in known.iter().enumerate() {
            match *slot {
                Slot::Bits(bits) if self.wide => {
                    self.a.mov(rax, bits)?;
                    if self.f64_lanes {
                        self.a.vpbroadcastq(ZMM[t], rax)?;
                    } else {
                        self.a.vpbroadcastd(ZMM[t], eax)?;
                    }
                }
                Slot::Bits(bits) => {
                    self.a.mov(rax, bits)?;
                    self.a.vmovq(XMM[t], rax)?;
                    if self.f64_lanes {
                        self.a.vpbroadcastq(YMM[t], XMM[t])?;
                    } else {
                        self.a.vpbroadcastd(YMM[t], XMM[t])?;
                    }
                }
                Slot::Param(p) => {
                    self.a.mov(rax, qword_ptr(rdi + 8 * p as i32))?;
                    match self.kernel.params[p as usize] {
                        DType::Float64 if self.wide => self.a.vbroadcastsd(ZMM[t], qword_ptr(rax))?,
                        DType::Float32 if self.wide => self.a.vbroadcastss(ZMM[t], dword_ptr(rax))?,
                        DType::Bool if self.wide => {
                            self.a.movzx(eax, byte_ptr(rax))?;
                            self.a.neg(rax)?;
                            self.a.vpbroadcastq(ZMM[t], rax)?;
                        }
                        DType::Float64 => self.a.vbroadcastsd(YMM[t], qword_ptr(rax))?,
                        DType::Float32 => self.a.vbroadcastss(YMM[t], dword_ptr(rax))?,
                        DType::Bool => {
                            // A 0/1 byte -> all zeros / all ones.
                            self.a.movzx(eax, byte_ptr(rax))?;
                            self.a.neg(rax)?;
                            self.a.vmovq(XMM[t], rax)?;
                            self.a.vpbroadcastq(YMM[t], XMM[t])?;
                        }
                        DType::Int32 | DType::Int64 => unreachable!("`lane_dtype` admits no integers"),
                    }
                }
                Slot::Node(_) => continue,
            }
            self.spill(k, t)?;
        }
        let mut nodes: Vec<(u32, usize)> = known
            .iter()
            .enumerate()
            .filter_map(|(k, s)| if let Slot::Node(i) = *s { Some((i, k)) } else { None })
            .collect();
        nodes.sort_unstable();
        for (i, k) in nodes {
            let args: Vec<Val> =
                self.kernel.nodes[i as usize].op.args().into_iter().map(|a| self.invariant(a)).collect();
            let r = self.alloc()?;
            self.op(i as usize, &args, r)?;
            self.spill(k, r)?;
            self.free[r] = true;
        }
        Ok(())
    }

    /// Load every invariant value a varying node reads into a register of
    /// its own for the loops (the high bank first), then, in AVX-512 code, the
    /// bit patterns of the frame into what remains of the high bank (the
    /// lowerings' constants: sign masks, an inline power's domain bounds).
    fn pin_invariants(&mut self) -> Emit {
        let mut read = vec![false; self.kernel.nodes.len()];
        for (j, node) in self.kernel.nodes.iter().enumerate() {
            if self.varying[j] && self.rep[j] == j {
                // An inline power's exponent is in its code, not read.
                let args = node.op.args();
                let reads = if int_power(self.kernel, &node.op).is_some() { &args[..1] } else { &args[..] };
                for &a in reads {
                    read[self.rep[a]] = true;
                }
            }
        }
        for (i, read) in read.into_iter().enumerate() {
            if read && !self.varying[i] {
                // Another node of the same constant may have pinned its slot.
                let r = match self.invariant(i) {
                    Val::Slot(k) => self.pin_register(k)?,
                    Val::Reg(r) => r,
                    Val::Stream { .. } => unreachable!("invariant values are in slots"),
                };
                self.pinned[i] = Some(r);
            }
        }
        let high = self.high_bank();
        for k in 0..self.filled {
            let room = high.clone().any(|r| self.free[r]);
            if matches!(self.frame[k], Slot::Bits(_)) && !self.slot_pins.contains_key(&k) && room {
                self.pin_register(k)?;
            }
        }
        Ok(())
    }

    /// Slot `k` loaded into a register locked for the loops (the free one of
    /// the highest index), which [`Self::slot`] then hands out (AVX-512).
    fn pin_register(&mut self, k: usize) -> Emit<usize> {
        if let Some(&r) = self.slot_pins.get(&k) {
            return Ok(r);
        }
        let r = self.free.iter().rposition(|&f| f).ok_or(Fail::Registers)?;
        self.free[r] = false;
        self.locked[r] = true;
        self.load_vector(r, self.slot_mem(k))?;
        if self.wide {
            // AVX2 lowerings may take a slot's memory operand as such.
            self.slot_pins.insert(k, r);
        }
        Ok(r)
    }

    /// Bytes per vector register (and per frame slot).
    fn vbytes(&self) -> i32 {
        if self.wide {
            64
        } else {
            32
        }
    }

    fn lanes(&self) -> usize {
        (self.vbytes() / self.size()) as usize
    }

    /// Frame slot `k`.
    fn slot_mem(&self, k: usize) -> AsmMemoryOperand {
        ptr(rsp + self.vbytes() * k as i32)
    }

    /// Store register `r` in frame slot `k`.
    fn spill(&mut self, k: usize, r: usize) -> Emit {
        let m = self.slot_mem(k);
        if self.wide {
            self.a.vmovdqu64(m, ZMM[r])?;
        } else {
            self.a.vmovdqu(m, YMM[r])?;
        }
        Ok(())
    }

    /// Load a whole vector from `m` into register `r`.
    fn load_vector(&mut self, r: usize, m: AsmMemoryOperand) -> Emit {
        if self.wide {
            self.a.vmovdqu64(ZMM[r], m)?;
        } else {
            self.a.vmovdqu(YMM[r], m)?;
        }
        Ok(())
    }

    /// Bytes per lane of float values.
    fn size(&self) -> i32 {
        if self.f64_lanes {
            8
        } else {
            4
        }
    }

    fn main_loop(&mut self) -> Emit {
        let step = (self.lanes() * self.unroll) as i32;
        let mut top = self.a.create_label();
        let mut done = self.a.create_label();
        // rdx = n - step: the last index a whole iteration may start at (signed).
        self.a.lea(rdx, ptr(rsi - step))?;
        self.a.test(rdx, rdx)?;
        self.a.js(done)?;
        self.a.set_label(&mut top)?;
        let before = self.a.instructions().len();
        self.body(Mode::Vector)?;
        let body = self.a.instructions().len() - before;
        self.prefetch(step, body)?;
        self.a.add(rcx, step)?;
        self.a.cmp(rcx, rdx)?;
        self.a.jle(top)?;
        self.a.set_label(&mut done)?;
        Ok(())
    }

    /// Prefetch instructions for the contiguous parameters, [`PREFETCH_AHEAD`]
    /// bytes ahead, one per cache line an iteration of `step` elements reads,
    /// when the iteration's `body` (its instruction count) is dense: at least
    /// [`PREFETCH_DENSITY`] instructions per cache line streamed (parameters and
    /// outputs). A loop that computes that much per line fills the core's
    /// reorder window with arithmetic before the hardware prefetcher's
    /// requests are far enough ahead; a streaming loop (`a+b`) keeps enough
    /// loads in flight by itself and is left alone. A prefetch is a hint: it
    /// never faults or changes memory, so the lines past a buffer's end it
    /// names (up to `PREFETCH_AHEAD` bytes, in the last iterations) are not
    /// accesses.
    fn prefetch(&mut self, step: i32, body: usize) -> Emit {
        let size = self.size();
        let lines = |bytes: i32| (bytes as usize).div_ceil(64);
        let streams = self.bases.iter().filter(|b| b.is_some()).count();
        if streams == 0 || body < PREFETCH_DENSITY * lines(step * size) * streams {
            return Ok(());
        }
        for (k, dtype) in self.kernel.params.iter().enumerate() {
            let Some(base) = self.bases[k] else { continue };
            // A bool parameter takes a byte per element.
            let esize = dtype.size() as i32;
            for line in 0..lines(step * esize) as i32 {
                self.a.prefetcht0(ptr(base + rcx * esize + PREFETCH_AHEAD + 64 * line))?;
            }
        }
        Ok(())
    }

    /// [`Stores::Streaming`]'s main loop: if every float output starts on a
    /// vector boundary (then every main-loop store is aligned, as `vmovntp*`
    /// requires), the main loop with non-temporal stores followed by an
    /// `sfence` (they are weakly ordered; the fence orders them before the
    /// return, so before exec's signal that the task is done); else the
    /// ordinary main loop. The tail stores as usual either way.
    fn streaming_main_loop(&mut self) -> Emit {
        let mut cached = self.a.create_label();
        let mut streaming = self.a.create_label();
        let mut tail = self.a.create_label();
        let params = self.kernel.params.len();
        for (k, &o) in self.kernel.outputs.iter().enumerate() {
            if self.kernel.nodes[o as usize].dtype.is_float() {
                let base = self.bases[params + k].expect("outputs are contiguous");
                self.a.test(base, self.vbytes() - 1)?;
                self.a.jnz(cached)?;
            }
        }
        self.a.jmp(streaming)?;
        // (Labels on distinct instructions: each loop ends with its own.)
        self.a.set_label(&mut cached)?;
        self.main_loop()?;
        self.a.jmp(tail)?;
        self.a.set_label(&mut streaming)?;
        self.nt = true;
        self.main_loop()?;
        self.nt = false;
        self.a.sfence()?;
        self.a.set_label(&mut tail)?;
        Ok(())
    }

    fn tail_loop(&mut self) -> Emit {
        let mut top = self.a.create_label();
        let mut done = self.a.create_label();
        self.a.cmp(rcx, rsi)?;
        self.a.jae(done)?;
        self.a.set_label(&mut top)?;
        self.body(Mode::Scalar)?;
        self.a.inc(rcx)?;
        self.a.cmp(rcx, rsi)?;
        self.a.jb(top)?;
        self.a.set_label(&mut done)?;
        Ok(())
    }

    /// AVX-512's tail: one vector per iteration, loads and stores masked by
    /// `k1` to the elements left (masked-off lanes are neither read, so they
    /// cannot fault, nor written).
    fn masked_tail(&mut self) -> Emit {
        let mut top = self.a.create_label();
        let mut done = self.a.create_label();
        self.a.cmp(rcx, rsi)?;
        self.a.jae(done)?;
        self.a.set_label(&mut top)?;
        // k1 = the low min(n - i, 64) bits (n - i < 64 here: fewer than one
        // main-loop step is left, and `bzhi` keeps all bits from 64 on anyway).
        self.a.mov(rdx, rsi)?;
        self.a.sub(rdx, rcx)?;
        self.a.mov(rax, -1i64)?;
        self.a.bzhi(rax, rax, rdx)?;
        self.a.kmovw(k1, eax)?;
        self.body(Mode::Masked)?;
        self.a.add(rcx, self.lanes() as i32)?;
        self.a.cmp(rcx, rsi)?;
        self.a.jb(top)?;
        self.a.set_label(&mut done)?;
        Ok(())
    }

    /// One iteration: every node in order, all copies of one node before the
    /// next (independent work side by side), each output stored as soon as its
    /// value exists, registers freed after the last node reading them.
    fn body(&mut self, mode: Mode) -> Emit {
        self.mode = mode;
        self.shared.iter_mut().for_each(Vec::clear);
        let copies = if mode == Mode::Vector { self.copies() } else { 1 };
        let n = self.kernel.nodes.len();
        let mut vals: Vec<Vec<Val>> = vec![Vec::new(); n];
        self.free = self.fresh_registers();
        for i in 0..n {
            if self.rep[i] != i {
                continue;
            }
            if self.deferred[i] && self.varying[i] {
                // Never read as a value (see `deferred`): a placeholder.
                vals[i] = vec![Val::Slot(0); copies];
                continue;
            }
            vals[i] = match (self.varying[i], self.pinned[i]) {
                (true, _) => self.varying_node(i, mode, copies, &vals)?,
                (false, Some(r)) => vec![Val::Reg(r); copies],
                (false, None) => vec![self.invariant(i); copies],
            };
            for k in 0..self.kernel.outputs.len() {
                if self.rep[self.kernel.outputs[k] as usize] == i {
                    for (copy, &v) in vals[i].iter().enumerate() {
                        self.store(k, v, copy, mode)?;
                    }
                }
            }
            self.accumulate(i, &vals[i], mode)?;
            // Arguments were released as each copy was computed (`varying_node`).
            if self.last_use[i] <= i {
                self.release(&vals[i]);
            }
        }
        self.mode = Mode::Vector;
        Ok(())
    }

    /// The frame slot of invariant node `i` (asked for if new).
    fn invariant(&mut self, i: usize) -> Val {
        let i = self.rep[i];
        let node = &self.kernel.nodes[i];
        let slot = match node.op {
            KOp::Param(p) => Slot::Param(p),
            KOp::Op(Op::Const(c)) if node.dtype == DType::Bool => {
                Slot::Bits(if c.0.bits() != 0 { self.ones() } else { 0 })
            }
            KOp::Op(Op::Const(c)) => Slot::Bits(c.0.bits()),
            _ => Slot::Node(i as u32),
        };
        self.slot(slot)
    }

    fn slot(&mut self, slot: Slot) -> Val {
        let k = *self.slot_of.entry(slot).or_insert_with(|| {
            self.frame.push(slot);
            self.frame.len() - 1
        });
        // A slot first asked for in this pass is not filled: the pass is thrown
        // away, so any memory operand does.
        match self.slot_pins.get(&k) {
            Some(&r) => Val::Reg(r),
            None => Val::Slot(if k < self.filled { k } else { 0 }),
        }
    }

    /// A lane of all ones.
    fn ones(&self) -> u64 {
        if self.f64_lanes {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        }
    }

    fn sign_bit(&self) -> u64 {
        if self.f64_lanes {
            1 << 63
        } else {
            1 << 31
        }
    }

    fn release(&mut self, vals: &[Val]) {
        for v in vals {
            if let Val::Reg(r) = *v {
                if !self.locked[r] {
                    self.free[r] = true;
                }
            }
        }
    }

    /// The registers values may take, but the locked ones: the value registers
    /// but those the AVX2 folds' accumulators hold, and the AVX-512 high bank.
    fn fresh_registers(&self) -> [bool; ALL_REGS] {
        let usable = VALUE_REGS - self.reserved();
        let high = self.high_bank();
        std::array::from_fn(|r| (r < usable || high.contains(&r)) && !self.locked[r])
    }

    /// A free value register.
    fn alloc(&mut self) -> Emit<usize> {
        let r = self.free.iter().position(|&f| f).ok_or(Fail::Registers)?;
        self.free[r] = false;
        Ok(r)
    }

    /// How many registers are free.
    fn free_count(&self) -> usize {
        self.free.iter().filter(|&&f| f).count()
    }

    fn varying_node(&mut self, i: usize, mode: Mode, copies: usize, vals: &[Vec<Val>]) -> Emit<Vec<Val>> {
        if let KOp::Param(param) = self.kernel.nodes[i].op {
            // A stream read once is a memory operand; read more often, it is
            // loaded once if registers are plenty (AVX-512): each load costs a
            // load port slot, which bound the loops of `where(a > b, a - b, 0)`.
            if mode == Mode::Vector && self.kernel.nodes[i].dtype.is_float() {
                let plenty = self.wide && self.readers[i] > 1 && self.free_count() >= 2 * copies + 4;
                if !plenty {
                    return Ok((0..copies).map(|copy| Val::Stream { param, copy }).collect());
                }
                let size = self.size();
                return (0..copies)
                    .map(|copy| {
                        let r = self.alloc()?;
                        self.load_vector(r, self.element(param as usize, size, copy))?;
                        Ok(Val::Reg(r))
                    })
                    .collect();
            }
            return (0..copies)
                .map(|copy| {
                    let r = self.alloc()?;
                    self.load(param, copy, r, mode)?;
                    Ok(Val::Reg(r))
                })
                .collect();
        }
        let arg_nodes = self.kernel.nodes[i].op.args();
        let shared = std::mem::take(&mut self.shared[i]);
        if shared.len() == copies {
            // Computed by an inline power: only release what it read last.
            for &a in &arg_nodes {
                if self.last_use[self.rep[a]] == i {
                    self.release(&vals[self.rep[a]][..copies]);
                }
            }
            return Ok(shared);
        }
        let cond = self.rep[arg_nodes[0]];
        if self.deferred[cond] && self.varying[cond] {
            return self.where_on_comparison(i, cond, copies, vals);
        }
        (0..copies)
            .map(|copy| {
                let args: Vec<Val> = arg_nodes.iter().map(|&a| vals[self.rep[a]][copy]).collect();
                // The result may take the register of an argument read for the
                // last time: every lowering reads its arguments before its last
                // instruction writes the result, and uses scratch before that.
                for &a in &arg_nodes {
                    if self.last_use[self.rep[a]] == i {
                        self.release(&[vals[self.rep[a]][copy]]);
                    }
                }
                let r = self.alloc()?;
                self.op(i, &args, r)?;
                Ok(Val::Reg(r))
            })
            .collect()
    }

    /// `where` node `i` on the deferred comparison `cond`: compare into `k2`,
    /// blend. Releases what it reads last, the comparison's operands included.
    fn where_on_comparison(&mut self, i: usize, cond: usize, copies: usize, vals: &[Vec<Val>]) -> Emit<Vec<Val>> {
        let KOp::Op(Op::Binary(op, p, q)) = self.kernel.nodes[cond].op else {
            unreachable!("deferred nodes are comparisons")
        };
        let [_, x, y] = self.kernel.nodes[i].op.args()[..] else { unreachable!("where has three arguments") };
        let [p, q, x, y] = [p as usize, q as usize, x, y].map(|a| self.rep[a]);
        (0..copies)
            .map(|copy| {
                let (cmp, cp, cq) = operands(op, &[vals[p][copy], vals[q][copy]]);
                let (vx, vy) = (vals[x][copy], vals[y][copy]);
                for a in [p, q, x, y] {
                    if self.last_use[a] == i {
                        self.release(&[vals[a][copy]]);
                    }
                }
                let r = self.alloc()?;
                let cp = ZMM[self.reg(cp, 0)?];
                let yr = ZMM[self.reg(vy, 2)?];
                with_rm!(self.rmz(cq), |m| fp!(self, vcmppd, vcmpps, k2, cp, m, cmp_imm(cmp)))?;
                with_rm!(self.rmz(vx), |m| fp!(self, vblendmpd, vblendmps, ZMM[r].k2(), yr, m))?;
                Ok(Val::Reg(r))
            })
            .collect()
    }

    /// Element `i` (+ `copy` vectors) of contiguous operand `k`, whose
    /// elements are `size` bytes.
    fn element(&self, k: usize, size: i32, copy: usize) -> AsmMemoryOperand {
        let base = self.bases[k].expect("streams are contiguous");
        let lanes = self.lanes() as i32;
        ptr(base + rcx * size + copy as i32 * lanes * size)
    }

    /// `v` as a memory operand, unless it is in a register.
    fn mem(&self, v: Val) -> Option<AsmMemoryOperand> {
        match v {
            Val::Reg(_) => None,
            Val::Slot(k) => Some(self.slot_mem(k)),
            Val::Stream { param, copy } => Some(self.element(param as usize, self.size(), copy)),
        }
    }

    fn rm(&self, v: Val) -> Rm<AsmRegisterYmm> {
        match (v, self.mem(v)) {
            (_, Some(m)) => Rm::Mem(m),
            (Val::Reg(r), None) => Rm::Reg(YMM[r]),
            (Val::Slot(_) | Val::Stream { .. }, None) => unreachable!("only registers are not memory"),
        }
    }

    fn rmz(&self, v: Val) -> Rm<AsmRegisterZmm> {
        match (v, self.mem(v)) {
            (_, Some(m)) => Rm::Mem(m),
            (Val::Reg(r), None) => Rm::Reg(ZMM[r]),
            (Val::Slot(_) | Val::Stream { .. }, None) => unreachable!("only registers are not memory"),
        }
    }

    /// `v` in a register: its own, or scratch register `ARG_SCRATCH[arg]`.
    fn reg(&mut self, v: Val, arg: usize) -> Emit<usize> {
        match (v, self.mem(v)) {
            (_, Some(m)) => {
                let s = ARG_SCRATCH[arg];
                self.load_vector(s, m)?;
                Ok(s)
            }
            (Val::Reg(r), None) => Ok(r),
            (Val::Slot(_) | Val::Stream { .. }, None) => unreachable!("only registers are not memory"),
        }
    }

    /// Load varying parameter `p` (not a float stream) into register `r`.
    fn load(&mut self, p: u32, copy: usize, r: usize, mode: Mode) -> Emit {
        if self.wide {
            return self.load_z(p, copy, r, mode);
        }
        let k = p as usize;
        match (self.kernel.params[k], mode) {
            (DType::Float64, Mode::Scalar) => self.a.vmovsd(XMM[r], qword_ptr(self.element(k, 8, 0)))?,
            (DType::Float32, Mode::Scalar) => self.a.vmovss(XMM[r], dword_ptr(self.element(k, 4, 0)))?,
            (DType::Float64 | DType::Float32, Mode::Vector) => unreachable!("vector float parameters are streams"),
            (DType::Bool, Mode::Scalar) => {
                self.a.movzx(eax, byte_ptr(self.element(k, 1, 0)))?;
                self.a.neg(rax)?;
                self.a.vmovq(XMM[r], rax)?;
            }
            (DType::Bool, Mode::Vector) => {
                // Widen 0/1 bytes to lanes, then 0 - x: all zeros / all ones.
                let z = YMM[TEMP[0]];
                self.a.vpxor(z, z, z)?;
                if self.f64_lanes {
                    self.a.vpmovzxbq(YMM[r], dword_ptr(self.element(k, 1, copy)))?;
                    self.a.vpsubq(YMM[r], z, YMM[r])?;
                } else {
                    self.a.vpmovzxbd(YMM[r], qword_ptr(self.element(k, 1, copy)))?;
                    self.a.vpsubd(YMM[r], z, YMM[r])?;
                }
            }
            (_, Mode::Masked) => unreachable!("AVX2 code has no masked tail"),
            (DType::Int32 | DType::Int64, _) => unreachable!("`lane_dtype` admits no integers"),
        }
        Ok(())
    }

    /// Store `v` as output `k` at the current element (+ `copy` vectors).
    fn store(&mut self, k: usize, v: Val, copy: usize, mode: Mode) -> Emit {
        if self.wide {
            return self.store_z(k, v, copy, mode);
        }
        let op = self.kernel.params.len() + k;
        let x = self.reg(v, 0)?;
        let dtype = self.kernel.nodes[self.kernel.outputs[k] as usize].dtype;
        match (dtype, mode) {
            (DType::Float64, Mode::Vector) if self.nt => self.a.vmovntpd(self.element(op, 8, copy), YMM[x])?,
            (DType::Float32, Mode::Vector) if self.nt => self.a.vmovntps(self.element(op, 4, copy), YMM[x])?,
            (DType::Float64, Mode::Vector) => self.a.vmovupd(self.element(op, 8, copy), YMM[x])?,
            (DType::Float32, Mode::Vector) => self.a.vmovups(self.element(op, 4, copy), YMM[x])?,
            (DType::Float64, Mode::Scalar) => self.a.vmovsd(qword_ptr(self.element(op, 8, 0)), XMM[x])?,
            (DType::Float32, Mode::Scalar) => self.a.vmovss(dword_ptr(self.element(op, 4, 0)), XMM[x])?,
            (DType::Bool, Mode::Scalar) => {
                fp!(self, vmovmskpd, vmovmskps, eax, YMM[x])?;
                self.a.and(eax, 1)?;
                self.a.mov(byte_ptr(self.element(op, 1, 0)), al)?;
            }
            (DType::Bool, Mode::Vector) if self.f64_lanes => {
                // 4 sign bits b3..b0 -> bytes: m * 0x204081 puts bit j at bit
                // 8j (the four shifted copies do not overlap, so no carries).
                self.a.vmovmskpd(eax, YMM[x])?;
                self.a.imul_3(eax, eax, 0x0020_4081)?;
                self.a.and(eax, 0x0101_0101)?;
                self.a.mov(dword_ptr(self.element(op, 1, copy)), eax)?;
            }
            (DType::Bool, Mode::Vector) => {
                // 8 masks -> 0/1 dwords -> words -> bytes.
                let (t0, t1) = (TEMP[0], TEMP[1]);
                self.a.vpsrld(YMM[t0], YMM[x], 31)?;
                self.a.vextracti128(XMM[t1], YMM[t0], 1)?;
                self.a.vpackusdw(XMM[t0], XMM[t0], XMM[t1])?;
                self.a.vpackuswb(XMM[t0], XMM[t0], XMM[t0])?;
                self.a.vmovq(qword_ptr(self.element(op, 1, copy)), XMM[t0])?;
            }
            (_, Mode::Masked) => unreachable!("AVX2 code has no masked tail"),
            (DType::Int32 | DType::Int64, _) => unreachable!("`lane_dtype` admits no integers"),
        }
        Ok(())
    }

    /// Node `i` on `args` into register `d`. Every lowering reads all its
    /// arguments before it writes `d`'s final value, and clobbers only scratch.
    fn op(&mut self, i: usize, args: &[Val], d: usize) -> Emit {
        if let Some(n) = int_power(self.kernel, &self.kernel.nodes[i].op) {
            return self.power(i, n, args[0], d);
        }
        if self.wide {
            return self.op_z(i, args, d);
        }
        let node = &self.kernel.nodes[i];
        let d = YMM[d];
        match &node.op {
            KOp::Op(Op::Unary(UnaryOp::Neg, _)) => {
                let x = self.reg(args[0], 0)?;
                let sign = self.slot(Slot::Bits(self.sign_bit()));
                with_rm!(self.rm(sign), |m| self.a.vxorpd(d, YMM[x], m))?;
            }
            KOp::Op(Op::Unary(UnaryOp::Invert, _)) => {
                let x = self.reg(args[0], 0)?;
                let ones = self.slot(Slot::Bits(self.ones()));
                with_rm!(self.rm(ones), |m| self.a.vxorpd(d, YMM[x], m))?;
            }
            KOp::Op(Op::Binary(op, ..)) => self.binary(*op, args, d)?,
            KOp::Op(Op::Call(f, _)) => self.call(builtin(*f).expect("`supported` admits these"), args, d)?,
            KOp::Param(_) | KOp::Op(Op::Unary(UnaryOp::Pos, _) | Op::Const(_) | Op::Cast(_)) => {
                unreachable!("aliases, parameters and constants are not computed; casts are not admitted")
            }
        }
        Ok(())
    }

    fn binary(&mut self, op: BinaryOp, args: &[Val], d: AsmRegisterYmm) -> Emit {
        let (op, x, y) = operands(op, args);
        let x = YMM[self.reg(x, 0)?];
        let y = self.rm(y);
        match op {
            BinaryOp::Add => with_rm!(y, |y| fp!(self, vaddpd, vaddps, d, x, y)),
            BinaryOp::Sub => with_rm!(y, |y| fp!(self, vsubpd, vsubps, d, x, y)),
            BinaryOp::Mul => with_rm!(y, |y| fp!(self, vmulpd, vmulps, d, x, y)),
            BinaryOp::Div => with_rm!(y, |y| fp!(self, vdivpd, vdivps, d, x, y)),
            BinaryOp::BitAnd => with_rm!(y, |y| self.a.vandpd(d, x, y)),
            BinaryOp::BitOr => with_rm!(y, |y| self.a.vorpd(d, x, y)),
            BinaryOp::BitXor => with_rm!(y, |y| self.a.vxorpd(d, x, y)),
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
                let imm: i32 = cmp_imm(op);
                with_rm!(y, |y| fp!(self, vcmppd, vcmpps, d, x, y, imm))
            }
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow | BinaryOp::Shl | BinaryOp::Shr => {
                unreachable!("`supported` rejects `{}`", op.symbol())
            }
        }?;
        Ok(())
    }

    fn call(&mut self, f: Builtin, args: &[Val], d: AsmRegisterYmm) -> Emit {
        let round = |mode: i32| mode | 0x08; // and suppress the inexact exception
        match f {
            Builtin::Where => {
                // d = c ? x : y (c is a mask: its sign bit decides).
                let c = YMM[self.reg(args[0], 0)?];
                let y = YMM[self.reg(args[2], 2)?];
                with_rm!(self.rm(args[1]), |x| fp!(self, vblendvpd, vblendvps, d, y, x, c))?;
            }
            Builtin::Sqrt => with_rm!(self.rm(args[0]), |x| fp!(self, vsqrtpd, vsqrtps, d, x))?,
            Builtin::Square => {
                let x = YMM[self.reg(args[0], 0)?];
                fp!(self, vmulpd, vmulps, d, x, x)?;
            }
            Builtin::Abs => {
                let x = YMM[self.reg(args[0], 0)?];
                let abs = self.slot(Slot::Bits(!self.sign_bit() & self.ones()));
                with_rm!(self.rm(abs), |m| self.a.vandpd(d, x, m))?;
            }
            Builtin::Floor => with_rm!(self.rm(args[0]), |x| fp!(self, vroundpd, vroundps, d, x, round(1)))?,
            Builtin::Ceil => with_rm!(self.rm(args[0]), |x| fp!(self, vroundpd, vroundps, d, x, round(2)))?,
            Builtin::Trunc => with_rm!(self.rm(args[0]), |x| fp!(self, vroundpd, vroundps, d, x, round(3)))?,
            Builtin::Rint => with_rm!(self.rm(args[0]), |x| fp!(self, vroundpd, vroundps, d, x, round(0)))?,
            Builtin::Copysign => {
                // |x| with y's sign, by bits.
                let (x, y) = (YMM[self.reg(args[0], 0)?], YMM[self.reg(args[1], 1)?]);
                let (t0, t1) = (YMM[TEMP[0]], YMM[TEMP[1]]);
                let abs = self.slot(Slot::Bits(!self.sign_bit() & self.ones()));
                let sign = self.slot(Slot::Bits(self.sign_bit()));
                with_rm!(self.rm(abs), |m| self.a.vandpd(t0, x, m))?;
                with_rm!(self.rm(sign), |m| self.a.vandpd(t1, y, m))?;
                self.a.vorpd(d, t0, t1)?;
            }
            Builtin::Minimum | Builtin::Maximum => {
                // NumPy's: x where it wins or is NaN, else y (so a tie gives y).
                let (x, y) = (YMM[self.reg(args[0], 0)?], YMM[self.reg(args[1], 1)?]);
                let (t0, t1) = (YMM[TEMP[0]], YMM[TEMP[1]]);
                let wins = if f == Builtin::Minimum { 0x01 } else { 0x0e }; // LT_OS, GT_OS
                fp!(self, vcmppd, vcmpps, t0, x, y, wins)?;
                fp!(self, vcmppd, vcmpps, t1, x, x, 0x03)?; // UNORD_Q
                self.a.vorpd(t0, t0, t1)?;
                fp!(self, vblendvpd, vblendvps, d, y, x, t0)?;
            }
            Builtin::Reciprocal => {
                let one = if self.f64_lanes { 1f64.to_bits() } else { u64::from(1f32.to_bits()) };
                let one = self.slot(Slot::Bits(one));
                let one = YMM[self.reg(one, 1)?];
                with_rm!(self.rm(args[0]), |x| fp!(self, vdivpd, vdivps, d, one, x))?;
            }
            Builtin::Fma => self.fma(args, d)?,
            Builtin::Identity
            | Builtin::Sign
            | Builtin::Clip
            | Builtin::Zero
            | Builtin::One
            | Builtin::Isnan
            | Builtin::Isinf
            | Builtin::Isfinite
            | Builtin::Signbit
            | Builtin::TruncRem => unreachable!("`builtin` admits only the operations above; identity is an alias"),
        }
        Ok(())
    }
}

impl Emitter<'_> {
    /// `d = x*y + z` rounded once. The FMA forms overwrite their first operand,
    /// so the code depends on which argument's register `d` took (the result
    /// may take the register of an argument read for the last time):
    /// `vfmadd231 d, x, y` is `d = x*y + d`, `vfmadd213 d, y, z` is
    /// `d = y*d + z`; a fresh `d` first gets a copy of a factor (one in memory
    /// if the other is in a register). The product commutes exactly, so the
    /// factors trade places freely.
    fn fma(&mut self, args: &[Val], d: AsmRegisterYmm) -> Emit {
        let is_d = |v: Val| matches!(v, Val::Reg(r) if YMM[r] == d);
        let in_reg = |v: Val| matches!(v, Val::Reg(_));
        let (x, y, z) = (args[0], args[1], args[2]);
        if is_d(z) {
            let x = YMM[self.reg(x, 0)?];
            with_rm!(self.rm(y), |y| fp!(self, vfmadd231pd, vfmadd231ps, d, x, y))?;
            return Ok(());
        }
        let other = match (is_d(x), is_d(y)) {
            (true, _) => y,
            (false, true) => x,
            (false, false) => {
                let (first, other) = if !in_reg(x) || in_reg(y) { (x, y) } else { (y, x) };
                with_rm!(self.rm(first), |m| self.a.vmovupd(d, m))?;
                other
            }
        };
        let other = YMM[self.reg(other, 1)?];
        with_rm!(self.rm(z), |z| fp!(self, vfmadd213pd, vfmadd213ps, d, other, z))?;
        Ok(())
    }
}

/// Integer powers ([`int_power`]), bit for bit `vmath::pow`'s.
///
/// float64 `x**n` is pow's special path (see `vmath/pow.rs`) written out:
/// left-to-right binary powering in double-double, each product's rounding
/// error kept by an FMA, the last step rounded once by an FMA
/// (`x^3 = fma(p, x, e*x)` with `x^2 = p + e`). The same operations in the
/// same order as `pow_special_n::<n>` from its second step on (its first is
/// `(1, 0) -> (x, +0)`; the first square here drops the `2x * 0` term, which
/// can only change the sign of a zero `l`, and every later step adds an
/// exactly computed error term that is `+0` when it is zero, so the bits are
/// the same). Lanes outside the special path's domain (`2^-60 <= |x| <= 2^60`:
/// zeros, subnormals, huge values, infinities, NaN) send the whole vector to an
/// out-of-line stub calling `vmath`'s pow block kernel, which selects the path
/// per element exactly as every engine does; on the fast path the test is a
/// subtraction, a compare and a branch per vector, on `x*x`.
///
/// float32 `x**3` and `x**4` are `vmath::pow::pow_f32_int`: widened to
/// float64, `(x*x)*x` or `(x*x)*(x*x)` (the squares exact), narrowed once;
/// every float32 `x` (the stub is not needed).
impl Emitter<'_> {
    fn power(&mut self, i: usize, n: u32, x: Val, d: usize) -> Emit {
        let x = self.reg(x, 0)?;
        if self.f64_lanes {
            // In the loops (not the prologue), hand `x*x` to a later node squaring x.
            let partner = self.square_partner[i].filter(|_| self.varying[i]);
            self.power_f64(n, x, d, partner)
        } else {
            self.power_f32(n, x, d)
        }
    }

    fn power_f64(&mut self, n: u32, x: usize, d: usize, partner: Option<usize>) -> Emit {
        let entry = self.a.create_label();
        // The double-double (h, l) and two temporaries, renamed as values move.
        let [mut h, l, mut s, mut t] = [TEMP[0], TEMP[1], ARG_SCRATCH[1], ARG_SCRATCH[2]];
        // (x, 0) squared: (x*x, fma(x, x, -x*x)); the domain test reads x*x.
        vx!(self, vmulpd, h, x, x)?;
        if let Some(j) = partner {
            // The same rounded product the later `x*x` node computes: keep it
            // in a value register of that node's (the stub restores it too).
            let r = self.alloc()?;
            vx!(self, vmovapd, r, h)?;
            self.shared[j].push(Val::Reg(r));
        }
        self.outside_domain(h, [l, s], entry)?;
        vx!(self, vmovapd, l, x)?;
        vx!(self, vfmsub213pd, l, x, h)?;
        let top = 31 - n.leading_zeros();
        for bit in (0..top).rev() {
            let square = bit + 1 < top;
            let times_x = (n >> bit) & 1 == 1;
            if bit == 0 && !times_x {
                // Last, rounded once: (h, l)^2 = fma(h, h, 2h*l).
                vx!(self, vaddpd, t, h, h)?;
                vx!(self, vmulpd, t, t, l)?;
                vx!(self, vfmadd231pd, t, h, h)?;
                std::mem::swap(&mut h, &mut t);
                break;
            }
            if square {
                // (h, l)^2 = (h*h, fma(2h, l, fma(h, h, -h*h))).
                vx!(self, vmulpd, s, h, h)?;
                vx!(self, vmovapd, t, h)?;
                vx!(self, vfmsub213pd, t, h, s)?;
                vx!(self, vaddpd, h, h, h)?;
                vx!(self, vfmadd213pd, l, h, t)?;
                std::mem::swap(&mut h, &mut s);
            }
            if times_x && bit == 0 {
                // Last, rounded once: (h, l) * x = fma(h, x, l*x).
                vx!(self, vmulpd, s, l, x)?;
                vx!(self, vfmadd231pd, s, h, x)?;
                std::mem::swap(&mut h, &mut s);
            } else if times_x {
                // (h, l) * x = (h*x, fma(l, x, fma(h, x, -h*x))).
                vx!(self, vmulpd, s, h, x)?;
                vx!(self, vfmsub213pd, h, x, s)?;
                vx!(self, vfmadd213pd, l, x, h)?;
                std::mem::swap(&mut h, &mut s);
            }
        }
        // The result is in `h`; the stub resumes at the move with its own.
        let mut back = self.a.create_label();
        self.a.set_label(&mut back)?;
        vx!(self, vmovapd, d, h)?;
        self.stubs.push(Stub { entry, back, x, result: h, y: f64::from(n) });
        Ok(())
    }

    /// Jump to `to` if a lane (one the body computes) is outside pow's special
    /// domain `2^-60 <= |x| <= 2^60`, tested on `sq = x*x` (one operation
    /// fewer than on `|x|`): both ends are powers of two, so by monotonic
    /// rounding `2^-120 <= x*x <= 2^120` exactly when `x` is inside (the
    /// nearest doubles outside square to values outside; NaN squares to NaN,
    /// infinities to infinity). `sq`'s bits minus `2^-120`'s, as unsigned,
    /// above the range's width (NaN's bits are above it, below-range values
    /// wrap around). Clobbers the registers `temps`.
    fn outside_domain(&mut self, sq: usize, temps: [usize; 2], to: CodeLabel) -> Emit {
        let low = (POW_SPECIAL_X_MIN * POW_SPECIAL_X_MIN).to_bits();
        let high = (POW_SPECIAL_X_MAX * POW_SPECIAL_X_MAX).to_bits();
        let lo = self.slot(Slot::Bits(low));
        let width = self.slot(Slot::Bits(high - low));
        let [t0, t1] = temps;
        if self.wide {
            with_rm!(self.rmz(lo), |m| self.a.vpsubq(ZMM[t0], ZMM[sq], m))?;
            let k = if self.mode == Mode::Masked { k2.k1() } else { k2 };
            with_rm!(self.rmz(width), |m| self.a.vpcmpuq(k, ZMM[t0], m, 6))?; // NLE: above
            self.a.kortestw(k2, k2)?;
        } else {
            // No unsigned compare in AVX2: below the low end is negative as
            // signed, and so is a NaN with its sign bit set (its bits are at
            // least 0xfff0...), so test both signs. In the one-element tail
            // only lane 0 is an element: test it in both lanes of an xmm.
            let (lo, width) = (self.rm_mem(lo), self.rm_mem(width));
            let scalar = self.mode == Mode::Scalar;
            if scalar {
                self.a.vmovddup(XMM[t0], XMM[sq])?;
                self.a.vpsubq(XMM[t0], XMM[t0], lo)?;
                self.a.vpcmpgtq(XMM[t1], XMM[t0], width)?;
                self.a.vpor(XMM[t1], XMM[t1], XMM[t0])?;
                self.a.vtestpd(XMM[t1], XMM[t1])?;
            } else {
                self.a.vpsubq(YMM[t0], YMM[sq], lo)?;
                self.a.vpcmpgtq(YMM[t1], YMM[t0], width)?;
                self.a.vpor(YMM[t1], YMM[t1], YMM[t0])?;
                self.a.vtestpd(YMM[t1], YMM[t1])?;
            }
        }
        self.a.jnz(to)?;
        Ok(())
    }

    fn power_f32(&mut self, n: u32, x: usize, d: usize) -> Emit {
        let (t0, t1, s) = (TEMP[0], TEMP[1], ARG_SCRATCH[1]);
        if self.wide {
            self.a.vcvtps2pd(ZMM[t0], YMM[x])?;
            self.a.vextractf32x8(YMM[t1], ZMM[x], 1)?;
            self.a.vcvtps2pd(ZMM[t1], YMM[t1])?;
        } else {
            self.a.vcvtps2pd(YMM[t0], XMM[x])?;
            self.a.vextractf128(XMM[t1], YMM[x], 1)?;
            self.a.vcvtps2pd(YMM[t1], XMM[t1])?;
        }
        for t in [t0, t1] {
            vx!(self, vmulpd, s, t, t)?;
            if n == 4 {
                vx!(self, vmulpd, t, s, s)?;
            } else {
                vx!(self, vmulpd, t, s, t)?;
            }
        }
        if self.wide {
            self.a.vcvtpd2ps(YMM[t0], ZMM[t0])?;
            self.a.vcvtpd2ps(YMM[t1], ZMM[t1])?;
            self.a.vinsertf32x8(ZMM[d], ZMM[t0], YMM[t1], 1)?;
        } else {
            self.a.vcvtpd2ps(XMM[t0], YMM[t0])?;
            self.a.vcvtpd2ps(XMM[t1], YMM[t1])?;
            self.a.vinsertf128(YMM[d], YMM[t0], XMM[t1], 1)?;
        }
        Ok(())
    }

    /// The slow path of an inline power: save every register the kernel may
    /// hold live (the System V caller-saved general registers, every vector
    /// register, `k1`), call `vmath`'s float64 pow block kernel on the vector
    /// (`x`, `y` broadcast, out: buffers in a 64-byte aligned area below the
    /// frame, a fixed size whatever the kernel), restore, and resume at the
    /// fast path's last move with the result in its register.
    fn stub(&mut self, stub: Stub) -> Emit {
        let Stub { mut entry, back, x, result, y } = stub;
        const GPRS: [AsmRegister64; 9] = [rax, rcx, rdx, rsi, rdi, r8, r9, r10, r11];
        let regs = if self.wide { 32 } else { 16 };
        let (xs, ys, out, saved) = (regs * 64, regs * 64 + 64, regs * 64 + 128, regs * 64 + 192);
        self.a.set_label(&mut entry)?;
        for r in GPRS {
            self.a.push(r)?;
        }
        self.a.mov(rax, rsp)?;
        self.a.and(rsp, -64)?;
        self.a.sub(rsp, saved + 64)?;
        self.a.mov(qword_ptr(rsp + saved), rax)?;
        if self.wide {
            self.a.kmovw(eax, k1)?;
            self.a.mov(qword_ptr(rsp + saved + 8), rax)?;
        }
        for r in 0..regs {
            self.save_any(r as usize, ptr(rsp + r * 64), true)?;
        }
        self.save_any(x, ptr(rsp + xs), true)?;
        let t = TEMP[0];
        self.a.mov(rax, y.to_bits())?;
        if self.wide {
            self.a.vpbroadcastq(ZMM[t], rax)?;
        } else {
            self.a.vmovq(XMM[t], rax)?;
            self.a.vpbroadcastq(YMM[t], XMM[t])?;
        }
        self.save_any(t, ptr(rsp + ys), true)?;
        self.a.lea(rdi, ptr(rsp + xs))?;
        self.a.lea(rsi, ptr(rsp + ys))?;
        self.a.lea(rdx, ptr(rsp + out))?;
        self.a.mov(ecx, self.lanes() as u32)?;
        let pow = vmath::block2_f64(vmath::Binary::Pow);
        self.a.mov(rax, pow as usize as u64)?;
        self.a.vzeroupper()?;
        self.a.call(rax)?;
        if self.wide {
            self.a.mov(rax, qword_ptr(rsp + saved + 8))?;
            self.a.kmovw(k1, eax)?;
        }
        for r in 0..regs {
            self.save_any(r as usize, ptr(rsp + r * 64), false)?;
        }
        self.save_any(result, ptr(rsp + out), false)?;
        self.a.mov(rsp, qword_ptr(rsp + saved))?;
        for r in GPRS.into_iter().rev() {
            self.a.pop(r)?;
        }
        self.a.jmp(back)?;
        Ok(())
    }

    /// Store (`store`) or load vector register `r` (`zmm0..=zmm31` or
    /// `ymm0..=ymm15`) to or from `m`.
    fn save_any(&mut self, r: usize, m: AsmMemoryOperand, store: bool) -> Emit {
        match (self.wide, store) {
            (true, true) => self.a.vmovdqu64(m, ZMM[r])?,
            (true, false) => self.a.vmovdqu64(ZMM[r], m)?,
            (false, true) => self.a.vmovdqu(m, YMM[r])?,
            (false, false) => self.a.vmovdqu(YMM[r], m)?,
        }
        Ok(())
    }

    /// The memory operand of a frame slot.
    fn rm_mem(&self, v: Val) -> AsmMemoryOperand {
        self.mem(v).expect("slots are memory")
    }
}

/// A binary operation's operands in the order its instruction takes them: the
/// first must be a register; swap a commutative operation rather than load
/// (only the payload of a NaN from two NaNs can differ, which every engine
/// allows), and a comparison into its mirror image (`x < y` is `y > x`, NaN
/// included).
fn operands(op: BinaryOp, args: &[Val]) -> (BinaryOp, Val, Val) {
    let commutes = matches!(
        op,
        BinaryOp::Add
            | BinaryOp::Mul
            | BinaryOp::BitAnd
            | BinaryOp::BitOr
            | BinaryOp::BitXor
            | BinaryOp::Eq
            | BinaryOp::Ne
    );
    let mirror = match op {
        BinaryOp::Lt => Some(BinaryOp::Gt),
        BinaryOp::Le => Some(BinaryOp::Ge),
        BinaryOp::Gt => Some(BinaryOp::Lt),
        BinaryOp::Ge => Some(BinaryOp::Le),
        _ => None,
    };
    match (args[0], args[1]) {
        (Val::Slot(_) | Val::Stream { .. }, Val::Reg(_)) if commutes => (op, args[1], args[0]),
        (Val::Slot(_) | Val::Stream { .. }, Val::Reg(_)) if mirror.is_some() => {
            (mirror.expect("checked"), args[1], args[0])
        }
        _ => (op, args[0], args[1]),
    }
}

/// The `vcmpp[sd]` predicate of a comparison (ordered and signalling like
/// NumPy's, `!=` true on NaN).
fn cmp_imm(op: BinaryOp) -> i32 {
    match op {
        BinaryOp::Lt => 0x01, // LT_OS
        BinaryOp::Le => 0x02, // LE_OS
        BinaryOp::Gt => 0x0e, // GT_OS
        BinaryOp::Ge => 0x0d, // GE_OS
        BinaryOp::Eq => 0x00, // EQ_OQ
        _ => 0x04,            // NEQ_UQ: true when unordered (NaN != NaN)
    }
}

/// The AVX-512 lowering: the same operations as the AVX2 one in `zmm`
/// registers. Bool values stay lane masks in vector registers (all ones or all
/// zeros) so the register allocation is shared; comparisons go through mask
/// register `k2` (`vpmovm2q`/`vpmovm2d` widen it back), `where` and
/// minimum/maximum are `vblendmp[sd]` under a mask, rounding is `vrndscalep[sd]`
/// (the same immediates as `vroundp[sd]`). `k1` is the tail's element mask.
impl Emitter<'_> {
    fn load_z(&mut self, p: u32, copy: usize, r: usize, mode: Mode) -> Emit {
        let k = p as usize;
        let f64_lanes = self.f64_lanes;
        // Masked loads zero the lanes past the end and never fault on them.
        let d = if mode == Mode::Masked { ZMM[r].k1().z() } else { ZMM[r] };
        match (self.kernel.params[k], mode) {
            (DType::Float64, Mode::Masked) => self.a.vmovupd(d, self.element(k, 8, 0))?,
            (DType::Float32, Mode::Masked) => self.a.vmovups(d, self.element(k, 4, 0))?,
            (DType::Bool, Mode::Vector | Mode::Masked) => {
                // Widen 0/1 bytes to lanes, then 0 - x: all zeros / all ones.
                let z = ZMM[TEMP[0]];
                self.a.vpxorq(z, z, z)?;
                if f64_lanes {
                    self.a.vpmovzxbq(d, qword_ptr(self.element(k, 1, copy)))?;
                    self.a.vpsubq(ZMM[r], z, ZMM[r])?;
                } else {
                    self.a.vpmovzxbd(d, xmmword_ptr(self.element(k, 1, copy)))?;
                    self.a.vpsubd(ZMM[r], z, ZMM[r])?;
                }
            }
            (DType::Float64 | DType::Float32, Mode::Vector) => unreachable!("vector float parameters are streams"),
            (_, Mode::Scalar) => unreachable!("AVX-512 code has no scalar tail"),
            (DType::Int32 | DType::Int64, _) => unreachable!("`lane_dtype` admits no integers"),
        }
        Ok(())
    }

    fn store_z(&mut self, k: usize, v: Val, copy: usize, mode: Mode) -> Emit {
        let op = self.kernel.params.len() + k;
        let x = ZMM[self.reg(v, 0)?];
        let masked = |m: AsmMemoryOperand| if mode == Mode::Masked { m.k1() } else { m };
        let t = ZMM[TEMP[0]];
        match self.kernel.nodes[self.kernel.outputs[k] as usize].dtype {
            DType::Float64 if self.nt && mode == Mode::Vector => self.a.vmovntpd(self.element(op, 8, copy), x)?,
            DType::Float32 if self.nt && mode == Mode::Vector => self.a.vmovntps(self.element(op, 4, copy), x)?,
            DType::Float64 => self.a.vmovupd(masked(self.element(op, 8, copy)), x)?,
            DType::Float32 => self.a.vmovups(masked(self.element(op, 4, copy)), x)?,
            // Masks -> 0/1 lanes -> bytes (truncating narrow stores).
            DType::Bool if self.f64_lanes => {
                self.a.vpsrlq(t, x, 63)?;
                self.a.vpmovqb(masked(qword_ptr(self.element(op, 1, copy))), t)?;
            }
            DType::Bool => {
                self.a.vpsrld(t, x, 31)?;
                self.a.vpmovdb(masked(xmmword_ptr(self.element(op, 1, copy))), t)?;
            }
            DType::Int32 | DType::Int64 => unreachable!("`lane_dtype` admits no integers"),
        }
        Ok(())
    }

    fn op_z(&mut self, i: usize, args: &[Val], d: usize) -> Emit {
        let node = &self.kernel.nodes[i];
        let d = ZMM[d];
        match &node.op {
            KOp::Op(Op::Unary(UnaryOp::Neg, _)) => {
                let x = self.reg(args[0], 0)?;
                let sign = self.slot(Slot::Bits(self.sign_bit()));
                with_rm!(self.rmz(sign), |m| self.a.vpxorq(d, ZMM[x], m))?;
            }
            KOp::Op(Op::Unary(UnaryOp::Invert, _)) => {
                let x = self.reg(args[0], 0)?;
                let ones = self.slot(Slot::Bits(self.ones()));
                with_rm!(self.rmz(ones), |m| self.a.vpxorq(d, ZMM[x], m))?;
            }
            KOp::Op(Op::Binary(op, ..)) => self.binary_z(*op, args, d)?,
            KOp::Op(Op::Call(f, _)) => self.call_z(builtin(*f).expect("`supported` admits these"), args, d)?,
            KOp::Param(_) | KOp::Op(Op::Unary(UnaryOp::Pos, _) | Op::Const(_) | Op::Cast(_)) => {
                unreachable!("aliases, parameters and constants are not computed; casts are not admitted")
            }
        }
        Ok(())
    }

    /// `d` = all ones in the lanes `k2` selects, zeros elsewhere.
    fn widen_k2(&mut self, d: AsmRegisterZmm) -> Emit {
        fp!(self, vpmovm2q, vpmovm2d, d, k2)?;
        Ok(())
    }

    /// `k2` = the lanes of mask value `c` that are set (sign bits).
    fn narrow_to_k2(&mut self, c: AsmRegisterZmm) -> Emit {
        fp!(self, vpmovq2m, vpmovd2m, k2, c)?;
        Ok(())
    }

    fn binary_z(&mut self, op: BinaryOp, args: &[Val], d: AsmRegisterZmm) -> Emit {
        let (op, x, y) = operands(op, args);
        let x = ZMM[self.reg(x, 0)?];
        let y = self.rmz(y);
        match op {
            BinaryOp::Add => with_rm!(y, |y| fp!(self, vaddpd, vaddps, d, x, y))?,
            BinaryOp::Sub => with_rm!(y, |y| fp!(self, vsubpd, vsubps, d, x, y))?,
            BinaryOp::Mul => with_rm!(y, |y| fp!(self, vmulpd, vmulps, d, x, y))?,
            BinaryOp::Div => with_rm!(y, |y| fp!(self, vdivpd, vdivps, d, x, y))?,
            BinaryOp::BitAnd => with_rm!(y, |y| self.a.vpandq(d, x, y))?,
            BinaryOp::BitOr => with_rm!(y, |y| self.a.vporq(d, x, y))?,
            BinaryOp::BitXor => with_rm!(y, |y| self.a.vpxorq(d, x, y))?,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Eq | BinaryOp::Ne => {
                let imm: i32 = cmp_imm(op);
                with_rm!(y, |y| fp!(self, vcmppd, vcmpps, k2, x, y, imm))?;
                self.widen_k2(d)?;
            }
            BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Pow | BinaryOp::Shl | BinaryOp::Shr => {
                unreachable!("`supported` rejects `{}`", op.symbol())
            }
        }
        Ok(())
    }

    /// `d = x*y + z` rounded once: [`Emitter::fma`] in `zmm` registers.
    fn fma_z(&mut self, args: &[Val], d: AsmRegisterZmm) -> Emit {
        let is_d = |v: Val| matches!(v, Val::Reg(r) if ZMM[r] == d);
        let in_reg = |v: Val| matches!(v, Val::Reg(_));
        let (x, y, z) = (args[0], args[1], args[2]);
        if is_d(z) {
            let x = ZMM[self.reg(x, 0)?];
            with_rm!(self.rmz(y), |y| fp!(self, vfmadd231pd, vfmadd231ps, d, x, y))?;
            return Ok(());
        }
        let other = match (is_d(x), is_d(y)) {
            (true, _) => y,
            (false, true) => x,
            (false, false) => {
                let (first, other) = if !in_reg(x) || in_reg(y) { (x, y) } else { (y, x) };
                with_rm!(self.rmz(first), |m| self.a.vmovupd(d, m))?;
                other
            }
        };
        let other = ZMM[self.reg(other, 1)?];
        with_rm!(self.rmz(z), |z| fp!(self, vfmadd213pd, vfmadd213ps, d, other, z))?;
        Ok(())
    }

    fn call_z(&mut self, f: Builtin, args: &[Val], d: AsmRegisterZmm) -> Emit {
        let round = |mode: i32| mode | 0x08; // and suppress the inexact exception
        match f {
            Builtin::Where => {
                // d = c ? x : y (c is a mask: its sign bit decides).
                let c = ZMM[self.reg(args[0], 0)?];
                let y = ZMM[self.reg(args[2], 2)?];
                self.narrow_to_k2(c)?;
                with_rm!(self.rmz(args[1]), |x| fp!(self, vblendmpd, vblendmps, d.k2(), y, x))?;
            }
            Builtin::Sqrt => with_rm!(self.rmz(args[0]), |x| fp!(self, vsqrtpd, vsqrtps, d, x))?,
            Builtin::Square => {
                let x = ZMM[self.reg(args[0], 0)?];
                fp!(self, vmulpd, vmulps, d, x, x)?;
            }
            Builtin::Abs => {
                let x = ZMM[self.reg(args[0], 0)?];
                let abs = self.slot(Slot::Bits(!self.sign_bit() & self.ones()));
                with_rm!(self.rmz(abs), |m| self.a.vpandq(d, x, m))?;
            }
            Builtin::Floor => with_rm!(self.rmz(args[0]), |x| fp!(self, vrndscalepd, vrndscaleps, d, x, round(1)))?,
            Builtin::Ceil => with_rm!(self.rmz(args[0]), |x| fp!(self, vrndscalepd, vrndscaleps, d, x, round(2)))?,
            Builtin::Trunc => with_rm!(self.rmz(args[0]), |x| fp!(self, vrndscalepd, vrndscaleps, d, x, round(3)))?,
            Builtin::Rint => with_rm!(self.rmz(args[0]), |x| fp!(self, vrndscalepd, vrndscaleps, d, x, round(0)))?,
            Builtin::Copysign => {
                // |x| with y's sign, by bits.
                let (x, y) = (ZMM[self.reg(args[0], 0)?], ZMM[self.reg(args[1], 1)?]);
                let (t0, t1) = (ZMM[TEMP[0]], ZMM[TEMP[1]]);
                let abs = self.slot(Slot::Bits(!self.sign_bit() & self.ones()));
                let sign = self.slot(Slot::Bits(self.sign_bit()));
                with_rm!(self.rmz(abs), |m| self.a.vpandq(t0, x, m))?;
                with_rm!(self.rmz(sign), |m| self.a.vpandq(t1, y, m))?;
                self.a.vporq(d, t0, t1)?;
            }
            Builtin::Minimum | Builtin::Maximum => {
                // NumPy's: x where it wins or is NaN, else y (so a tie gives y).
                let (x, y) = (ZMM[self.reg(args[0], 0)?], ZMM[self.reg(args[1], 1)?]);
                let wins = if f == Builtin::Minimum { 0x01 } else { 0x0e }; // LT_OS, GT_OS
                fp!(self, vcmppd, vcmpps, k2, x, y, wins)?;
                fp!(self, vcmppd, vcmpps, k3, x, x, 0x03)?; // UNORD_Q
                self.a.korw(k2, k2, k3)?;
                fp!(self, vblendmpd, vblendmps, d.k2(), y, x)?;
            }
            Builtin::Reciprocal => {
                let one = if self.f64_lanes { 1f64.to_bits() } else { u64::from(1f32.to_bits()) };
                let one = self.slot(Slot::Bits(one));
                let one = ZMM[self.reg(one, 1)?];
                with_rm!(self.rmz(args[0]), |x| fp!(self, vdivpd, vdivps, d, one, x))?;
            }
            Builtin::Fma => self.fma_z(args, d)?,
            Builtin::Identity
            | Builtin::Sign
            | Builtin::Clip
            | Builtin::Zero
            | Builtin::One
            | Builtin::Isnan
            | Builtin::Isinf
            | Builtin::Isfinite
            | Builtin::Signbit
            | Builtin::TruncRem => unreachable!("`builtin` admits only the operations above; identity is an alias"),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuse::{plan, Fusion};
    use crate::Expr;

    /// The fused kernel of `src` over float inputs `a`, `b`, `c` of `dtype`.
    fn kernel(src: &str, dtype: DType) -> Kernel {
        let c =
            Expr::parse(src).and_then(|e| e.compile(&[("a", dtype), ("b", dtype), ("c", dtype)])).expect("compiles");
        let p = c.program();
        (*plan(p, &[p.result], Fusion::Fused).stages[0].kernel).clone()
    }

    fn covered(src: &str, dtype: DType, layout: Layout) -> bool {
        let k = kernel(src, dtype);
        let mut layouts = vec![layout; k.params.len()];
        layouts.extend(std::iter::repeat_n(Layout::Contiguous, k.outputs.len()));
        emit(&k, &layouts, Width::Avx2, Stores::Cached).is_some()
            && emit(&k, &layouts, Width::Avx512, Stores::Cached).is_some()
    }

    #[test]
    fn covers_float_arithmetic_comparisons_and_where_and_declines_the_rest() {
        for dtype in [DType::Float64, DType::Float32] {
            for src in [
                "a*b+c",
                "sqrt(a**2 + b**2 + c**2)",
                "((a*b - 4.1*a) > 2.5*b) & (c < 0.5)",
                "where(a>b, a-b, 0.0)",
                "minimum(a, b) / maximum(-c, 1.0)",
                "abs(floor(a)) + copysign(rint(b), c)",
            ] {
                assert!(covered(src, dtype, Layout::Contiguous), "{src} {dtype}");
                assert!(covered(src, dtype, Layout::Invariant), "{src} {dtype} (invariant)");
                assert!(!covered(src, dtype, Layout::Strided), "{src} {dtype} (strided)");
            }
            let fma = ["fma(a, b, c)", "fma(a, 2.5, c*b) - fma(-a, c, 1.0)"];
            for src in fma {
                assert_eq!(covered(src, dtype, Layout::Contiguous), fma_available(), "{src} {dtype}");
            }
            // The inline powers' domain test reads x*x: exact squares of the ends.
            assert_eq!(POW_SPECIAL_X_MIN * POW_SPECIAL_X_MIN, 2f64.powi(-120));
            assert_eq!(POW_SPECIAL_X_MAX * POW_SPECIAL_X_MAX, 2f64.powi(120));
            // Integer powers with an inline form (float64 with FMA only).
            let f64_powers = dtype == DType::Float64 && fma_available();
            for src in ["a**3", "0.25*a**3 + 0.75*a**2 - 1.5*a - 2", "a**4 * b"] {
                assert!(covered(src, dtype, Layout::Contiguous) == (f64_powers || dtype == DType::Float32), "{src}");
            }
            assert_eq!(covered("a**8 - b**5", dtype, Layout::Contiguous), f64_powers);
            // Block calls, other powers, functions without a lane form.
            for src in ["sin(a)", "a**9", "a**2.5", "a**b", "a % b", "sign(a)", "isnan(a)"] {
                assert!(!covered(src, dtype, Layout::Contiguous), "{src} {dtype}");
            }
        }
        // Mixed float widths and integers.
        let c = Expr::parse("a + b").and_then(|e| e.compile(&[("a", DType::Float32), ("b", DType::Int32)]));
        let p = c.expect("compiles");
        let k = plan(p.program(), &[p.program().result], Fusion::Fused).stages[0].kernel.clone();
        assert!(emit(&k, &[Layout::Contiguous; 3], Width::Avx2, Stores::Cached).is_none());
        assert!(emit(&k, &[Layout::Contiguous; 3], Width::Avx512, Stores::Cached).is_none());
    }

    /// Whether the emitter takes the kernel of `src` at `width` with its
    /// reductions folded (`Invariant`) or as rows (`Contiguous`).
    fn folds(src: &str, dtype: DType, width: Width, accs: Layout) -> bool {
        let k = kernel(src, dtype);
        let mut layouts = vec![Layout::Contiguous; k.params.len() + k.outputs.len()];
        layouts.extend(std::iter::repeat_n(accs, k.reductions.len()));
        emit(&k, &layouts, width, Stores::Cached).is_some()
    }

    #[test]
    fn covers_folded_float_sums_means_and_products_and_declines_other_reductions() {
        for src in ["sum(a*b)", "mean(a) + sum(b*c)", "prod(a + 1.0)", "sum(where(a > b, a, c))"] {
            assert!(folds(src, DType::Float64, Width::Avx2, Layout::Invariant), "{src}");
            assert!(folds(src, DType::Float64, Width::Avx512, Layout::Invariant), "{src}");
            assert!(folds(src, DType::Float32, Width::Avx2, Layout::Invariant), "{src} float32");
            // 8 float32 slots are half a zmm: the 256-bit code takes them.
            assert!(!folds(src, DType::Float32, Width::Avx512, Layout::Invariant), "{src} float32");
            assert!(!folds(src, DType::Float64, Width::Avx2, Layout::Contiguous), "{src} rows");
        }
        for src in ["max(a*b)", "min(a)", "any(a > b)", "sum(a > b)"] {
            assert!(!folds(src, DType::Float64, Width::Avx2, Layout::Invariant), "{src}");
            assert!(!folds(src, DType::Float64, Width::Avx512, Layout::Invariant), "{src}");
        }
    }

    #[test]
    fn dense_main_loops_prefetch_their_inputs_and_streaming_ones_do_not() {
        let prefetches = |src: &str, dtype: DType, width: Width| {
            let k = kernel(src, dtype);
            let mut layouts = vec![Layout::Contiguous; k.params.len()];
            layouts.extend(std::iter::repeat_n(Layout::Contiguous, k.outputs.len()));
            let code = emit(&k, &layouts, width, Stores::Cached).expect("covered");
            listing(&code).lines().filter(|l| l.contains("prefetcht0")).count()
        };
        for width in [Width::Avx2, Width::Avx512] {
            let lines = if width == Width::Avx512 { 4 } else { 2 };
            // An inline cube: one prefetch per line of `a` an iteration reads.
            assert_eq!(prefetches("0.25*a**3 + 0.75*a**2 - 1.5*a - 2", DType::Float64, width), lines, "{width:?}");
            assert_eq!(prefetches("a**4 + b**3", DType::Float64, width), 2 * lines, "{width:?}");
            for src in ["a + b", "a*b + c", "2*a + 3*b - c/7"] {
                assert_eq!(prefetches(src, DType::Float64, width), 0, "{src} {width:?}");
            }
        }
        // Half the lanes per instruction make the same loop twice as dense per
        // line at 256 bits: these prefetch there, not at 512.
        for src in ["((a*b - 4.1*a) > 2.5*b) & (c < 0.5)", "sqrt(a**2 + b**2 + c**2)"] {
            assert_eq!(prefetches(src, DType::Float64, Width::Avx512), 0, "{src}");
            assert!(prefetches(src, DType::Float64, Width::Avx2) > 0, "{src}");
        }
    }

    /// The loop's shape: constants in registers, inputs as memory operands,
    /// four vectors per node, a one-element tail.
    #[test]
    fn listing_of_two_a_plus_three_b() {
        let k = kernel("2*a + 3*b", DType::Float64);
        let code = emit(&k, &[Layout::Contiguous; 3], Width::Avx2, Stores::Cached).expect("covered");
        expect_test::expect![[r#"
            0000  test rsi,rsi
            0003  je 00000000000000FDh
            0009  sub rsp,40h
            000d  mov r8,[rdi]
            0010  mov r9,[rdi+8]
            0014  mov r10,[rdi+10h]
            0018  mov rax,4000000000000000h
            0022  vmovq xmm11,rax
            0027  vpbroadcastq ymm11,xmm11
            002c  vmovdqu [rsp],ymm11
            0031  mov rax,4008000000000000h
            003b  vmovq xmm11,rax
            0040  vpbroadcastq ymm11,xmm11
            0045  vmovdqu [rsp+20h],ymm11
            004b  vmovdqu ymm10,[rsp]
            0050  vmovdqu ymm9,[rsp+20h]
            0056  xor ecx,ecx
            0058  lea rdx,[rsi-10h]
            005c  test rdx,rdx
            005f  js short 00000000000000CBh
            0061  vmulpd ymm0,ymm10,[r8+rcx*8]
            0067  vmulpd ymm1,ymm10,[r8+rcx*8+20h]
            006e  vmulpd ymm2,ymm10,[r8+rcx*8+40h]
            0075  vmulpd ymm3,ymm10,[r8+rcx*8+60h]
            007c  vmulpd ymm4,ymm9,[r9+rcx*8]
            0082  vmulpd ymm5,ymm9,[r9+rcx*8+20h]
            0089  vmulpd ymm6,ymm9,[r9+rcx*8+40h]
            0090  vmulpd ymm7,ymm9,[r9+rcx*8+60h]
            0097  vaddpd ymm0,ymm0,ymm4
            009b  vaddpd ymm1,ymm1,ymm5
            009f  vaddpd ymm2,ymm2,ymm6
            00a3  vaddpd ymm3,ymm3,ymm7
            00a7  vmovupd [r10+rcx*8],ymm0
            00ad  vmovupd [r10+rcx*8+20h],ymm1
            00b4  vmovupd [r10+rcx*8+40h],ymm2
            00bb  vmovupd [r10+rcx*8+60h],ymm3
            00c2  add rcx,10h
            00c6  cmp rcx,rdx
            00c9  jle short 0000000000000061h
            00cb  cmp rcx,rsi
            00ce  jae short 00000000000000F6h
            00d0  vmovsd xmm0,[r8+rcx*8]
            00d6  vmulpd ymm0,ymm10,ymm0
            00da  vmovsd xmm1,[r9+rcx*8]
            00e0  vmulpd ymm1,ymm9,ymm1
            00e4  vaddpd ymm0,ymm0,ymm1
            00e8  vmovsd [r10+rcx*8],xmm0
            00ee  inc rcx
            00f1  cmp rcx,rsi
            00f4  jb short 00000000000000D0h
            00f6  vzeroupper
            00f9  add rsp,40h
            00fd  ret
        "#]]
        .assert_eq(&listing(&code).lines().map(|l| format!("{}\n", l.trim_start())).collect::<String>());
    }
}
