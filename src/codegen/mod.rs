//! Code generation: a fused [`Kernel`] -> native code through Cranelift.
//!
//! Input: a kernel and, per parameter, then per output, then per reduction, its
//! [`Layout`] in the innermost loop. Output: a [`CompiledKernel`], a native
//! function with the ABI `extern "C" fn(ptrs: *const *mut u8, n: usize)`. `ptrs`
//! holds one row pointer per parameter, then one per output, then one per
//! reduction (its accumulators); then (read only for strided operands) the byte
//! stride of each of those as an `isize`, in the same order; then, for a kernel
//! that folds reductions, one more word (see [`Layout::Invariant`]). The
//! function processes `n` elements, reading element `i` of a contiguous
//! parameter at `ptr + i * size`, of a strided one at `ptr + i * stride`, an
//! invariant parameter at `ptr` (loaded once), writing element `i` of each
//! output at `ptr + i * size` (contiguous) or `ptr + i * stride` (strided), and
//! feeding element `i` of each reduction's argument to its accumulators: a row
//! accumulator (`Contiguous`) is updated in place at `ptr + i * size`, a folded
//! one (`Invariant`) is combined in registers into groups of slots, one group
//! per block of elements.
//!
//! Invariants:
//! - the generated code touches exactly the memory described above and nothing
//!   else, for any `n` (including 0); it never traps (integer division is guarded,
//!   float->int casts saturate to a documented value);
//! - one `JITModule` per compiled kernel, so dropping the kernel frees its code;
//! - results are bit-identical to the interpreter: operations with no exact
//!   instruction call the same `extern "C"` functions of [`crate::semantics`].
//!
//! The cache of compiled kernels is in [`cache`]; this module never runs code.

pub mod cache;
mod kernel;
mod ops;
mod phases;
#[cfg(all(target_arch = "x86_64", not(windows)))]
mod simd;
mod split;
mod vector;

use std::sync::{Mutex, OnceLock};

use cranelift_codegen::ir::{AbiParam, Function, Signature, UserFuncName};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module};

use crate::diag::{Error, ErrorKind, Result};
use crate::fuse::Kernel;
use crate::ir::ops::ReduceOp;
use crate::types::{DType, Scalar};

pub use cache::{CacheStats, KernelCache};
#[cfg(all(target_arch = "x86_64", not(windows)))]
pub(crate) use simd::encode_bugs as simd_encode_bugs;

/// How a parameter is read, an output written, or a reduction accumulates, in
/// the innermost loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Layout {
    /// One element per iteration, consecutive in memory. For a reduction: the
    /// loop runs along kept dimensions, so element `i` has its own accumulator
    /// `acc[i]` (a row of partial results, updated in place).
    Contiguous,
    /// The same element for every iteration (0-d inputs, reduction results,
    /// dimensions broadcast along the inner loop): loaded once before the loop.
    /// Not for outputs. For a reduction: the loop runs along the reduced axis
    /// and folds elements into *slots* ([`accumulator_slots`]) held in
    /// registers: the pointer addresses one group of slots per block of
    /// [`FOLD_BLOCK`] elements, and the last word of `ptrs` is how many elements
    /// of the first block were folded by earlier calls (the call's first
    /// elements go to group 0 until that block is full, then to group 1, ...).
    /// The kernel stores every group it touches. It loads only group 0, and only
    /// when that word is not 0; every block it begins starts from
    /// [`accumulator_start`], so the caller never fills the groups.
    Invariant,
    /// One element per iteration, a run-time byte stride apart (transposed,
    /// reversed or sliced views; outputs when the iteration runs in another
    /// order than theirs). No vector loop. Not for reductions.
    Strided,
}

/// Elements per block of a folded accumulator: a kernel folding a reduction
/// keeps one group of slots per block (see [`Layout::Invariant`]).
pub const FOLD_BLOCK: usize = 128;

