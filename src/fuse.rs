//! Fusion: typed IR -> a plan of stages, each stage one kernel and one pass over
//! its data.
//!
//! Input: a [`Program`], the nodes requested as outputs, and whether to fuse.
//! Output: a [`Plan`]: stages in execution order. A [`Stage`] is a [`Kernel`] (a
//! small DAG of elementwise operations over *parameters*) plus the program nodes
//! it stores per element (`roots`) and the reductions it accumulates in the loop
//! (`reductions`): `sum(a*b)` is one stage whose loop multiplies and adds, with
//! no `a*b` array.
//!
//! With fusion on, the materialized values are the program inputs, reduction
//! results and what earlier stages stored (requested outputs): every other
//! elementwise node is recomputed inside the kernel that needs it. Nodes are
//! grouped by *reduction level* (how many reductions deep they are); the stage of
//! level `L` stores the requested outputs of level `L` and accumulates the
//! reductions of level `L + 1` (whose arguments are of level `L`). A stage
//! boundary therefore exists only where a value needs a reduction finished:
//! `e = exp(x - max(x)); e / sum(e)` is three passes (max; sum of the recomputed
//! `exp(x - max)`; the division), the fewest possible. A value an earlier stage
//! stored (a requested output) is read rather than recomputed: one load per
//! element, where recomputing costs at least one load of each of its inputs.
//! With fusion off every IR node is its own stage with a temporary (numexpr-less
//! NumPy), which isolates what fusion buys.
//!
//! Invariants:
//! - kernels are shape-free: shapes are known per evaluation, so one plan serves
//!   arrays of any shape (the executor splits a stage whose values have different
//!   shapes into one kernel per shape, with [`build_stage`]);
//! - constants are inlined into kernels; 0-d inputs are ordinary parameters (the
//!   executor loads them once), so their values never change a kernel;
//! - a kernel is canonical and program-independent (parameters by dtype, nodes by
//!   operation), so identical kernels from different programs share compiled code;
//! - a reduction's axis is not part of its kernel: how the loop meets the reduced
//!   axis is a layout chosen per evaluation (see [`crate::codegen::Layout`]).

use std::collections::hash_map::DefaultHasher;
use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use crate::ir::ops::ReduceOp;
use crate::ir::{Inst, NodeId, Op, Program};
use crate::types::DType;

/// How a plan groups elementwise nodes into kernels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fusion {
    /// Every elementwise node between reductions in one kernel.
    Fused,
    /// One stage per IR node, each value a temporary (`--no-fuse`).
    Unfused,
}

/// The stages that evaluate some outputs of a program, in execution order.
#[derive(Clone, Debug)]
pub struct Plan {
    pub stages: Vec<Stage>,
    /// The requested outputs, in request order (may repeat).
    pub outputs: Vec<NodeId>,
    /// Per program node: whether the outputs need it.
    pub needed: Vec<bool>,
    /// Per stage: the values no later stage reads and no output is, which the
    /// executor can free once the stage has run.
    pub release: Vec<Vec<NodeId>>,
    /// How the stages were cut.
    pub fusion: Fusion,
}

/// One kernel: reads `params`, stores `roots`, accumulates `reductions`.
#[derive(Clone, Debug)]
pub struct Stage {
    /// The program nodes this stage stores, in kernel output order.
    pub roots: Vec<NodeId>,
    /// The `Reduce` nodes this stage computes, in kernel reduction order.
    pub reductions: Vec<NodeId>,
    /// The materialized program values the kernel reads, in parameter order.
    pub params: Vec<NodeId>,
    pub kernel: Arc<Kernel>,
}

/// A canonical elementwise DAG: parameters, constants and operations, each node
/// reading earlier ones, the nodes stored per element and the reductions fed.
#[derive(Clone, Debug)]
pub struct Kernel {
    /// Parameter dtypes, in order.
    pub params: Vec<DType>,
    pub nodes: Vec<KNode>,
    /// Nodes stored, one output buffer each, in order.
    pub outputs: Vec<u32>,
    /// Reductions accumulated, one accumulator each, in order.
    pub reductions: Vec<KReduce>,
    /// Structural hash, computed once so cache look-ups cost one comparison.
    hash: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KNode {
    pub op: KOp,
    pub dtype: DType,
}

/// A reduction fed by a kernel: every element of node `arg` is combined into an
/// accumulator of that node's dtype (the IR gives a reduction the dtype of its
/// argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KReduce {
    pub op: ReduceOp,
    pub arg: u32,
}

