//! The roof of the comparison: each expression of the benchmark set as the loop a
//! Rust programmer would write by hand (f64 slices, std math, no temporaries),
//! compiled by rustc with `-C target-cpu=native` and run on a rayon pool.
//!
//! ```text
//! native-roof list                    the set: one `label<TAB>expression` per line
//! native-roof time DIR THREADS K[:SECONDS] [OUT_DIR]
//!     inputs DIR/{a,b,c}.npy (float64, 1-d, equal length); for every label and every
//!     thread count in THREADS (e.g. `1,2`): one warm-up, then REPEAT timed evaluations
//!     into a preallocated output; one JSON object per line. With OUT_DIR, each
//!     label's result (from the last thread count) is written to OUT_DIR/LABEL.npy.
//! native-roof once LABEL N THREADS
//!     generate the inputs LABEL reads (N elements each), evaluate once: for peak
//!     memory measurements.
//! native-roof peak-rss COMMAND [ARGS...]
//!     run COMMAND (stdout discarded) and print its peak resident set in bytes.
//! ```
//!
//! Why `peak-rss` is here: Linux counts the memory a child had before `exec` in its
//! `ru_maxrss`, so a child of a large process (the Python driver with NumPy, Numba
//! and matplotlib loaded) reports at least the parent's size. Started from this
//! small program instead, a command's peak is its own (plus this program's few MB,
//! which the driver's n = 1 baseline takes away).
//!
//! Timing follows `jitexpr bench`: `Instant` around each evaluation, median and min.

use std::fs;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use rayon::prelude::*;

/// Label, expression (as jitexpr, NumPy and numexpr spell it), the inputs it reads.
const SUITE: [(&str, &str, &str); 12] = [
    ("add", "a + b", "ab"),
    ("axpby", "2*a + 3*b", "ab"),
    ("fma", "a*b + c", "abc"),
    ("poly", "0.25*a**3 + 0.75*a**2 - 1.5*a - 2", "a"),
    ("trig", "sin(a)**2 + cos(b)**2", "ab"),
    ("gauss", "exp(-(a*a)/2)/sqrt(2*3.141592653589793)", "a"),
    ("norm3", "sqrt(a**2 + b**2 + c**2)", "abc"),
    ("where", "where(a > b, a - b, 0.0)", "ab"),
    ("softplus", "log(1 + exp(a))", "a"),
    ("tanh", "tanh(a)", "a"),
    ("pow", "a**2.5", "a"),
    ("dot", "sum(a*b)", "ab"),
];

/// Something to do with a kernel; [`dispatch`] hands it the label's loop body.
trait Job {
    type Out;
    /// An elementwise kernel: `out[i] = f(a[i], b[i], c[i])`.
    fn map<F: Fn(f64, f64, f64) -> f64 + Sync>(self, f: F) -> Self::Out;
    /// A sum: `sum_i f(a[i], b[i], c[i])`.
    fn sum<F: Fn(f64, f64, f64) -> f64 + Sync>(self, f: F) -> Self::Out;
}

/// Each expression written out by hand. Closures, not function pointers, so every
/// loop is compiled (and vectorized where it can be) for its own body.
fn dispatch<J: Job>(label: &str, job: J) -> Option<J::Out> {
    Some(match label {
        "add" => job.map(|a, b, _| a + b),
        "axpby" => job.map(|a, b, _| 2.0 * a + 3.0 * b),
        "fma" => job.map(|a, b, c| a * b + c),
        "poly" => job.map(|a, _, _| 0.25 * a * a * a + 0.75 * a * a - 1.5 * a - 2.0),
        "trig" => job.map(|a, b, _| {
            let (s, c) = (a.sin(), b.cos());
            s * s + c * c
        }),
        "gauss" => job.map(|a, _, _| (-(a * a) / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt()),
        "norm3" => job.map(|a, b, c| (a * a + b * b + c * c).sqrt()),
        "where" => job.map(|a, b, _| if a > b { a - b } else { 0.0 }),
        "softplus" => job.map(|a, _, _| (1.0 + a.exp()).ln()),
        "tanh" => job.map(|a, _, _| a.tanh()),
        "pow" => job.map(|a, _, _| a.powf(2.5)),
        "dot" => job.sum(|a, b, _| a * b),
        _ => return None,
    })
}

/// Below this many elements a kernel runs on the calling thread: waking the pool
/// would cost more than the loop.
const SERIAL_BELOW: usize = 32 * 1024;

/// Inputs, pool and how to time.
struct Ctx<'a> {
    a: &'a [f64],
    b: &'a [f64],
    c: &'a [f64],
    pool: &'a rayon::ThreadPool,
    threads: usize,
    repeat: usize,
    /// Seconds a timing keeps going after `repeat` calls (see [`time`]).
    min_time: f64,
}

impl Ctx<'_> {
    fn n(&self) -> usize {
        self.a.len()
    }

    /// Contiguous ranges, one per thread (at least [`SERIAL_BELOW`] elements each).
    fn chunk(&self) -> usize {
        self.n().div_ceil(self.threads).max(SERIAL_BELOW)
    }
}