/// How many slots a folded accumulator of `op` on `dtype` has: element `i` of a
/// call goes into slot `i mod slots`, and the slots are combined in a fixed tree
/// at the end. Float sums, means and products take 8 (shorter dependency
/// chains, vector lanes, and NumPy's pairwise accuracy); the rest are exact in
/// any order but min/max ties (`0.0` vs `-0.0`) need the interpreter's order, so
/// they take one.
pub fn accumulator_slots(op: ReduceOp, dtype: DType) -> usize {
    match op {
        ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Prod if dtype.is_float() => 8,
        ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Prod => 1,
        ReduceOp::Min | ReduceOp::Max | ReduceOp::Any | ReduceOp::All => 1,
    }
}

/// The value an accumulator of `op` on `dtype` starts from: exactly neutral for
/// the combining step (`x + -0.0` is `x` for every `x`, `minimum(+inf, x)` is
/// `x`), so starting from it equals starting from the first element.
pub fn accumulator_start(op: ReduceOp, dtype: DType) -> Scalar {
    let float = |v: f64| if dtype == DType::Float32 { Scalar::Float32(v as f32) } else { Scalar::Float64(v) };
    match (op, dtype) {
        (ReduceOp::Sum | ReduceOp::Mean, DType::Float32 | DType::Float64) => float(-0.0),
        (ReduceOp::Prod, DType::Float32 | DType::Float64) => float(1.0),
        (ReduceOp::Min, DType::Float32 | DType::Float64) => float(f64::INFINITY),
        (ReduceOp::Max, DType::Float32 | DType::Float64) => float(f64::NEG_INFINITY),
        (ReduceOp::Sum | ReduceOp::Mean, DType::Int64) => Scalar::Int64(0),
        (ReduceOp::Prod, DType::Int64) => Scalar::Int64(1),
        (ReduceOp::Min, DType::Int64) => Scalar::Int64(i64::MAX),
        (ReduceOp::Max, DType::Int64) => Scalar::Int64(i64::MIN),
        (ReduceOp::Min, DType::Int32) => Scalar::Int32(i32::MAX),
        (ReduceOp::Max, DType::Int32) => Scalar::Int32(i32::MIN),
        (ReduceOp::Min | ReduceOp::All, DType::Bool) => Scalar::Bool(true),
        (ReduceOp::Max | ReduceOp::Any, DType::Bool) => Scalar::Bool(false),
        (ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Prod, DType::Int32 | DType::Bool)
        | (ReduceOp::Any | ReduceOp::All, DType::Int32 | DType::Int64 | DType::Float32 | DType::Float64) => {
            unreachable!("the operator table never accumulates `{}` in {dtype}", op.name())
        }
    }
}

/// The native entry point of a kernel. Calling it is `unsafe`: every pointer in
/// `ptrs` must cover `n` elements of its dtype (one for invariant parameters; `n`
/// elements `stride` bytes apart for strided ones, whose strides follow).
pub type KernelFn = unsafe extern "C" fn(ptrs: *const *mut u8, n: usize);

/// Options for compiling kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodegenOptions {
    /// Run Cranelift's IR verifier on every kernel (always on in debug builds).
    pub verify: bool,
    /// Which code generator compiles the kernels it covers.
    pub backend: Backend,
}

/// Debug builds verify every kernel.
const VERIFY_BY_DEFAULT: bool = cfg!(debug_assertions);

impl Default for CodegenOptions {
    fn default() -> Self {
        CodegenOptions { verify: VERIFY_BY_DEFAULT, backend: Backend::from_env() }
    }
}