/// A kernel operation: a parameter, or an elementwise [`Op`] whose operands
/// index earlier [`Kernel::nodes`]. A kernel holds no inputs and no
/// reductions: those reach it as parameters.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KOp {
    /// The `i`-th parameter (a materialized program value).
    Param(u32),
    Op(Op<u32>),
}

impl KOp {
    /// The kernel nodes this operation reads, in order (indices into
    /// [`Kernel::nodes`]).
    pub fn args(&self) -> Vec<usize> {
        match self {
            KOp::Param(_) => vec![],
            KOp::Op(op) => op.args().into_iter().map(|a| a as usize).collect(),
        }
    }
}

impl Kernel {
    pub(crate) fn new(params: Vec<DType>, nodes: Vec<KNode>, outputs: Vec<u32>, reductions: Vec<KReduce>) -> Kernel {
        let mut h = DefaultHasher::new();
        (&params, &nodes, &outputs, &reductions).hash(&mut h);
        Kernel { params, nodes, outputs, reductions, hash: h.finish() }
    }

    /// The dtype of reduction `r`'s accumulator.
    pub fn reduction_dtype(&self, r: usize) -> DType {
        self.nodes[self.reductions[r].arg as usize].dtype
    }
}

impl PartialEq for Kernel {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash
            && self.params == other.params
            && self.nodes == other.nodes
            && self.outputs == other.outputs
            && self.reductions == other.reductions
    }
}

impl Eq for Kernel {}

impl Hash for Kernel {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash)
    }
}

/// Plan the evaluation of `outputs` (program nodes) of `program`.
pub fn plan(program: &Program, outputs: &[NodeId], fusion: Fusion) -> Plan {
    let needed = needed_nodes(program, outputs);
    let stages = match fusion {
        Fusion::Fused => fused_stages(program, outputs, &needed),
        Fusion::Unfused => unfused_stages(program, &needed),
    };
    let release = release_points(program, &stages, outputs);
    Plan { stages, outputs: outputs.to_vec(), needed, release, fusion }
}

/// Whether a node is computed by kernels (rather than bound or reduced).
fn is_elementwise(program: &Program, id: NodeId) -> bool {
    match program.node(id).inst {
        Inst::Input(_) | Inst::Reduce { .. } => false,
        Inst::Op(_) => true,
    }
}

/// One stage per reduction level: the requested outputs of level `L` stored and
/// the reductions of level `L + 1` accumulated in the same loop.
fn fused_stages(program: &Program, outputs: &[NodeId], needed: &[bool]) -> Vec<Stage> {
    let levels = reduction_levels(program);
    let ids = || (0..program.nodes.len()).filter(|&i| needed[i]).map(|i| NodeId(i as u32));
    let max_level = ids().map(|id| levels[id.index()]).max().unwrap_or(0);
    let mut stored = vec![false; program.nodes.len()];
    let mut stages = Vec::new();
    for level in 0..=max_level {
        let mut roots: Vec<NodeId> =
            ids().filter(|&id| levels[id.index()] == level && is_elementwise(program, id)).collect();
        roots.retain(|r| outputs.contains(r));
        let reductions: Vec<NodeId> = ids()
            .filter(|&id| levels[id.index()] == level + 1 && !is_elementwise(program, id))
            .filter(|&id| matches!(program.node(id).inst, Inst::Reduce { .. }))
            .collect();
        if roots.is_empty() && reductions.is_empty() {
            continue;
        }
        // Inputs, finished reductions and values an earlier stage stored are
        // read; everything else is recomputed.
        let is_param = |id: NodeId| !is_elementwise(program, id) || stored[id.index()];
        let stage = build_stage(program, &roots, &reductions, is_param);
        let level_stages = if kernel_size(&stage.kernel) <= MAX_KERNEL_NODES {
            vec![stage]
        } else {
            split(program, &roots, &reductions, &stored)
        };
        for stage in level_stages {
            for r in &stage.roots {
                stored[r.index()] = true;
            }
            stages.push(stage);
        }
    }
    stages
}