fn map_serial<F: Fn(f64, f64, f64) -> f64>(a: &[f64], b: &[f64], c: &[f64], out: &mut [f64], f: &F) {
    for (((o, &x), &y), &z) in out.iter_mut().zip(a).zip(b).zip(c) {
        *o = f(x, y, z);
    }
}

/// Eight independent partial sums, as one writes a reduction that the compiler
/// may vectorize (a single accumulator serializes on the add latency).
fn sum_serial<F: Fn(f64, f64, f64) -> f64>(a: &[f64], b: &[f64], c: &[f64], f: &F) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb, cc) = (a.chunks_exact(8), b.chunks_exact(8), c.chunks_exact(8));
    let tail: f64 =
        ca.remainder().iter().zip(cb.remainder()).zip(cc.remainder()).map(|((&x, &y), &z)| f(x, y, z)).sum();
    for ((x, y), z) in ca.zip(cb).zip(cc) {
        for k in 0..8 {
            acc[k] += f(x[k], y[k], z[k]);
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Timings and the result of one kernel.
struct Timed {
    median: f64,
    min: f64,
    result: Vec<f64>,
}

impl Job for &Ctx<'_> {
    type Out = Timed;

    fn map<F: Fn(f64, f64, f64) -> f64 + Sync>(self, f: F) -> Timed {
        let mut out = vec![0.0; self.n()];
        let chunk = self.chunk();
        let (a, b, c) = (self.a, self.b, self.c);
        let (median, min) = time(self.repeat, self.min_time, || {
            if self.n() <= chunk {
                map_serial(a, b, c, &mut out, &f);
                return;
            }
            self.pool.install(|| {
                out.par_chunks_mut(chunk).enumerate().for_each(|(k, o)| {
                    let r = k * chunk..k * chunk + o.len();
                    map_serial(&a[r.clone()], &b[r.clone()], &c[r], o, &f);
                })
            });
        });
        Timed { median, min, result: out }
    }

    fn sum<F: Fn(f64, f64, f64) -> f64 + Sync>(self, f: F) -> Timed {
        let chunk = self.chunk();
        let (a, b, c) = (self.a, self.b, self.c);
        let mut total = 0.0;
        let (median, min) = time(self.repeat, self.min_time, || {
            if self.n() <= chunk {
                total = sum_serial(a, b, c, &f);
                return;
            }
            // Partial sums collected in order, then added: the same bits every run.
            let partials: Vec<f64> = self.pool.install(|| {
                (0..self.n().div_ceil(chunk))
                    .into_par_iter()
                    .map(|k| {
                        let r = k * chunk..((k + 1) * chunk).min(a.len());
                        sum_serial(&a[r.clone()], &b[r.clone()], &c[r], &f)
                    })
                    .collect()
            });
            total = partials.iter().sum();
        });
        Timed { median, min, result: vec![total] }
    }
}

/// One warm-up call, then `repeat` timed calls, and more until `min_time` seconds
/// are spent (at most 1,000,000 calls): (median, min) seconds.
fn time(repeat: usize, min_time: f64, mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut times: Vec<f64> = Vec::with_capacity(repeat);
    let mut spent = 0.0;
    while times.len() < repeat || (spent < min_time && times.len() < 1_000_000) {
        let start = Instant::now();
        f();
        let t = start.elapsed().as_secs_f64();
        times.push(t);
        spent += t;
    }
    if times.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    times.sort_by(f64::total_cmp);
    let mid = times.len() / 2;
    let median = if times.len() % 2 == 1 { times[mid] } else { (times[mid - 1] + times[mid]) / 2.0 };
    (median, times[0])
}

fn pool(threads: usize) -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().map_err(|e| format!("cannot start threads: {e}"))
}

fn time_all(dir: &Path, threads: &str, repeat: &str, out_dir: Option<&Path>) -> Result<(), String> {
    let load = |name: &str| npy::read(&dir.join(format!("{name}.npy")));
    let (a, b, c) = (load("a")?, load("b")?, load("c")?);
    if a.len() != b.len() || a.len() != c.len() {
        return Err("a, b and c must have the same length".into());
    }
    // `K` or `K:SECONDS` (K calls, then more until SECONDS are spent).
    let (count, secs) = repeat.split_once(':').unwrap_or((repeat, "0"));
    let repeat: usize = count.parse().map_err(|_| format!("bad repeat count `{count}`"))?;
    let min_time: f64 = secs.parse().map_err(|_| format!("bad number of seconds `{secs}`"))?;
    let threads: Vec<usize> = threads
        .split(',')
        .map(|t| t.parse().map_err(|_| format!("bad thread count `{t}`")))
        .collect::<Result<_, _>>()?;
    let pools: Vec<rayon::ThreadPool> = threads.iter().map(|&t| pool(t)).collect::<Result<_, _>>()?;
    for (label, _, _) in SUITE {
        for (k, (&t, pool)) in threads.iter().zip(&pools).enumerate() {
            let ctx = Ctx { a: &a, b: &b, c: &c, pool, threads: t, repeat, min_time };
            let timed = dispatch(label, &ctx).expect("every label of SUITE has a kernel");
            println!(
                r#"{{"label": "{label}", "n": {}, "threads": {t}, "median_s": {:e}, "min_s": {:e}}}"#,
                a.len(),
                timed.median,
                timed.min
            );
            if let (true, Some(out)) = (k + 1 == threads.len(), out_dir) {
                let shape: &[usize] = if label == "dot" { &[] } else { &[timed.result.len()] };
                npy::write(&out.join(format!("{label}.npy")), &timed.result, shape)?;
            }
        }
    }
    Ok(())
}