/// Which code generator compiles a kernel. All give the same bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Backend {
    /// The widest emitter this CPU runs for the kernels it covers (on x86-64
    /// fused elementwise float loops and folded float sums, see
    /// `codegen/simd.rs`): 512-bit loops with
    /// AVX-512, else 256-bit ones with AVX2; Cranelift for the rest. Measured on
    /// the development machine (AMD EPYC, 1 thread): the 512-bit loops are
    /// 1.1–1.6× faster at n = 1e5, equal to 1.25× faster at 1e6 and 1e7 where
    /// they compute, and up to 10% slower at 1e6 on pure streaming
    /// (`a*b + c`); see ARCHITECTURE.md.
    Auto,
    /// The 256-bit (AVX2) emitter where the CPU has AVX2 and the kernel is in
    /// its subset, Cranelift for the rest (even on a CPU with AVX-512).
    Avx2,
    /// The 512-bit (AVX-512) emitter where the CPU has it, else as
    /// [`Backend::Avx2`].
    Avx512,
    /// Cranelift for every kernel.
    Cranelift,
}

impl Backend {
    /// `JITEXPR_BACKEND=cranelift` forces Cranelift (to compare, or to rule the
    /// other emitters out), `avx2` caps the emitter at 256 bits, `avx512` names
    /// the widest; unset or anything else is [`Backend::Auto`]. Read once: the
    /// process-wide cache is built from it.
    pub fn from_env() -> Backend {
        static FROM_ENV: OnceLock<Backend> = OnceLock::new();
        *FROM_ENV.get_or_init(|| match std::env::var("JITEXPR_BACKEND").as_deref() {
            Ok("cranelift") => Backend::Cranelift,
            Ok("avx2") => Backend::Avx2,
            Ok("avx512") => Backend::Avx512,
            _ => Backend::Auto,
        })
    }
}

/// How a kernel's main loop writes its outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stores {
    /// Through the caches, as usual.
    Cached,
    /// Float outputs with non-temporal stores, which go to memory without
    /// reading the line first (no read-for-ownership traffic) and without
    /// evicting the inputs: for outputs too large to stay in cache anyway.
    /// Only the SIMD emitter makes such code (see `codegen/simd.rs`).
    Streaming,
}

/// A kernel's code from the emitter beside Cranelift: the cached-stores
/// variant, the streaming-stores one when the kernel has float outputs, and the
/// name of the width.
struct Native {
    cached: Vec<u8>,
    streaming: Option<Vec<u8>>,
    width: &'static str,
}

/// Machine code for `kernel` from the emitter beside Cranelift, if `backend`
/// allows it, this CPU runs it and the kernel is in its subset.
#[cfg(all(target_arch = "x86_64", not(windows)))]
fn native_code(kernel: &Kernel, layouts: &[Layout], backend: Backend) -> Option<Native> {
    use simd::Width;
    let widths: &[Width] = match backend {
        Backend::Cranelift => &[],
        Backend::Avx2 => &[Width::Avx2],
        Backend::Auto | Backend::Avx512 => &[Width::Avx512, Width::Avx2],
    };
    widths.iter().filter(|&&w| simd::available(w)).find_map(|&w| {
        let cached = simd::emit(kernel, layouts, w, Stores::Cached)?;
        let streaming = if simd::streams(kernel) { simd::emit(kernel, layouts, w, Stores::Streaming) } else { None };
        Some(Native { cached, streaming, width: w.name() })
    })
}

/// No emitter beside Cranelift on other targets.
#[cfg(not(all(target_arch = "x86_64", not(windows))))]
fn native_code(_: &Kernel, _: &[Layout], _: Backend) -> Option<Native> {
    None
}

/// Native code for one kernel and one parameter layout.
///
/// `Send + Sync`: the code is immutable once finalized and the entry point is a
/// plain function pointer; the module is only touched again when dropped.
pub struct CompiledKernel {
    entry: KernelFn,
    /// The [`Stores::Streaming`] variant, if the kernel has one.
    streaming: Option<KernelFn>,
    /// Kept to free the code when the kernel is dropped (`JITModule` is `Send`
    /// but not `Sync`; the mutex makes the whole kernel `Sync`).
    module: Mutex<Option<JITModule>>,
    /// The kernels a split kernel's driver calls (see [`split`]): they live as
    /// long as the driver, and are dropped after its code is freed.
    parts: Vec<CompiledKernel>,
}