/// The most nodes one kernel holds (parameters, constants and operations,
/// [`REDUCTION_SIZE`] per reduction). What a kernel keeps in its stack frame
/// (block buffers, spilled values, accumulator slots) and how deep code
/// generation walks it grow with its nodes, so this bounds both whatever the
/// size of the program: a larger level is split (see [`split`]). Programs this
/// large are rare; splitting one costs a store and a load per value crossing a
/// cut, next to hundreds of operations per element.
pub const MAX_KERNEL_NODES: usize = 512;

/// What a reduction counts against [`MAX_KERNEL_NODES`]: its accumulator slots
/// (at most 8, `codegen::accumulator_slots`), which a folding kernel carries in
/// registers, and the argument it reads.
const REDUCTION_SIZE: usize = 8;

fn kernel_size(kernel: &Kernel) -> usize {
    kernel.nodes.len() + REDUCTION_SIZE * kernel.reductions.len()
}

/// One reduction level as several stages of at most [`MAX_KERNEL_NODES`] each.
///
/// The level's operations are cut, in the post-order a kernel computes them in
/// (each operand before its reader, one subtree after the other), into runs
/// that fit; a run's stage stores the values later runs read (and the
/// requested outputs it computes), which later runs read as parameters. Cutting
/// the post-order keeps those crossings few: a chain of statements crosses
/// with one value, a balanced tree with at most its depth, like the values a
/// single kernel would keep live at that point.
fn split(program: &Program, roots: &[NodeId], reductions: &[NodeId], stored: &[bool]) -> Vec<Stage> {
    let len = program.nodes.len();
    let leaf = |id: NodeId| {
        !is_elementwise(program, id) || stored[id.index()] || matches!(program.node(id).inst, Inst::Op(Op::Const(_)))
    };
    let reduce_arg = |r: NodeId| match program.node(r).inst {
        Inst::Reduce { arg, .. } => arg,
        _ => unreachable!("stage reductions are Reduce nodes"),
    };
    // The level's work in post-order: operations, and each reduction after its argument.
    enum Item {
        Op(NodeId),
        Reduce(NodeId),
    }
    let mut items = Vec::new();
    let mut state = vec![0u8; len];
    let mut visit = |start: NodeId, items: &mut Vec<Item>| {
        let mut stack = vec![(start, false)];
        while let Some((id, done)) = stack.pop() {
            if done {
                state[id.index()] = 2;
                items.push(Item::Op(id));
                continue;
            }
            if leaf(id) || state[id.index()] != 0 {
                continue;
            }
            state[id.index()] = 1;
            stack.push((id, true));
            stack.extend(program.node(id).inst.args().into_iter().rev().map(|a| (a, false)));
        }
    };
    for &r in roots {
        visit(r, &mut items);
    }
    for &r in reductions {
        visit(reduce_arg(r), &mut items);
        items.push(Item::Reduce(r));
    }
    // Cut into runs: an item costs itself and each leaf it is the first in the
    // run to read (an argument from an earlier run is a parameter, a leaf).
    let mut run_of = vec![usize::MAX; len];
    let mut counted = vec![usize::MAX; len];
    let mut runs: Vec<(Vec<NodeId>, Vec<NodeId>)> = vec![(vec![], vec![])];
    let mut size = 0;
    for item in &items {
        let (own, args) = match *item {
            Item::Op(id) => (1, program.node(id).inst.args()),
            Item::Reduce(r) => (REDUCTION_SIZE, vec![reduce_arg(r)]),
        };
        let run = runs.len() - 1;
        let new_leaves = |run: usize, counted: &[usize]| {
            let mut fresh: Vec<NodeId> = args
                .iter()
                .copied()
                .filter(|&a| (leaf(a) || run_of[a.index()] < run) && counted[a.index()] != run)
                .collect();
            fresh.sort();
            fresh.dedup();
            fresh
        };
        let mut run = run;
        let mut fresh = new_leaves(run, &counted);
        if size > 0 && size + own + fresh.len() > MAX_KERNEL_NODES {
            runs.push((vec![], vec![]));
            run += 1;
            size = 0;
            fresh = new_leaves(run, &counted);
        }
        for a in &fresh {
            counted[a.index()] = run;
        }
        size += own + fresh.len();
        match *item {
            Item::Op(id) => {
                run_of[id.index()] = run;
                runs[run].0.push(id);
            }
            Item::Reduce(r) => runs[run].1.push(r),
        }
    }
    // A value is stored by its run when a later run reads it or it is requested.
    let mut crossing = vec![false; len];
    for item in &items {
        let (run, args) = match *item {
            Item::Op(id) => (run_of[id.index()], program.node(id).inst.args()),
            Item::Reduce(r) => {
                let run = runs.iter().position(|(_, rs)| rs.contains(&r)).expect("every reduction is in a run");
                (run, vec![reduce_arg(r)])
            }
        };
        for a in args {
            crossing[a.index()] |= run_of[a.index()] < run;
        }
    }
    let last = runs.len() - 1;
    let mut stages = Vec::new();
    for (run, (ops, reds)) in runs.iter().enumerate() {
        let mut stage_roots: Vec<NodeId> =
            ops.iter().copied().filter(|&id| crossing[id.index()] || roots.contains(&id)).collect();
        // Requested constants are no operation of any run: the last stores them.
        if run == last {
            stage_roots.extend(roots.iter().copied().filter(|&r| leaf(r)));
        }
        if stage_roots.is_empty() && reds.is_empty() {
            continue;
        }
        let is_param = |id: NodeId| !is_elementwise(program, id) || stored[id.index()] || run_of[id.index()] < run;
        stages.push(build_stage(program, &stage_roots, reds, is_param));
    }
    stages
}

