//! The `jitexpr` command line: `main -> try_main -> one function per subcommand`
//! (`eval`, `bench`).
//!
//! Exit codes: 0 success; 2 any user error (bad expression, input, file, flag,
//! a documented limit, not enough memory or threads), printed as `error: ...` with
//! a caret under the offending text; 1 an internal error (a bug: a panic, or an
//! [`ErrorKind::Internal`] error), printed with a request to report it. A closed
//! stdout (`jitexpr ... | head`) is not an error.

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use jitexpr::inputs::{Generated, InputValue};
use jitexpr::npy::NpyReader;
use jitexpr::stream::{self, Source};
use jitexpr::{bench, npy, Array, Compiled, DType, Engine, Error, ErrorKind, EvalConfig, Expr, Math};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(name = "jitexpr", version, about = "Evaluate NumPy-style array expressions, JIT-compiled and fused")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate an expression (or a program of `name = expr` statements).
    Eval(EvalArgs),
    /// Time an expression on the interpreter and the JIT (unfused, fused, 1 and T threads).
    Bench(BenchArgs),
}

#[derive(clap::Args, Debug)]
struct EvalArgs {
    /// The expression, e.g. `2*a + sin(b)**2 > c` or `x = a*b; x / sum(x)`.
    /// It may start with `-` (`-a + b`), if it comes before any option.
    #[arg(allow_hyphen_values = true)]
    expr: String,
    /// An input: NAME=FILE.npy, NAME=NUMBER, NAME=arange(N), NAME=linspace(START, STOP, N),
    /// NAME=random(N) or NAME=random(N, SEED).
    #[arg(short = 'i', long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    /// Write the result to FILE.npy, or an assigned name with NAME=FILE.npy.
    #[arg(short = 'o', long = "output", value_name = "[NAME=]FILE.npy")]
    outputs: Vec<String>,
    /// Which engine evaluates.
    #[arg(long, value_enum, default_value_t = EngineArg::Jit)]
    engine: EngineArg,
    /// Worker threads for the JIT engine (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// JIT: run one operation at a time with temporaries instead of fused loops.
    #[arg(long)]
    no_fuse: bool,
    /// JIT: skip the optimizer (results are the same; isolates what it buys).
    #[arg(long)]
    no_opt: bool,
    /// `exact`: NumPy's results bit for bit. `fast`: power chains, FMA
    /// contraction, Horner form, reciprocals, within the bounds the README states (every engine runs
    /// the same rewritten program; `--emit opt` shows it).
    #[arg(long, value_enum, default_value_t = MathArg::Exact)]
    math: MathArg,
    /// Print a stage's dump instead of evaluating.
    #[arg(long, value_enum, value_name = "STAGE")]
    emit: Option<Emit>,
    /// Memory budget for streaming (`256M`, `1G`, `4096`; binary units): windows are
    /// sized to fit, and inputs plus outputs above it make `eval` stream.
    #[arg(long, value_name = "SIZE", default_value = "256M", value_parser = parse_memory)]
    memory: usize,
    /// Evaluate window by window even when everything fits the memory budget.
    #[arg(long, conflicts_with = "no_stream")]
    stream: bool,
    /// Load every input into memory even when it exceeds the memory budget.
    #[arg(long)]
    no_stream: bool,
    /// Streaming: slabs per window instead of what --memory allows (for testing).
    #[arg(long, value_name = "N", hide = true)]
    window: Option<usize>,
    /// Show a progress bar on stderr while streaming, even when it is not a terminal.
    #[arg(long, conflicts_with = "no_progress")]
    progress: bool,
    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,
}