impl CompiledKernel {
    /// The entry point; valid as long as `self` is alive (the caller must keep
    /// the kernel alive while calling it: exec holds an `Arc`).
    pub fn entry(&self) -> KernelFn {
        self.entry
    }

    /// The entry point of the variant that stores as `stores` asks, where the
    /// kernel has one (else [`CompiledKernel::entry`]; the same results
    /// either way). Valid as long as `self` is alive.
    pub(crate) fn entry_for(&self, stores: Stores) -> KernelFn {
        match (stores, self.streaming) {
            (Stores::Streaming, Some(entry)) => entry,
            _ => self.entry,
        }
    }
}

impl Drop for CompiledKernel {
    fn drop(&mut self) {
        let module = self.module.get_mut().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(module) = module {
            // SAFETY: `free_memory` unmaps the code, so no call into it may be running
            // or start later. Being dropped does not prove that by itself: `entry()`
            // hands out copies of the entry pointer, which outlive the `&self` borrow.
            // What holds is the callers' side: calling a `KernelFn` is `unsafe`, and
            // its only callers (`exec.rs`, `exec/reduce.rs`) hold an
            // `Arc<CompiledKernel>` across every call, so while a call runs this drop
            // cannot. No other pointer into the module escapes: kernels call vmath
            // and semantics, and a split kernel's driver its own `parts`, which
            // this kernel owns and frees after this module.
            unsafe { module.free_memory() };
        }
    }
}

impl std::fmt::Debug for CompiledKernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CompiledKernel({:p})", self.entry as *const u8)
    }
}

/// The host ISA, detected once (CPU features do not change while we run).
fn isa() -> &'static OwnedTargetIsa {
    static ISA: OnceLock<OwnedTargetIsa> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v).unwrap_or_else(|e| panic!("cranelift setting {k}={v}: {e}"));
        };
        set(&mut flags, "opt_level", "speed");
        // We run the verifier ourselves when asked (CodegenOptions::verify).
        set(&mut flags, "enable_verifier", "false");
        // cranelift-jit requires these.
        set(&mut flags, "use_colocated_libcalls", "false");
        set(&mut flags, "is_pic", "false");
        // Probe every page of a frame as it is allocated, so that no frame can
        // step over a thread's guard page into other memory (stack clash).
        // Frames are small by construction (`phases::BUFFER_BYTES`,
        // `fuse::MAX_KERNEL_NODES`); the probes make a mistake there a clean
        // stack overflow rather than a write outside the stack. Inline: the
        // JIT has no `__probestack` symbol to call.
        set(&mut flags, "enable_probestack", "true");
        set(&mut flags, "probestack_strategy", "inline");
        let builder = cranelift_native::builder().unwrap_or_else(|msg| panic!("host machine is not supported: {msg}"));
        builder.finish(settings::Flags::new(flags)).expect("the host ISA accepts its own default flags")
    })
}

fn signature() -> Signature {
    let isa = isa();
    let ptr = isa.pointer_type();
    let mut sig = Signature::new(isa.default_call_conv());
    sig.params.push(AbiParam::new(ptr));
    sig.params.push(AbiParam::new(ptr));
    sig
}

/// Build the Cranelift function of a kernel (not yet compiled).
fn function(kernel: &Kernel, layouts: &[Layout]) -> Function {
    let (params, outputs) = (kernel.params.len(), kernel.outputs.len());
    assert_eq!(
        params + outputs + kernel.reductions.len(),
        layouts.len(),
        "one layout per parameter, output, reduction"
    );
    assert!(!layouts[params..params + outputs].contains(&Layout::Invariant), "outputs are written once per element");
    assert!(!layouts[params + outputs..].contains(&Layout::Strided), "accumulators are contiguous");
    let mut func = Function::with_name_signature(UserFuncName::user(0, 0), signature());
    let mut fctx = FunctionBuilderContext::new();
    kernel::build(&mut func, &mut fctx, kernel, layouts, isa().as_ref());
    func
}

