//! Reductions through the `jitexpr` binary as a new user would run them: a
//! softmax, a standardization and a dot product on `.npy` files, against values
//! NumPy 2.4 computed from the same inputs, and the fusion report explaining
//! what ran.

use expect_test::{expect, Expect};
use jitexpr::{npy, Array};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn jitexpr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jitexpr")).args(args).output().expect("the jitexpr binary runs")
}

/// A fresh path in a per-process scratch directory; unique per call, since the
/// tests run in parallel threads of one process.
fn scratch(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!("jitexpr-cli-reduce-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir.join(format!("{}-{name}", NEXT.fetch_add(1, Ordering::Relaxed)))
}

/// `((i*37) % 11 - 5) * 0.25 + i * 0.01`, the same expression the NumPy side used.
fn values(n: usize) -> Vec<f64> {
    (0..n).map(|i| ((i * 37 % 11) as f64 - 5.0) * 0.25 + i as f64 * 0.01).collect()
}

/// Write `a` to a scratch `.npy` file and return the `-i` argument naming it.
fn input(name: &str, a: &Array) -> String {
    let path = scratch(&format!("{name}.npy"));
    npy::write_file(&path, a).expect("scratch .npy");
    format!("{name}={}", path.display())
}

/// Evaluate `expr` with `flags`, writing the result to a `.npy` file, and read it.
fn eval(expr: &str, inputs: &[String], flags: &[&str], out: &str) -> Array {
    let path = scratch(out);
    let mut args = vec!["eval", expr];
    for i in inputs {
        args.extend(["-i", i.as_str()]);
    }
    args.extend(flags);
    args.extend(["-o", path.to_str().expect("utf-8 scratch path")]);
    let run = jitexpr(&args);
    assert!(run.status.success(), "{args:?}: {}", String::from_utf8_lossy(&run.stderr));
    npy::read_file(&path).expect("the result file")
}

/// Every engine configuration a user can pick.
const FLAGS: [&[&str]; 5] =
    [&[], &["--threads", "1"], &["--threads", "2"], &["--no-fuse", "--threads", "2"], &["--engine", "interp"]];

fn check_values(expr: &str, inputs: &[String], shape: &[usize], numpy: &[f64]) {
    for (k, flags) in FLAGS.iter().enumerate() {
        let got = eval(expr, inputs, flags, &format!("out{k}.npy"));
        assert_eq!(got.shape(), shape, "{flags:?}");
        let got = got.as_slice::<f64>().expect("float64 result");
        for (g, w) in got.iter().zip(numpy) {
            assert!((g - w).abs() <= 1e-14 * w.abs().max(1.0), "{expr} {flags:?}: {g} vs NumPy {w}");
        }
    }
}

#[test]
fn softmax_matches_numpy() {
    let x = input("x", &Array::from_vec(values(12)));
    let numpy = [
        0.017933697908079773,
        0.04923877917943058,
        0.1351900420932384,
        0.02372861034763388,
        0.06514929665540448,
        0.17887397502471675,
        0.03139603175629297,
        0.08620097665758134,
        0.23667348900650484,
        0.04154102560584413,
        0.11405508206824937,
        0.020018993697023594,
    ];
    check_values("e = exp(x - max(x)); e / sum(e)", &[x], &[12], &numpy);
}

#[test]
fn standardization_matches_numpy() {
    let a = input("a", &Array::from_vec(values(24)).reshape(vec![6, 4]).unwrap());
    let numpy = [
        -1.5782694396647334,
        -0.7199518186871781,
        1.2111764467448216,
        -1.0860384267695316,
        -0.11529872553239366,
        1.2352857520632636,
        -0.7536209001967777,
        0.4150218273726424,
        1.3476719885999464,
        -0.9776187853752208,
        0.9823986734707997,
        -1.2838525687882676,
        -0.30809331576688803,
        0.9776187853752208,
        -0.9823986734707997,
        0.21720768535390628,
        1.1548773983654517,
        -1.2352857520632634,
        0.7536209001967779,
        1.7182679394960803,
        -0.5008879060013826,
        0.7199518186871781,
        -1.2111764467448216,
        0.01939354333517021,
    ];
    let expr = "(a - mean(a, axis=0)) / sqrt(mean((a - mean(a, axis=0))**2, axis=0))";
    check_values(expr, &[a], &[6, 4], &numpy);
}

#[test]
fn dot_product_matches_numpy() {
    let p = input("p", &Array::from_vec(values(1000)));
    let q: Vec<f64> = (0..1000).map(|i| ((i * 13 % 7) as f64 - 3.0) * 0.5 + i as f64 * 0.001).collect();
    let q = input("q", &Array::from_vec(q));
    // np.dot(p, q) and np.sum(p * q) (which differ in the last bit).
    check_values("sum(p * q)", &[p, q], &[], &[3334.3309999999997]);
}

fn check_report(args: &[&str], expect: Expect) {
    let out = jitexpr(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    expect.assert_eq(&String::from_utf8_lossy(&out.stdout));
}

#[test]
fn fusion_report_explains_the_softmax() {
    check_report(
        &["eval", "e = exp(x - max(x)); e / sum(e)", "-i", "x=linspace(0, 1, 5)", "--emit", "fused"],
        expect![[r#"
            plan: 3 stage(s), fused: one pass over the data per stage
            stage 0: one loop, no operations, 1 accumulator(s): max
              reads:   x float64
              reduces: `max(x)` float64 over all axes: max of x
                %0: float64 = param 0
                accumulate max %0 -> acc 0
            stage 1: one loop, 2 op(s): subtract exp, 1 accumulator(s): sum
              needs:   `max(x)` (stage 0), known only once that loop has seen every element
              reads:   x float64, `max(x)` float64
              reduces: `sum(e)` float64 over all axes: sum of a value computed in the loop and never stored
                %0: float64 = param 0
                %1: float64 = param 1
                %2: float64 = subtract %0, %1
                %3: float64 = exp %2
                accumulate sum %3 -> acc 0
            stage 2: one loop, 3 op(s): subtract exp divide
              needs:   `max(x)` (stage 0), `sum(e)` (stage 1), known only once that loop has seen every element
              reads:   x float64, `max(x)` float64, `sum(e)` float64
              writes:  %5 float64 (result)
                %0: float64 = param 0
                %1: float64 = param 1
                %2: float64 = subtract %0, %1
                %3: float64 = exp %2
                %4: float64 = param 2
                %5: float64 = divide %3, %4
                store %5
        "#]],
    );
}

#[test]
fn fusion_report_explains_the_standardization() {
    let expr = "(a - mean(a, axis=0)) / sqrt(mean((a - mean(a, axis=0))**2, axis=0))";
    check_report(
        &["eval", expr, "-i", "a=random(12, 1)", "--emit", "fused"],
        expect![[r#"
            plan: 3 stage(s), fused: one pass over the data per stage
            stage 0: one loop, no operations, 1 accumulator(s): mean
              reads:   a float64
              reduces: `mean(a, axis=0)` float64 over axis 0: mean of a
                %0: float64 = param 0
                accumulate mean %0 -> acc 0
            stage 1: one loop, 2 op(s): subtract multiply, 1 accumulator(s): mean
              needs:   `mean(a, axis=0)` (stage 0), known only once that loop has seen every element
              reads:   a float64, `mean(a, axis=0)` float64
              reduces: `mean((a - mean(a, axis=0))**2, axis=0)` float64 over axis 0: mean of a value computed in the loop and never stored
                %0: float64 = param 0
                %1: float64 = param 1
                %2: float64 = subtract %0, %1
                %3: float64 = multiply %2, %2
                accumulate mean %3 -> acc 0
            stage 2: one loop, 3 op(s): subtract sqrt divide
              needs:   `mean(a, axis=0)` (stage 0), `mean((a - mean(a, axis=0))**2, axis=0)` (stage 1), known only once that loop has seen every element
              reads:   a float64, `mean(a, axis=0)` float64, `mean((a - mean(a, axis=0))**2, axis=0)` float64
              writes:  %6 float64 (result)
                %0: float64 = param 0
                %1: float64 = param 1
                %2: float64 = subtract %0, %1
                %3: float64 = param 2
                %4: float64 = sqrt %3
                %5: float64 = divide %2, %4
                store %5
        "#]],
    );
}
