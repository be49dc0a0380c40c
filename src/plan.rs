//! Planning: what the JIT runs for a program and a set of requested outputs.
//!
//! Input: a typed program, the requested output nodes, and the [`Modes`]
//! (fusion, optimization, math). Output: a [`Planned`] program, optimized for
//! those outputs ([`crate::ir::opt`]) and cut into stages of kernels
//! ([`crate::fuse`]). The
//! stages run in [`crate::exec`]; this module owns "optimize, then fuse" and
//! remembers the result per program ([`PlanMemo`]), so a repeated evaluation
//! neither optimizes nor plans again.

use std::sync::{Arc, Mutex};

use crate::fuse::{self, Fusion, Plan};
use crate::ir::opt::{self, Math, OptConfig};
use crate::ir::{NodeId, Program};

/// Whether the JIT runs the optimized program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Optimization {
    /// The program as lowered.
    Off,
    /// [`crate::ir::opt::optimize`]: rewrites bit-identical to the interpreter.
    Exact,
}

/// A program as the JIT runs it: optimized for the requested outputs (or not), and
/// its plan of stages over the (optimized) program's node ids.
#[derive(Debug)]
pub struct Planned {
    /// The program the plan's node ids refer to.
    pub program: Program,
    /// Its stages.
    pub plan: Plan,
}

/// What a plan depends on besides the program and the outputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Modes {
    pub fusion: Fusion,
    pub optimization: Optimization,
    /// [`Math::Fast`] plans the program [`fast_program`] rewrites, whatever the
    /// optimization mode: the rewrites are the mode's semantics, and the
    /// interpreter runs the same program.
    pub math: Math,
}

/// The program `--math fast` means, for these outputs: the optimizer with the
/// fast rewrites ([`OptConfig::fast`]). Every engine runs it (the interpreter
/// too). Returns the program and the outputs' ids in it.
pub fn fast_program(program: &Program, outputs: &[NodeId]) -> (Program, Vec<NodeId>) {
    let fast = opt::optimize_with(program, outputs, &OptConfig::fast());
    (fast.program, fast.outputs)
}

/// Rewrite for the math mode (or not), optimize (or not), then fuse.
pub fn plan(program: &Program, outputs: &[NodeId], modes: Modes) -> Planned {
    let fast;
    let (program, outputs) = match modes.math {
        Math::Exact => (program, outputs),
        Math::Fast => {
            fast = fast_program(program, outputs);
            (&fast.0, fast.1.as_slice())
        }
    };
    match modes.optimization {
        Optimization::Exact => {
            let opt = opt::optimize(program, outputs);
            let plan = fuse::plan(&opt.program, &opt.outputs, modes.fusion);
            Planned { program: opt.program, plan }
        }
        Optimization::Off => Planned { program: program.clone(), plan: fuse::plan(program, outputs, modes.fusion) },
    }
}

/// What a plan depends on besides the program.
#[derive(Clone, Debug, PartialEq, Eq)]
struct PlanKey {
    outputs: Vec<NodeId>,
    modes: Modes,
}

/// Plans already made for a program, by requested outputs and modes. Cloning gives an empty memo.
#[derive(Default)]
pub struct PlanMemo(Mutex<Vec<(PlanKey, Arc<Planned>)>>);

impl PlanMemo {
    /// How many plans one program keeps (distinct output requests are few).
    const CAPACITY: usize = 16;

    /// The plan for these outputs and modes, made on first request.
    pub fn get(&self, program: &Program, outputs: &[NodeId], modes: Modes) -> Arc<Planned> {
        let key = PlanKey { outputs: outputs.to_vec(), modes };
        let mut plans = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, p)) = plans.iter().find(|(k, _)| *k == key) {
            return p.clone();
        }
        let planned = Arc::new(plan(program, outputs, modes));
        if plans.len() == Self::CAPACITY {
            plans.remove(0);
        }
        plans.push((key, planned.clone()));
        planned
    }
}

impl Clone for PlanMemo {
    fn clone(&self) -> Self {
        PlanMemo::default()
    }
}

impl std::fmt::Debug for PlanMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PlanMemo({})", self.0.lock().map(|p| p.len()).unwrap_or(0))
    }
}