/// The Cranelift IR of a kernel, for `--emit clif` (a split kernel's: its
/// producer's, its consumer's and its driver's, the driver calling address 0).
pub fn clif(kernel: &Kernel, layouts: &[Layout]) -> String {
    match split::split(kernel, layouts) {
        Some(s) => {
            let mut text = format!("; split: producer\n{}", clif(&s.producer, &s.producer_layouts));
            for c in &s.consumers {
                text += &format!("; split: consumer\n{}", clif(&c.kernel, &c.layouts));
            }
            let zeros = vec![0; s.consumers.len()];
            text + &format!(
                "; split: driver\n{}",
                split::driver(&s, kernel, layouts, 0, &zeros, isa().as_ref()).display()
            )
        }
        None => function(kernel, layouts).display().to_string(),
    }
}

/// The machine code of a kernel for this CPU, for `--emit asm`: the listing of
/// SIMD emitter's code (AVX-512 or AVX2) when it covers the kernel (see [`Backend`]), else
/// Cranelift's disassembly of its register-allocated instructions.
pub fn asm(kernel: &Kernel, layouts: &[Layout]) -> Result<String> {
    #[cfg(all(target_arch = "x86_64", not(windows)))]
    if let Some(native) = native_code(kernel, layouts, Backend::from_env()) {
        let mut text = format!("; backend: {}\n{}", native.width, simd::listing(&native.cached));
        if let Some(code) = &native.streaming {
            text.push_str(&format!(
                "; with non-temporal stores (outputs too large for the caches)\n{}",
                simd::listing(code)
            ));
        }
        return Ok(text);
    }
    let isa = isa();
    let func = match split::split(kernel, layouts) {
        Some(s) => {
            let mut text = format!("; split: producer\n{}", asm(&s.producer, &s.producer_layouts)?);
            for c in &s.consumers {
                text += &format!("; split: consumer\n{}", asm(&c.kernel, &c.layouts)?);
            }
            let zeros = vec![0; s.consumers.len()];
            let driver = split::driver(&s, kernel, layouts, 0, &zeros, isa.as_ref());
            return Ok(text + "; split: driver\n" + &disassemble(driver)?);
        }
        None => function(kernel, layouts),
    };
    disassemble(func)
}

/// Cranelift's disassembly of a function's register-allocated instructions.
fn disassemble(func: Function) -> Result<String> {
    let isa = isa();
    let mut ctx = Context::for_function(func);
    ctx.set_disasm(true);
    let code = ctx
        .compile(isa.as_ref(), &mut Default::default())
        .map_err(|e| Error::new(ErrorKind::Internal, format!("the JIT could not compile a kernel: {:?}", e.inner)))?;
    Ok(code.vcode.clone().unwrap_or_default())
}

/// Compile a kernel for a parameter layout to native code.
pub fn compile(kernel: &Kernel, layouts: &[Layout], options: CodegenOptions) -> Result<CompiledKernel> {
    let isa = isa();
    if let Some(native) = native_code(kernel, layouts, options.backend) {
        return place(&native);
    }
    if let Some(s) = split::split(kernel, layouts) {
        let mut parts = vec![compile(&s.producer, &s.producer_layouts, options)?];
        for c in &s.consumers {
            parts.push(compile(&c.kernel, &c.layouts, options)?);
        }
        let consumers: Vec<usize> = parts[1..].iter().map(|p| p.entry as usize).collect();
        let func = split::driver(&s, kernel, layouts, parts[0].entry as usize, &consumers, isa.as_ref());
        let mut driver = jit(func, options)?;
        driver.parts = parts;
        return Ok(driver);
    }
    jit(function(kernel, layouts), options)
}