/// One stage per needed node, in program order, each reading its arguments
/// from temporaries (constants are still inlined).
fn unfused_stages(program: &Program, needed: &[bool]) -> Vec<Stage> {
    let mut stages = Vec::new();
    for (i, node) in program.nodes.iter().enumerate() {
        let id = NodeId(i as u32);
        if !needed[i] {
            continue;
        }
        let is_param = |a: NodeId| a != id && !matches!(program.node(a).inst, Inst::Op(Op::Const(_)));
        match node.inst {
            Inst::Input(_) => {}
            Inst::Reduce { .. } => stages.push(build_stage(program, &[], &[id], is_param)),
            Inst::Op(_) => stages.push(build_stage(program, &[id], &[], is_param)),
        }
    }
    stages
}

/// For each stage, the materialized values whose last reader it is (outputs are
/// read at the end, so never released).
fn release_points(program: &Program, stages: &[Stage], outputs: &[NodeId]) -> Vec<Vec<NodeId>> {
    let mut last: Vec<Option<usize>> = vec![None; program.nodes.len()];
    for (i, stage) in stages.iter().enumerate() {
        for &p in &stage.params {
            last[p.index()] = Some(i);
        }
    }
    let mut release = vec![Vec::new(); stages.len()];
    for (id, stage) in last.iter().enumerate() {
        if let Some(i) = stage {
            if !outputs.contains(&NodeId(id as u32)) {
                release[*i].push(NodeId(id as u32));
            }
        }
    }
    release
}

/// Nodes the outputs depend on.
fn needed_nodes(program: &Program, outputs: &[NodeId]) -> Vec<bool> {
    crate::ir::reachable(&program.nodes, outputs)
}

/// For each node, how many reductions deep it is: elementwise nodes take the
/// maximum of their arguments, a reduction is one more than its argument. Nodes of
/// level `L` can be computed once the reductions of level `L` are finished.
fn reduction_levels(program: &Program) -> Vec<usize> {
    let mut levels = vec![0usize; program.nodes.len()];
    for (i, node) in program.nodes.iter().enumerate() {
        let args_max = node.inst.args().iter().map(|a| levels[a.index()]).max().unwrap_or(0);
        levels[i] = match node.inst {
            Inst::Reduce { .. } => args_max + 1,
            _ => args_max,
        };
    }
    levels
}

