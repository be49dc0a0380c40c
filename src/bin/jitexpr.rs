//! The `jitexpr` command line: `main -> try_main -> one function per subcommand`
//! (`eval`, `bench`).
//!
//! Exit codes: 0 success; 2 any user error (bad expression, input, file, flag,
//! a documented limit, not enough memory or threads), printed as `error: ...` with
//! a caret under the offending text; 1 an internal error (a bug: a panic, or an
//! [`ErrorKind::Internal`] error), printed with a request to report it. A closed
//! stdout (`jitexpr ... | head`) is not an error.

use clap::{Parser, Subcommand, ValueEnum};
use jitexpr::{bench, npy, repr, Array, Compiled, DType, Engine, Error, ErrorKind, EvalConfig, Expr};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Print a stage's dump instead of evaluating.
    #[arg(long, value_enum, value_name = "STAGE")]
    emit: Option<Emit>,
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
    /// An input instead of a random array, in any form `eval` takes (NAME=FILE.npy, NAME=random(N), ...).
    #[arg(short = 'i', long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
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

fn parse_count(text: &str) -> Result<usize, String> {
    jitexpr::bench::parse_count(text).map_err(|e| e.message)
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
    /// The optimized IR and every rewrite that fired.
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
            let tokens = jitexpr::syntax::lex(&args.expr).map_err(|e| Failure::in_expr(e, &args.expr))?;
            return print_stdout(&jitexpr::syntax::token::dump_tokens(&tokens));
        }
        Some(Emit::Ast) => return print_stdout(&expr.ast().to_string()),
        Some(Emit::Ir | Emit::Opt | Emit::Fused | Emit::Clif | Emit::Asm) | None => {}
    }
    let config = eval_config(&args)?;
    let inputs = load_inputs(&args.inputs)?;
    let outputs = parse_outputs(&args.outputs)?;
    let sig: Vec<(&str, DType)> = inputs.iter().map(|(n, a)| (n.as_str(), a.dtype())).collect();
    let compiled = expr.compile(&sig).map_err(|e| Failure::in_expr(unknown_name_hint(e), &args.expr))?;
    let wanted = wanted_outputs(&outputs);
    let emitted = match args.emit {
        Some(Emit::Ir) => Some(compiled.program().to_string()),
        Some(Emit::Opt) => Some(compiled.emit_opt(&wanted).map_err(Failure::plain)?),
        Some(Emit::Fused) => Some(compiled.emit_fused(&wanted, &config).map_err(Failure::plain)?),
        Some(Emit::Clif) => Some(compiled.emit_clif(&wanted, &config).map_err(Failure::plain)?),
        Some(Emit::Asm) => Some(compiled.emit_asm(&wanted, &config).map_err(Failure::plain)?),
        Some(Emit::Tokens | Emit::Ast) | None => None,
    };
    match emitted {
        Some(text) => print_stdout(&text),
        None => run(&compiled, &inputs, &outputs, &config),
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
    let config = bench::BenchConfig { n: args.n, dtype: args.dtype.dtype(), threads, repeat: args.repeat };
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
        ..EvalConfig::default()
    };
    // Refused at once, whichever engine runs.
    jitexpr::exec::requested_threads(&config).map_err(Failure::plain)?;
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
        Some(array) => print_stdout(&format!("{}\n", repr::repr(&array))),
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
            Some((name, path)) if is_identifier(name) => OutputSpec { name: Some(name.to_string()), path: path.into() },
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

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
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