/// Compile a Cranelift function of the `KernelFn` signature in a module of its own.
fn jit(func: Function, options: CodegenOptions) -> Result<CompiledKernel> {
    let isa = isa();
    if options.verify {
        if let Err(errors) = cranelift_codegen::verify_function(&func, isa.as_ref()) {
            panic!("generated Cranelift IR does not verify:\n{}\n{func}", errors);
        }
    }
    let mut module = JITModule::new(JITBuilder::with_isa(isa.clone(), default_libcall_names()));
    let id = module
        .declare_function("kernel", Linkage::Export, &func.signature)
        .expect("declaring the only function of a fresh module cannot clash");
    let mut ctx = Context::for_function(func);
    module.define_function(id, &mut ctx).map_err(|e| jit_error("compile", e))?;
    module.finalize_definitions().map_err(|e| jit_error("finalize", e))?;
    let code = module.get_finalized_function(id);
    // SAFETY: `code` is the finalized (executable) entry of a function whose
    // Cranelift signature is `(ptr, ptr) -> ()` in the platform's C calling
    // convention, which is exactly `KernelFn`.
    let entry = unsafe { std::mem::transmute::<*const u8, KernelFn>(code) };
    Ok(CompiledKernel { entry, streaming: None, module: Mutex::new(Some(module)), parts: vec![] })
}

/// Machine code made outside Cranelift, placed in a `JITModule` of its own so
/// it lives in the same executable memory (written, then made read-execute)
/// and is freed the same way as Cranelift's code.
fn place(native: &Native) -> Result<CompiledKernel> {
    let mut module = JITModule::new(JITBuilder::with_isa(isa().clone(), default_libcall_names()));
    let mut define = |name: &str, code: &[u8]| {
        let id = module
            .declare_function(name, Linkage::Export, &signature())
            .expect("the two variants of a fresh module have distinct names");
        // Position-independent: the code has no relocations (only relative jumps).
        module.define_function_bytes(id, 16, code, &[]).map_err(|e| jit_error("place", e))?;
        Ok::<_, Error>(id)
    };
    let cached = define("kernel", &native.cached)?;
    let streaming = native.streaming.as_deref().map(|code| define("kernel_streaming", code)).transpose()?;
    module.finalize_definitions().map_err(|e| jit_error("finalize", e))?;
    // SAFETY: `code` is the finalized (executable) copy of machine code that
    // `simd::emit` produced for exactly the `KernelFn` ABI: the System V C
    // calling convention, `ptrs` in rdi and `n` in rsi, callee-saved registers
    // restored, touching only the elements the ABI describes.
    let entry = |code: *const u8| unsafe { std::mem::transmute::<*const u8, KernelFn>(code) };
    let streaming = streaming.map(|id| entry(module.get_finalized_function(id)));
    Ok(CompiledKernel {
        entry: entry(module.get_finalized_function(cached)),
        streaming,
        module: Mutex::new(Some(module)),
        parts: vec![],
    })
}

