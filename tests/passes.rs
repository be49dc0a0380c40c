//! `Compiled::passes`: the dependent passes a distributed caller (the Dask
//! integration) runs. Chaining the passes on the interpreter gives the whole
//! program's result bit for bit; `mean` passes compute the sum.

use jitexpr::{Array, DType, Engine, EvalConfig, Expr};

fn interp() -> EvalConfig {
    EvalConfig { engine: Engine::Interp, ..EvalConfig::default() }
}

/// Run the passes in order, feeding each reduction's value to later passes as
/// `#k`, and return the result.
fn chained(src: &str, a: &Array) -> Array {
    let compiled = Expr::parse(src).unwrap().compile(&[("a", DType::Float64)]).unwrap();
    let passes = compiled.passes().unwrap();
    let mut values: Vec<(String, Array)> = vec![("a".to_string(), a.clone())];
    let run = |program: &jitexpr::Compiled, values: &[(String, Array)]| {
        let inputs: Vec<(&str, &Array)> = program
            .inputs()
            .map(|(n, _)| {
                let (_, v) = values.iter().find(|(m, _)| m == n).expect("an earlier pass made this input");
                (n, v)
            })
            .collect();
        program.eval_with(&inputs, &[None], &interp()).unwrap().pop().unwrap()
    };
    let mut last = None;
    for (k, pass) in passes.reductions.iter().enumerate() {
        assert_ne!(pass.op, "mean", "these programs have no mean");
        let v = run(&pass.program, &values);
        last = Some(v.clone());
        values.push((format!("#{k}"), v));
    }
    match &passes.finish {
        Some(finish) => run(finish, &values),
        None => last.expect("a program without a finishing pass has a reduction"),
    }
}

#[test]
fn chained_passes_equal_the_whole_program() {
    let a = Array::from_vec((0..24).map(|i| (i as f64 * 0.37).sin()).collect::<Vec<_>>()).reshape(vec![4, 6]).unwrap();
    for src in [
        "e = exp(a - max(a)); e / sum(e)",
        "sum(a - min(a, axis=0), axis=1)",
        "s = sum(a * a); sqrt(s) + max(a / sqrt(s))",
        "sum(a)",
        "a * 2",
    ] {
        let compiled = Expr::parse(src).unwrap().compile(&[("a", DType::Float64)]).unwrap();
        let whole = compiled.eval_with(&[("a", &a)], &[None], &interp()).unwrap().pop().unwrap();
        let parts = chained(src, &a);
        assert_eq!(parts.shape(), whole.shape(), "{src}");
        assert_eq!(format!("{parts:?}"), format!("{whole:?}"), "{src}");
    }
}

#[test]
fn softmax_is_three_passes_reading_earlier_values_as_inputs() {
    let compiled = Expr::parse("e = exp(a - max(a)); e / sum(e)").unwrap().compile(&[("a", DType::Float64)]).unwrap();
    let passes = compiled.passes().unwrap();
    let ops: Vec<_> = passes.reductions.iter().map(|r| (r.op, r.axis)).collect();
    assert_eq!(ops, [("max", None), ("sum", None)]);
    let names = |c: &jitexpr::Compiled| c.inputs().map(|(n, _)| n.to_string()).collect::<Vec<_>>();
    assert_eq!(names(&passes.reductions[1].program), ["a", "#0"]);
    assert_eq!(names(passes.finish.as_ref().unwrap()), ["a", "#0", "#1"]);
}

#[test]
fn mean_pass_computes_the_sum_in_the_accumulator_dtype() {
    let compiled = Expr::parse("mean(i, axis=0)").unwrap().compile(&[("i", DType::Int32)]).unwrap();
    let passes = compiled.passes().unwrap();
    assert!(passes.finish.is_none());
    let pass = &passes.reductions[0];
    assert_eq!((pass.op, pass.axis), ("mean", Some(0)));
    assert_eq!(pass.program.output_dtype(None), Some(DType::Float64));
    let i = Array::from_vec(vec![1i32, 2, 4]);
    let sum = pass.program.eval_with(&[("i", &i)], &[None], &interp()).unwrap().pop().unwrap();
    assert_eq!(format!("{sum:?}"), format!("{:?}", Array::from_vec(vec![7.0f64]).reshape(vec![]).unwrap()));
}