/// Build the kernel that stores `roots` and accumulates `reductions` (`Reduce`
/// nodes), reading nodes for which `is_param` holds as parameters and
/// recomputing everything else.
pub fn build_stage(
    program: &Program,
    roots: &[NodeId],
    reductions: &[NodeId],
    is_param: impl Fn(NodeId) -> bool,
) -> Stage {
    let reduce_arg = |id: NodeId| match program.node(id).inst {
        Inst::Reduce { arg, .. } => arg,
        _ => unreachable!("stage reductions are Reduce nodes"),
    };
    // Mark the nodes the roots and reduction arguments reach without passing
    // through a parameter; the arena is topologically ordered, so emitting marked
    // nodes by index is too.
    let mut reach = vec![false; program.nodes.len()];
    let mut stack: Vec<NodeId> = roots.iter().copied().chain(reductions.iter().map(|&r| reduce_arg(r))).collect();
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut reach[id.index()], true) {
            continue;
        }
        if !is_param(id) {
            stack.extend(program.node(id).inst.args());
        }
    }
    let mut map: Vec<u32> = vec![u32::MAX; program.nodes.len()];
    let mut nodes = Vec::new();
    let mut params = Vec::new();
    let mut param_dtypes = Vec::new();
    for (i, node) in program.nodes.iter().enumerate() {
        if !reach[i] {
            continue;
        }
        let id = NodeId(i as u32);
        let op = if is_param(id) {
            params.push(id);
            param_dtypes.push(node.dtype);
            KOp::Param(params.len() as u32 - 1)
        } else {
            match &node.inst {
                Inst::Input(_) | Inst::Reduce { .. } => {
                    unreachable!("inputs and reductions are always parameters of a kernel")
                }
                Inst::Op(op) => KOp::Op(op.map(|a| map[a.index()])),
            }
        };
        map[i] = nodes.len() as u32;
        nodes.push(KNode { op, dtype: node.dtype });
    }
    let outputs = roots.iter().map(|r| map[r.index()]).collect();
    let kreductions = reductions
        .iter()
        .map(|&r| match program.node(r).inst {
            Inst::Reduce { op, arg, .. } => KReduce { op, arg: map[arg.index()] },
            _ => unreachable!("stage reductions are Reduce nodes"),
        })
        .collect();
    Stage {
        roots: roots.to_vec(),
        reductions: reductions.to_vec(),
        params,
        kernel: Arc::new(Kernel::new(param_dtypes, nodes, outputs, kreductions)),
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, n) in self.nodes.iter().enumerate() {
            let s = match &n.op {
                KOp::Param(p) => format!("param {p}"),
                KOp::Op(op) => op.display(|a| format!("%{a}")),
            };
            writeln!(f, "    %{i}: {} = {s}", n.dtype)?;
        }
        if !self.outputs.is_empty() {
            let outs: Vec<String> = self.outputs.iter().map(|o| format!("%{o}")).collect();
            writeln!(f, "    store {}", outs.join(", "))?;
        }
        for (k, r) in self.reductions.iter().enumerate() {
            writeln!(f, "    accumulate {} %{} -> acc {k}", r.op.name(), r.arg)?;
        }
        Ok(())
    }
}

/// The `--emit fused` report: stages, what each fuses, what it reads, writes and
/// reduces, and why each boundary exists. `source` is the program text the
/// node spans point into (used to quote reductions).
pub fn print_plan(program: &Program, source: &str, plan: &Plan) -> String {
    let mut out = String::new();
    let mode = match plan.fusion {
        Fusion::Fused => "fused: one pass over the data per stage",
        Fusion::Unfused => "unfused: one stage per operation, each value a temporary",
    };
    let _ = writeln!(out, "plan: {} stage(s), {mode}", plan.stages.len());
    let names = Names { program, source };
    for (i, stage) in plan.stages.iter().enumerate() {
        print_stage(&mut out, &names, plan, i, stage);
    }
    out
}

/// How program values are called in reports.
struct Names<'a> {
    program: &'a Program,
    source: &'a str,
}

impl Names<'_> {
    /// An input's name, a reduction's source text, or `%id` (with any assigned
    /// names).
    fn value(&self, id: NodeId) -> String {
        let node = self.program.node(id);
        if let Inst::Input(k) = node.inst {
            return self.program.inputs[k].name.clone();
        }
        let quoted = match node.inst {
            Inst::Reduce { .. } => self.source.get(node.span.start..node.span.end).filter(|s| !s.is_empty()),
            _ => None,
        };
        let assigned: Vec<&str> =
            self.program.names.iter().filter(|(_, n)| *n == id).map(|(s, _)| s.as_str()).collect();
        match quoted {
            Some(text) => format!("`{text}`"),
            None if assigned.is_empty() => format!("%{}", id.0),
            None => format!("%{} = {}", id.0, assigned.join(" = ")),
        }
    }
}