/// Cranelift reports allocation failures (mmap, mprotect) and compile bugs the
/// same way; neither is the user's mistake, so say what failed.
fn jit_error(what: &str, e: cranelift_module::ModuleError) -> Error {
    Error::new(ErrorKind::Internal, format!("the JIT could not {what} a kernel: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Span;
    use crate::fuse::{plan, Fusion};
    use crate::ir::ops::{BinaryOp, Func, FuncRule, UnaryOp};
    use crate::ir::{Input, Inst, Node, NodeId, Op, Program};
    use crate::types::DType;

    /// A program of `inputs` followed by one node reading all of them.
    fn one_op(inputs: &[DType], inst: Inst, dtype: DType) -> Kernel {
        let mut nodes: Vec<Node> = inputs
            .iter()
            .enumerate()
            .map(|(k, &d)| Node { inst: Inst::Input(k), dtype: d, span: Span::default() })
            .collect();
        nodes.push(Node { inst, dtype, span: Span::default() });
        let program = Program {
            inputs: inputs.iter().map(|&d| Input { name: "x".into(), dtype: d }).collect(),
            result: NodeId(inputs.len() as u32),
            nodes,
            names: vec![],
        };
        program.validate();
        (*plan(&program, &[program.result], Fusion::Fused).stages[0].kernel).clone()
    }

    #[test]
    fn kernels_and_caches_are_send_and_sync() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<CompiledKernel>();
        send_sync::<KernelCache>();
        send_sync::<crate::Compiled>();
    }

    /// `x0 + x1` on int64 with the second parameter invariant: the scalar loop
    /// skeleton (ints get no vector loop yet).
    #[test]
    fn loop_skeleton_hoists_invariant_parameters() {
        let k = one_op(
            &[DType::Int64, DType::Int64],
            Inst::Op(Op::Binary(BinaryOp::Add, NodeId(0), NodeId(1))),
            DType::Int64,
        );
        expect_test::expect![[r#"
            function u0:0(i64, i64) system_v {
            block0(v0: i64, v1: i64):
                v2 = iconst.i64 0
                v3 = icmp eq v1, v2  ; v2 = 0
                brif v3, block2, block1

            block1:
                v4 = load.i64 notrap v0
                v5 = load.i64 notrap v0+8
                v6 = load.i64 notrap v0+16
                v7 = load.i64 notrap v5
                v9 = iconst.i64 0
                jump block3(v9)  ; v9 = 0

            block3(v8: i64):
                v10 = iconst.i64 3
                v11 = ishl v8, v10  ; v10 = 3
                v12 = iadd.i64 v4, v11
                v13 = load.i64 notrap v12
                v14 = iadd v13, v7
                v15 = iconst.i64 3
                v16 = ishl v8, v15  ; v15 = 3
                v17 = iadd.i64 v6, v16
                store notrap v14, v17
                v18 = iconst.i64 1
                v19 = iadd v8, v18  ; v18 = 1
                v20 = icmp ult v19, v1
                brif v20, block3(v19), block4

            block4:
                jump block2

            block2:
                return
            }
        "#]]
        .assert_eq(&clif(&k, &[Layout::Contiguous, Layout::Invariant, Layout::Contiguous]));
    }

    /// `x0 * x0` on float64 with a strided parameter and a strided output: the
    /// strides are loaded after the row pointers and there is no vector loop.
    #[test]
    fn strided_operands_load_their_stride_and_stay_scalar() {
        let k = one_op(&[DType::Float64], Inst::Op(Op::Call(Func::Square, vec![NodeId(0)])), DType::Float64);
        expect_test::expect![[r#"
            function u0:0(i64, i64) system_v {
            block0(v0: i64, v1: i64):
                v2 = iconst.i64 0
                v3 = icmp eq v1, v2  ; v2 = 0
                brif v3, block2, block1

            block1:
                v4 = load.i64 notrap v0
                v5 = load.i64 notrap v0+16
                v6 = load.i64 notrap v0+8
                v7 = load.i64 notrap v0+24
                v9 = iconst.i64 0
                jump block3(v9)  ; v9 = 0

            block3(v8: i64):
                v10 = imul v8, v5
                v11 = iadd.i64 v4, v10
                v12 = load.f64 notrap v11
                v13 = fmul v12, v12
                v14 = imul v8, v7
                v15 = iadd.i64 v6, v14
                store notrap v13, v15
                v16 = iconst.i64 1
                v17 = iadd v8, v16  ; v16 = 1
                v18 = icmp ult v17, v1
                brif v18, block3(v17), block4

            block4:
                jump block2

            block2:
                return
            }
        "#]]
        .assert_eq(&clif(&k, &[Layout::Strided, Layout::Strided]));
    }

    /// A block call (vmath `sin`) writes a contiguous output directly; a strided
    /// output gets a block buffer and a copy loop; a strided argument is copied
    /// into a buffer first.
    #[test]
    fn block_calls_write_only_contiguous_outputs_directly() {
        let k = one_op(&[DType::Float64], Inst::Op(Op::Call(Func::Sin, vec![NodeId(0)])), DType::Float64);
        let slots = |layouts: &[Layout]| clif(&k, layouts).matches("explicit_slot").count();
        assert_eq!(slots(&[Layout::Contiguous, Layout::Contiguous]), 0);
        assert_eq!(slots(&[Layout::Contiguous, Layout::Strided]), 1);
        assert_eq!(slots(&[Layout::Strided, Layout::Contiguous]), 1);
        assert_eq!(slots(&[Layout::Strided, Layout::Strided]), 2);
    }

    fn check(kernel: &Kernel) {
        let n = kernel.params.len();
        let outs = vec![Layout::Contiguous; kernel.outputs.len()];
        for params in [Layout::Contiguous, Layout::Invariant, Layout::Strided] {
            for accs in [Layout::Contiguous, Layout::Invariant] {
                let mut layouts = vec![params; n];
                layouts.extend(&outs);
                layouts.extend(std::iter::repeat_n(accs, kernel.reductions.len()));
                compile(kernel, &layouts, CodegenOptions { verify: true, ..CodegenOptions::default() })
                    .unwrap_or_else(|e| panic!("{e}\n{kernel}"));
            }
        }
    }

    #[test]
    fn every_reduction_compiles_on_every_dtype_and_layout() {
        for d in DType::ALL {
            for op in ReduceOp::ALL {
                let acc = op.accumulator(d);
                // `2 * x` (a vectorizable float kernel when `x` is float) reduced.
                let mut nodes = vec![Node { inst: Inst::Input(0), dtype: acc, span: Span::default() }];
                let arg = if acc.is_float() {
                    let two = if acc == DType::Float32 { Scalar::Float32(2.0) } else { Scalar::Float64(2.0) };
                    nodes.push(Node { inst: Inst::constant(two), dtype: acc, span: Span::default() });
                    nodes.push(Node {
                        inst: Inst::Op(Op::Binary(BinaryOp::Mul, NodeId(0), NodeId(1))),
                        dtype: acc,
                        span: Span::default(),
                    });
                    NodeId(2)
                } else {
                    NodeId(0)
                };
                nodes.push(Node { inst: Inst::Reduce { op, arg, axis: None }, dtype: acc, span: Span::default() });
                let program = Program {
                    inputs: vec![Input { name: "x".into(), dtype: acc }],
                    result: NodeId(nodes.len() as u32 - 1),
                    nodes,
                    names: vec![],
                };
                program.validate();
                check(&plan(&program, &[program.result], Fusion::Fused).stages[0].kernel);
            }
        }
    }

    #[test]
    fn every_unary_and_binary_op_compiles_on_every_dtype() {
        for d in DType::ALL {
            for op in UnaryOp::ALL {
                if op.result(d).is_ok() {
                    check(&one_op(&[d], Inst::Op(Op::Unary(op, NodeId(0))), d));
                }
            }
            for op in BinaryOp::ALL {
                if let Ok((compute, result)) = op.compute(d) {
                    if compute == d {
                        check(&one_op(&[d, d], Inst::Op(Op::Binary(op, NodeId(0), NodeId(1))), result));
                    }
                }
            }
        }
    }

    #[test]
    fn every_function_and_cast_compiles_on_every_dtype() {
        for d in DType::ALL {
            for f in Func::ALL {
                let info = f.info();
                let Ok((compute, result)) = info.rule.compute(info.name, d) else { continue };
                if compute != d {
                    continue;
                }
                let args = match info.rule {
                    FuncRule::Where => vec![DType::Bool, d, d],
                    _ => vec![d; info.arity],
                };
                let ids = (0..args.len() as u32).map(NodeId).collect();
                check(&one_op(&args, Inst::Op(Op::Call(f, ids)), result));
            }
            for to in DType::ALL {
                check(&one_op(&[d], Inst::Op(Op::Cast(NodeId(0))), to));
            }
        }
    }
}