#[derive(clap::Args, Debug)]
struct BenchArgs {
    /// The expression, e.g. `sqrt(a**2 + b**2 + c**2)`.
    #[arg(allow_hyphen_values = true)]
    expr: String,
    /// Elements of every generated input (`1000000`, `1_000_000` or `1e6`).
    #[arg(short = 'n', value_name = "N", default_value = "1000000", value_parser = parse_count)]
    n: usize,
    /// The dtype of generated inputs: floats are uniform in [0.1, 1.1), ints in [1, 100].
    #[arg(long, value_enum, default_value_t = DTypeArg::Float64)]
    dtype: DTypeArg,
    /// Threads of the last JIT row (default: all cores).
    #[arg(long, value_name = "T")]
    threads: Option<usize>,
    /// Timed evaluations per row (default: as many as fit in about 0.5 s, 5 to 10000).
    #[arg(long, value_name = "K")]
    repeat: Option<usize>,
    /// Keep timing each row, after its K evaluations, until it has run this many
    /// seconds (e.g. `0.05`): fast rows get many samples, slow ones just K.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    min_time: Option<std::time::Duration>,
    /// An input instead of a random array, in any form `eval` takes (NAME=FILE.npy, NAME=random(N), ...).
    #[arg(short = 'i', long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// The JIT rows' math mode (the interp row stays exact; `max ulp` is measured
    /// against it).
    #[arg(long, value_enum, default_value_t = MathArg::Exact)]
    math: MathArg,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum MathArg {
    /// NumPy's results bit for bit.
    Exact,
    /// Faster, within stated error bounds (see the README's "Fast math").
    Fast,
}

impl MathArg {
    fn math(self) -> Math {
        match self {
            MathArg::Exact => Math::Exact,
            MathArg::Fast => Math::Fast,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum DTypeArg {
    Bool,
    Int32,
    Int64,
    Float32,
    Float64,
}

impl DTypeArg {
    fn dtype(self) -> DType {
        match self {
            DTypeArg::Bool => DType::Bool,
            DTypeArg::Int32 => DType::Int32,
            DTypeArg::Int64 => DType::Int64,
            DTypeArg::Float32 => DType::Float32,
            DTypeArg::Float64 => DType::Float64,
        }
    }
}

/// `256M`, `1G`, `64KiB`, `4096`: bytes, with binary unit suffixes.
fn parse_memory(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{text}` is not a size (e.g. 256M, 1G, 4096)")),
    };
    let n: usize = digits.parse().map_err(|_| format!("`{text}` is not a size (e.g. 256M, 1G, 4096)"))?;
    n.checked_mul(1 << shift).filter(|&b| b > 0).ok_or_else(|| format!("`{text}` is not a usable memory budget"))
}

fn parse_count(text: &str) -> Result<usize, String> {
    jitexpr::bench::parse_count(text).map_err(|e| e.message)
}

/// A non-negative number of seconds, at most an hour.
fn parse_seconds(text: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = text.trim().parse().map_err(|_| format!("`{text}` is not a number of seconds"))?;
    let max = jitexpr::bench::MAX_MIN_TIME;
    if !(0.0..=max.as_secs_f64()).contains(&secs) {
        return Err(format!("{text} seconds is out of range (0 to {})", max.as_secs()));
    }
    Ok(std::time::Duration::from_secs_f64(secs))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum EngineArg {
    /// The reference interpreter: one operation at a time, like NumPy.
    Interp,
    /// The Cranelift JIT: fused native loops.
    Jit,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Emit {
    /// The lexer's tokens.
    Tokens,
    /// The parsed syntax tree.
    Ast,
    /// The typed IR.
    Ir,
    /// The optimized IR and every rewrite that fired (with `--math fast`, the
    /// fast rewrites and their bounds too).
    Opt,
    /// The JIT's plan: stages, what each fuses, why each boundary exists.
    Fused,
    /// The Cranelift IR of every JIT kernel.
    Clif,
    /// The machine code of every JIT kernel, for this CPU.
    Asm,
}

/// A user error together with the text its span points into.
struct Failure {
    error: Error,
    source: String,
}

impl Failure {
    fn in_expr(error: Error, source: &str) -> Failure {
        Failure { error, source: source.to_string() }
    }

    fn plain(error: Error) -> Failure {
        Failure { error, source: String::new() }
    }
}

/// What an internal error adds to its message.
const PLEASE_REPORT: &str = "this is a bug in jitexpr; please report it with the command that caused it";

fn main() -> ExitCode {
    // A panic is a bug: say so in our format, then exit 1 (below) rather than 101.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".to_string());
        let place = info.location().map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!("error: internal error: {what}{place}\n  = help: {PLEASE_REPORT}");
    }));
    match std::panic::catch_unwind(run_cli) {
        Ok(code) => code,
        Err(_) => ExitCode::from(1),
    }
}

fn run_cli() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with exit 0 and usage errors to stderr with exit 2.
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match try_main(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            let internal = f.error.kind == ErrorKind::Internal;
            let mut text = f.error.render(&f.source);
            if internal {
                text.push_str(&format!("  = help: {PLEASE_REPORT}\n"));
            }
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
            ExitCode::from(if internal { 1 } else { 2 })
        }
    }
}

fn try_main(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Eval(args) => eval(args),
        Command::Bench(args) => bench(args),
    }
}

/// A requested output: the result (`name: None`) or an assigned name, and where to write it.
struct OutputSpec {
    name: Option<String>,
    path: PathBuf,
}

fn eval(args: EvalArgs) -> Result<(), Failure> {
    let expr = Expr::parse(&args.expr).map_err(|e| Failure::in_expr(e, &args.expr))?;
    match args.emit {
        Some(Emit::Tokens) => {
            return print_stdout(&expr.emit_tokens().map_err(|e| Failure::in_expr(e, &args.expr))?);
        }
        Some(Emit::Ast) => return print_stdout(&expr.emit_ast()),
        Some(Emit::Ir | Emit::Opt | Emit::Fused | Emit::Clif | Emit::Asm) | None => {}
    }
    let config = eval_config(&args)?;
    let sources = open_inputs(&args.inputs)?;
    let outputs = parse_outputs(&args.outputs)?;
    let sig: Vec<(&str, DType)> = sources.iter().map(|(n, s)| (n.as_str(), s.dtype())).collect();
    let compiled = expr.compile(&sig).map_err(|e| Failure::in_expr(unknown_name_hint(e), &args.expr))?;
    let wanted = wanted_outputs(&outputs);
    let emitted = match args.emit {
        Some(Emit::Ir) => Some(compiled.emit_ir()),
        Some(Emit::Opt) => Some(compiled.emit_opt_with(&wanted, config.math).map_err(Failure::plain)?),
        Some(Emit::Fused) => Some(compiled.emit_fused(&wanted, &config).map_err(Failure::plain)?),
        Some(Emit::Clif) => Some(compiled.emit_clif(&wanted, &config).map_err(Failure::plain)?),
        Some(Emit::Asm) => Some(compiled.emit_asm(&wanted, &config).map_err(Failure::plain)?),
        Some(Emit::Tokens | Emit::Ast) | None => None,
    };
    if let Some(text) = emitted {
        return print_stdout(&text);
    }
    let named: Vec<(&str, &dyn Source)> = sources.iter().map(|(n, s)| (n.as_str(), s.as_source())).collect();
    if should_stream(&args, &compiled, &named, &outputs, &config)? {
        return run_streaming(&args, &compiled, &named, &outputs, &config);
    }
    let mut inputs = Vec::with_capacity(sources.len());
    for ((name, src), arg) in sources.iter().zip(&args.inputs) {
        inputs.push((name.clone(), src.load().map_err(|e| Failure::in_expr(e, arg))?));
    }
    run(&compiled, &inputs, &outputs, &config)
}

/// An input as the command line gives it: a file opened (header read), a
/// generator described, or a number.
enum InputSource {
    Array(Array),
    File(NpyReader),
    Generated(Generated),
}

impl InputSource {
    fn as_source(&self) -> &dyn Source {
        match self {
            InputSource::Array(a) => a,
            InputSource::File(r) => r,
            InputSource::Generated(g) => g,
        }
    }

    fn dtype(&self) -> DType {
        self.as_source().dtype()
    }

    /// The whole value in memory.
    fn load(&self) -> Result<Array, Error> {
        let src = self.as_source();
        src.window(0..jitexpr::stream::storage_axis(src.shape(), src.order()).map_or(1, |d| src.shape()[d]))
    }
}

fn open_inputs(args: &[String]) -> Result<Vec<(String, InputSource)>, Failure> {
    let mut inputs: Vec<(String, InputSource)> = Vec::with_capacity(args.len());
    for arg in args {
        let (name, value) = jitexpr::inputs::parse_input_source(arg).map_err(|e| Failure::in_expr(e, arg))?;
        if inputs.iter().any(|(n, _)| *n == name) {
            let err = Error::at(
                ErrorKind::Usage,
                jitexpr::Span::new(0, name.len()),
                format!("input `{name}` is given twice"),
            );
            return Err(Failure::in_expr(err, arg));
        }
        let value_span = jitexpr::Span::new(arg.find('=').map_or(0, |eq| eq + 1), arg.len());
        let source = match value {
            InputValue::Array(a) => InputSource::Array(a),
            InputValue::Generated(g) => InputSource::Generated(g),
            InputValue::File(path) => {
                let at = |e: Error| Failure::in_expr(e.or_at(trimmed(arg, value_span)), arg);
                // A regular file is read window by window; a pipe or device
                // (`<(...)`, `/dev/stdin`) cannot be read at positions, so it is
                // read whole, its header checked before any data is.
                if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                    InputSource::File(NpyReader::open(&path).map_err(at)?)
                } else {
                    InputSource::Array(npy::read_file(&path).map_err(at)?)
                }
            }
        };
        inputs.push((name, source));
    }
    Ok(inputs)
}

/// The span without surrounding whitespace.
fn trimmed(src: &str, span: jitexpr::Span) -> jitexpr::Span {
    let text = &src[span.start..span.end];
    let start = span.start + (text.len() - text.trim_start().len());
    jitexpr::Span::new(start, start + text.trim().len())
}

/// The streaming rule: `--stream` / `--no-stream` decide; otherwise stream when
/// the inputs and outputs would not fit the memory budget, unless the printed
/// result alone exceeds it (it is held whole either way). Only the fused JIT
/// streams. A program that cannot stream with the in-memory bits runs in memory
/// when it fits the budget (or `--no-stream` is given), else it is an error.
fn should_stream(
    args: &EvalArgs,
    compiled: &Compiled,
    inputs: &[(&str, &dyn Source)],
    outputs: &[OutputSpec],
    config: &EvalConfig,
) -> Result<bool, Failure> {
    let in_expr = |e: Error| Failure::in_expr(e, compiled.source());
    if args.no_stream {
        return Ok(false);
    }
    let jit_fused = config.engine == Engine::Jit && config.fuse;
    if args.stream && !jit_fused {
        return Err(Failure::plain(Error::new(
            ErrorKind::Usage,
            "--stream runs the fused JIT only (not with --engine interp or --no-fuse)",
        )));
    }
    let wanted = wanted_outputs(outputs);
    let bytes = stream::in_memory_bytes(compiled, inputs, &wanted).map_err(in_expr)?;
    let fits = bytes <= args.memory as u64;
    if !args.stream && (fits || !jit_fused) {
        return Ok(false);
    }
    // A result printed rather than written to a file is held whole either way:
    // when it alone exceeds the budget, streaming cannot keep to it, so the
    // automatic choice evaluates in memory (as NumPy would) instead of failing.
    if !args.stream && !outputs.iter().any(|o| o.name.is_none()) {
        let printed = stream::in_memory_bytes(compiled, inputs, &[None]).map_err(in_expr)?
            - stream::in_memory_bytes(compiled, inputs, &[]).map_err(in_expr)?;
        if printed > args.memory as u64 {
            return Ok(false);
        }
    }
    match stream::check(compiled, inputs, &wanted, config).map_err(in_expr)? {
        None => Ok(true),
        Some(_) if fits => Ok(false),
        Some(reason) => Err(Failure::plain(
            Error::new(ErrorKind::Usage, format!("cannot stream this program exactly: {reason}")).with_help(format!(
                "evaluate it in memory with --no-stream (about {} MiB of inputs and outputs)",
                bytes.div_ceil(1 << 20)
            )),
        )),
    }
}

/// Evaluate window by window: `-o` files are written as windows are computed;
/// the result, if no `-o` takes it, is printed (it must fit the budget).
fn run_streaming(
    args: &EvalArgs,
    compiled: &Compiled,
    inputs: &[(&str, &dyn Source)],
    outputs: &[OutputSpec],
    config: &EvalConfig,
) -> Result<(), Failure> {
    let mut targets: Vec<stream::Output<'_>> = outputs
        .iter()
        .map(|o| stream::Output { name: o.name.as_deref(), target: stream::Target::File(o.path.clone()) })
        .collect();
    let print_result = !outputs.iter().any(|o| o.name.is_none());
    if print_result {
        targets.push(stream::Output { name: None, target: stream::Target::Memory });
    }
    let bar = progress_bar(args).map(Arc::new);
    let progress = bar.clone().map(|bar| Arc::new(move |p: stream::Progress| bar.update(p)) as stream::ProgressFn);
    let stream_config =
        stream::StreamConfig { memory: args.memory, window: args.window, eval: config.clone(), progress };
    let result = stream::eval(compiled, inputs, &targets, &stream_config);
    if let Some(bar) = bar {
        bar.bar.finish_and_clear();
    }
    let mut results = result.map_err(|e| Failure::in_expr(e, compiled.source()))?;
    match results.pop().flatten() {
        Some(array) if print_result => print_stdout(&format!("{}\n", array.repr())),
        _ => Ok(()),
    }
}

/// Elements of work below which no bar is drawn: a short run would only flash it.
const PROGRESS_MIN_ELEMENTS: u64 = 100_000_000;

/// A progress bar on stderr: elements done, throughput, ETA. Drawn when stderr
/// is a terminal and the work is long, or always with `--progress` (as plain
/// lines when stderr is not a terminal).
fn progress_bar(args: &EvalArgs) -> Option<Bar> {
    let tty = std::io::stderr().is_terminal();
    if args.no_progress || !(tty || args.progress) {
        return None;
    }
    let target = if tty {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::term_like_with_hz(Box::new(Lines::default()), 1)
    };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
    let style =
        ProgressStyle::with_template("{bar:30} {percent:>3}% {human_pos}/{human_len} elements, {per_sec}, ETA {eta}")
            .expect("the template is valid");
    bar.set_style(style);
    let min = if args.progress { 0 } else { PROGRESS_MIN_ELEMENTS };
    Some(Bar { bar, target: std::sync::Mutex::new(Some(target)), min })
}

/// A bar that starts drawing once the work is known to be long enough.
struct Bar {
    bar: ProgressBar,
    /// Where to draw, until the bar is shown.
    target: std::sync::Mutex<Option<ProgressDrawTarget>>,
    min: u64,
}

impl Bar {
    fn update(&self, p: stream::Progress) {
        let shown = self.target.lock().unwrap_or_else(|e| e.into_inner()).take_if(|_| p.total >= self.min);
        if let Some(target) = shown {
            self.bar.set_draw_target(target);
        }
        self.bar.set_length(p.total);
        self.bar.set_position(p.done);
    }
}

/// A terminal stand-in for a non-terminal stderr: every redraw is one line.
#[derive(Debug, Default)]
struct Lines {
    line: std::sync::Mutex<String>,
}

impl TermLike for Lines {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write_str(s)?;
        self.flush()
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.line.lock().unwrap_or_else(|e| e.into_inner()).push_str(s);
        Ok(())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        let mut line = self.line.lock().unwrap_or_else(|e| e.into_inner());
        if !line.trim().is_empty() {
            writeln!(std::io::stderr(), "{}", line.trim_end())?;
        }
        line.clear();
        Ok(())
    }
}

fn bench(args: BenchArgs) -> Result<(), Failure> {
    let threads = match args.threads {
        Some(0) => return Err(Failure::plain(Error::new(ErrorKind::Usage, "--threads must be at least 1"))),
        Some(t) => t,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if args.repeat == Some(0) {
        return Err(Failure::plain(Error::new(ErrorKind::Usage, "--repeat must be at least 1")));
    }
    let inputs = load_inputs(&args.inputs)?;
    let config = bench::BenchConfig {
        n: args.n,
        dtype: args.dtype.dtype(),
        threads,
        repeat: args.repeat,
        min_time: args.min_time.unwrap_or_default(),
        math: args.math.math(),
    };
    let report =
        bench::run(&args.expr, inputs, &config).map_err(|e| Failure::in_expr(unknown_name_hint(e), &args.expr))?;
    print_stdout(&if args.json { report.to_json() } else { report.to_table() })
}

fn eval_config(args: &EvalArgs) -> Result<EvalConfig, Failure> {
    if args.threads == Some(0) {
        return Err(Failure::plain(Error::new(ErrorKind::Usage, "--threads must be at least 1")));
    }
    let engine = match args.engine {
        EngineArg::Interp => Engine::Interp,
        EngineArg::Jit => Engine::Jit,
    };
    let config = EvalConfig {
        engine,
        threads: args.threads,
        fuse: !args.no_fuse,
        optimize: !args.no_opt,
        math: args.math.math(),
        ..EvalConfig::default()
    };
    // Refused at once, whichever engine runs.
    config.thread_count().map_err(Failure::plain)?;
    Ok(config)
}

/// The outputs to evaluate: every `-o`, then the result if no `-o` took it.
fn wanted_outputs(outputs: &[OutputSpec]) -> Vec<Option<&str>> {
    let mut wanted: Vec<Option<&str>> = outputs.iter().map(|o| o.name.as_deref()).collect();
    if !outputs.iter().any(|o| o.name.is_none()) {
        wanted.push(None);
    }
    wanted
}

/// Evaluate, then write each `-o` file; print the result if no `-o` took it.
fn run(
    compiled: &Compiled,
    inputs: &[(String, Array)],
    outputs: &[OutputSpec],
    config: &EvalConfig,
) -> Result<(), Failure> {
    let print_result = !outputs.iter().any(|o| o.name.is_none());
    let wanted = wanted_outputs(outputs);
    let named: Vec<(&str, &Array)> = inputs.iter().map(|(n, a)| (n.as_str(), a)).collect();
    let mut results =
        compiled.eval_with(&named, &wanted, config).map_err(|e| Failure::in_expr(e, compiled.source()))?;
    let printed = if print_result { results.pop() } else { None };
    for (spec, array) in outputs.iter().zip(&results) {
        npy::write_file(&spec.path, array).map_err(Failure::plain)?;
    }
    match printed {
        Some(array) => print_stdout(&format!("{}\n", array.repr())),
        None => Ok(()),
    }
}

fn load_inputs(args: &[String]) -> Result<Vec<(String, Array)>, Failure> {
    let mut inputs: Vec<(String, Array)> = Vec::with_capacity(args.len());
    for arg in args {
        let (name, array) = jitexpr::inputs::parse_input_arg(arg).map_err(|e| Failure::in_expr(e, arg))?;
        if inputs.iter().any(|(n, _)| *n == name) {
            let err = Error::at(
                ErrorKind::Usage,
                jitexpr::Span::new(0, name.len()),
                format!("input `{name}` is given twice"),
            );
            return Err(Failure::in_expr(err, arg));
        }
        inputs.push((name, array));
    }
    Ok(inputs)
}

/// `-o FILE.npy` is the result; `-o NAME=FILE.npy` an assigned name.
fn parse_outputs(args: &[String]) -> Result<Vec<OutputSpec>, Failure> {
    let mut specs: Vec<OutputSpec> = Vec::with_capacity(args.len());
    for arg in args {
        let spec = match arg.split_once('=') {
            Some((name, path)) if jitexpr::inputs::is_identifier(name) => {
                OutputSpec { name: Some(name.to_string()), path: path.into() }
            }
            _ => OutputSpec { name: None, path: arg.into() },
        };
        if spec.path.as_os_str().is_empty() {
            let err =
                Error::at(ErrorKind::Usage, jitexpr::Span::new(arg.len(), arg.len()), "missing file name after `=`");
            return Err(Failure::in_expr(err, arg));
        }
        if specs.iter().any(|s| s.name == spec.name) {
            let what = spec.name.as_deref().map_or("the result".to_string(), |n| format!("`{n}`"));
            let err = Error::at(ErrorKind::Usage, jitexpr::Span::new(0, arg.len()), format!("{what} is written twice"));
            return Err(Failure::in_expr(err, arg));
        }
        specs.push(spec);
    }
    Ok(specs)
}

/// On the command line an unknown variable is most likely a missing `-i`; say so
/// unless lowering already found a likely typo.
fn unknown_name_hint(err: Error) -> Error {
    let typo = err.help.as_deref().is_some_and(|h| h.contains("did you mean"));
    if err.kind != ErrorKind::Name || typo || !err.message.starts_with("unknown name") {
        return err;
    }
    let name = err.message.split('`').nth(1).unwrap_or("NAME").to_string();
    err.with_help(format!("give it a value with `-i {name}=...`"))
}

/// Write to stdout; a closed pipe is not an error.
fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::plain(Error::new(ErrorKind::Io, format!("cannot write to stdout: {e}")))),
    }
}