fn print_stage(out: &mut String, names: &Names<'_>, plan: &Plan, i: usize, s: &Stage) {
    let program = names.program;
    let ops: Vec<&str> = s
        .kernel
        .nodes
        .iter()
        .filter_map(|n| match &n.op {
            KOp::Param(_) | KOp::Op(Op::Const(_)) => None,
            KOp::Op(Op::Unary(op, _)) => Some(op.name()),
            KOp::Op(Op::Binary(op, ..)) => Some(op.name()),
            KOp::Op(Op::Call(func, _)) => Some(func.info().name),
            KOp::Op(Op::Cast(_)) => Some(n.dtype.name()),
        })
        .collect();
    let fused =
        if ops.is_empty() { "no operations".to_string() } else { format!("{} op(s): {}", ops.len(), ops.join(" ")) };
    let reduces: Vec<&str> = s
        .reductions
        .iter()
        .map(|&r| match program.node(r).inst {
            Inst::Reduce { op, .. } => op.name(),
            _ => unreachable!("stage reductions are Reduce nodes"),
        })
        .collect();
    let acc = if reduces.is_empty() {
        String::new()
    } else {
        format!(", {} accumulator(s): {}", reduces.len(), reduces.join(" "))
    };
    let _ = writeln!(out, "stage {i}: one loop, {fused}{acc}");
    // Why the stage cannot run earlier: the finished reductions it reads.
    let needs: Vec<String> = s
        .params
        .iter()
        .filter_map(|&p| {
            let from = plan.stages[..i].iter().position(|t| t.reductions.contains(&p))?;
            Some(format!("{} (stage {from})", names.value(p)))
        })
        .collect();
    if !needs.is_empty() {
        let _ = writeln!(out, "  needs:   {}, known only once that loop has seen every element", needs.join(", "));
    }
    let reads: Vec<String> =
        s.params.iter().map(|&p| format!("{} {}", names.value(p), program.node(p).dtype)).collect();
    let _ = writeln!(out, "  reads:   {}", if reads.is_empty() { "nothing".into() } else { reads.join(", ") });
    for &r in &s.roots {
        let mut what = Vec::new();
        if plan.outputs.contains(&r) {
            what.push(if r == program.result { "result" } else { "output" });
        }
        if plan.stages[i + 1..].iter().any(|t| t.params.contains(&r)) {
            what.push("read by a later stage");
        }
        let _ = writeln!(out, "  writes:  {} {} ({})", names.value(r), program.node(r).dtype, what.join(", "));
    }
    for &r in &s.reductions {
        let Inst::Reduce { op, arg, axis } = program.node(r).inst else {
            unreachable!("stage reductions are Reduce nodes")
        };
        let over = axis.map_or("all axes".to_string(), |a| format!("axis {a}"));
        let how = if s.params.contains(&arg) {
            format!("of {}", names.value(arg))
        } else if s.roots.contains(&arg) {
            "of a value it also writes".to_string()
        } else {
            "of a value computed in the loop and never stored".to_string()
        };
        let _ =
            writeln!(out, "  reduces: {} {} over {over}: {} {how}", names.value(r), program.node(r).dtype, op.name());
    }
    let _ = write!(out, "{}", s.kernel);
}

#[cfg(test)]
mod tests {
    use crate::{DType, EvalConfig, Expr};
    use expect_test::{expect, Expect};

    /// The report for `source` on float64 inputs `x` and `a`, requesting the
    /// result and the assigned `names`.
    fn check(source: &str, names: &[&str], fuse: bool, expect: Expect) {
        let sig = [("x", DType::Float64), ("a", DType::Float64)];
        let compiled = Expr::parse(source).unwrap().compile(&sig).unwrap();
        let mut outputs = vec![None];
        outputs.extend(names.iter().map(|n| Some(*n)));
        let config = EvalConfig { fuse, ..EvalConfig::default() };
        expect.assert_eq(&compiled.emit_fused(&outputs, &config).unwrap());
    }