/// Evaluate `label` once on generated inputs (only those it reads are allocated).
fn once(label: &str, n: &str, threads: &str) -> Result<(), String> {
    let (_, _, reads) = SUITE.iter().find(|(l, _, _)| *l == label).ok_or_else(|| format!("unknown label `{label}`"))?;
    let n: usize = n.parse::<f64>().map(|v| v as usize).map_err(|_| format!("bad size `{n}`"))?;
    let threads: usize = threads.parse().map_err(|_| format!("bad thread count `{threads}`"))?;
    let gen = |name: char, seed: u64| -> Vec<f64> {
        if !reads.contains(name) {
            return Vec::new();
        }
        let mut state = seed;
        (0..n)
            .map(|_| {
                // SplitMix64: cheap, seeded, uniform in [0.1, 1.1).
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                0.1 + ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
            })
            .collect()
    };
    let (a, b, c) = (gen('a', 1), gen('b', 2), gen('c', 3));
    // Unread inputs are empty; the kernels zip, so give them the length of `a` by
    // pointing at `a` itself (no allocation).
    let b = if b.is_empty() { &a[..] } else { &b[..] };
    let c = if c.is_empty() { &a[..] } else { &c[..] };
    let pool = pool(threads)?;
    let ctx = Ctx { a: &a, b, c, pool: &pool, threads, repeat: 0, min_time: 0.0 };
    let timed = dispatch(label, &ctx).expect("every label of SUITE has a kernel");
    println!("{label}: {} elements, checksum {}", timed.result.len(), timed.result.iter().step_by(4096).sum::<f64>());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args[..] {
        ["list"] => {
            for (label, expr, _) in SUITE {
                println!("{label}\t{expr}");
            }
            Ok(())
        }
        ["time", dir, threads, repeat] => time_all(Path::new(dir), threads, repeat, None),
        ["time", dir, threads, repeat, out] => fs::create_dir_all(out)
            .map_err(|e| format!("cannot create {out}: {e}"))
            .and_then(|()| time_all(Path::new(dir), threads, repeat, Some(Path::new(out)))),
        ["once", label, n, threads] => once(label, n, threads),
        ["peak-rss", program, ref args @ ..] => peak_rss(program, args),
        _ => Err("usage: native-roof list | time DIR THREADS K[:SECONDS] [OUT_DIR] | once LABEL N THREADS \
                  | peak-rss COMMAND [ARGS...]"
            .into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Run one command and print the peak resident set of it (the only child waited for).
fn peak_rss(program: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if !status.success() {
        return Err(format!("{program} failed: {status}"));
    }
    // SAFETY: getrusage only writes the struct it is given, which is plain data.
    let usage = unsafe {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) != 0 {
            return Err("getrusage failed".into());
        }
        usage.assume_init()
    };
    // Linux reports kibibytes.
    println!("{}", usage.ru_maxrss * 1024);
    Ok(())
}

/// The little of the `.npy` format this needs: 1-d little-endian float64, C order.
mod npy {
    use std::fs;
    use std::path::Path;

    pub fn read(path: &Path) -> Result<Vec<f64>, String> {
        let bytes = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let bad = |what: &str| format!("{}: {what}", path.display());
        if bytes.len() < 10 || &bytes[..6] != b"\x93NUMPY" {
            return Err(bad("not a .npy file"));
        }
        let (len, start) = match bytes[6] {
            1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
            2 | 3 if bytes.len() >= 12 => (u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize, 12),
            _ => return Err(bad("unsupported .npy version")),
        };
        let header = bytes.get(start..start + len).ok_or_else(|| bad("truncated header"))?;
        let header = String::from_utf8_lossy(header);
        if !header.contains("'<f8'") || !header.contains("'fortran_order': False") {
            return Err(bad("expected little-endian float64 in C order"));
        }
        let data = &bytes[start + len..];
        if data.len() % 8 != 0 {
            return Err(bad("data is not a whole number of float64"));
        }
        Ok(data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
    }

    pub fn write(path: &Path, values: &[f64], shape: &[usize]) -> Result<(), String> {
        let shape = match shape {
            [] => "()".to_string(),
            [n] => format!("({n},)"),
            dims => format!("({})", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
        };
        let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
        // Pad so the data starts on a 64-byte boundary; the header ends in a newline.
        while (10 + header.len() + 1) % 64 != 0 {
            header.push(' ');
        }
        header.push('\n');
        let mut bytes = Vec::with_capacity(10 + header.len() + 8 * values.len());
        bytes.extend_from_slice(b"\x93NUMPY\x01\x00");
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        for v in values {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}