    #[test]
    fn softmax_is_three_passes_and_recomputes_the_exponential() {
        check(
            "e = exp(x - max(x)); e / sum(e)",
            &[],
            true,
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
    fn a_requested_reduction_argument_is_stored_once_and_read_later() {
        check(
            "e = exp(x - max(x)); e / sum(e)",
            &["e"],
            true,
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
                  writes:  %3 = e float64 (output, read by a later stage)
                  reduces: `sum(e)` float64 over all axes: sum of a value it also writes
                    %0: float64 = param 0
                    %1: float64 = param 1
                    %2: float64 = subtract %0, %1
                    %3: float64 = exp %2
                    store %3
                    accumulate sum %3 -> acc 0
                stage 2: one loop, 1 op(s): divide
                  needs:   `sum(e)` (stage 1), known only once that loop has seen every element
                  reads:   %3 = e float64, `sum(e)` float64
                  writes:  %5 float64 (result)
                    %0: float64 = param 0
                    %1: float64 = param 1
                    %2: float64 = divide %0, %1
                    store %2
            "#]],
        );
    }

    #[test]
    fn dot_product_is_one_pass_without_a_product_array() {
        check(
            "sum(x * a)",
            &[],
            true,
            expect![[r#"
                plan: 1 stage(s), fused: one pass over the data per stage
                stage 0: one loop, 1 op(s): multiply, 1 accumulator(s): sum
                  reads:   x float64, a float64
                  reduces: `sum(x * a)` float64 over all axes: sum of a value computed in the loop and never stored
                    %0: float64 = param 0
                    %1: float64 = param 1
                    %2: float64 = multiply %0, %1
                    accumulate sum %2 -> acc 0
            "#]],
        );
    }

    #[test]
    fn standardization_reduces_both_means_of_one_level_in_one_pass() {
        check(
            "(a - mean(a, axis=0)) / sqrt(mean((a - mean(a, axis=0))**2, axis=0))",
            &[],
            true,
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

    /// A level too large for one kernel is split into kernels that fit; a
    /// chain of statements crosses each cut with one value.
    #[test]
    fn a_level_past_the_node_limit_is_split_into_kernels_that_fit() {
        use super::{kernel_size, plan, Fusion, MAX_KERNEL_NODES};
        let source = format!("x = a; {}; sum(x)", vec!["x = sin(x)*0.5 + a"; 2000].join("; "));
        let compiled = Expr::parse(&source).unwrap().compile(&[("a", DType::Float64)]).unwrap();
        let program = compiled.program();
        let plan = plan(program, &[program.result], Fusion::Fused);
        assert!(plan.stages.len() > 1);
        for stage in &plan.stages {
            assert!(kernel_size(&stage.kernel) <= MAX_KERNEL_NODES, "{}", stage.kernel);
            assert!(stage.params.len() <= 2, "a and the value crossing the cut: {:?}", stage.params);
        }
        let last = plan.stages.last().expect("stages");
        assert_eq!((last.roots.len(), last.reductions.len()), (0, 1), "the sum is accumulated once, at the end");
    }

    #[test]
    fn unfused_plan_has_one_stage_per_node() {
        check(
            "e = exp(x - max(x)); e / sum(e)",
            &["e"],
            false,
            expect![[r#"
                plan: 5 stage(s), unfused: one stage per operation, each value a temporary
                stage 0: one loop, no operations, 1 accumulator(s): max
                  reads:   x float64
                  reduces: `max(x)` float64 over all axes: max of x
                    %0: float64 = param 0
                    accumulate max %0 -> acc 0
                stage 1: one loop, 1 op(s): subtract
                  needs:   `max(x)` (stage 0), known only once that loop has seen every element
                  reads:   x float64, `max(x)` float64
                  writes:  %2 float64 (read by a later stage)
                    %0: float64 = param 0
                    %1: float64 = param 1
                    %2: float64 = subtract %0, %1
                    store %2
                stage 2: one loop, 1 op(s): exp
                  reads:   %2 float64
                  writes:  %3 = e float64 (output, read by a later stage)
                    %0: float64 = param 0
                    %1: float64 = exp %0
                    store %1
                stage 3: one loop, no operations, 1 accumulator(s): sum
                  reads:   %3 = e float64
                  reduces: `sum(e)` float64 over all axes: sum of %3 = e
                    %0: float64 = param 0
                    accumulate sum %0 -> acc 0
                stage 4: one loop, 1 op(s): divide
                  needs:   `sum(e)` (stage 3), known only once that loop has seen every element
                  reads:   %3 = e float64, `sum(e)` float64
                  writes:  %5 float64 (result)
                    %0: float64 = param 0
                    %1: float64 = param 1
                    %2: float64 = divide %0, %1
                    store %2
            "#]],
        );
    }
}
