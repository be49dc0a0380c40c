//! The parallel loop over a stage's tasks: the calling thread and `threads - 1`
//! rayon workers claim task indices from one atomic counter.
//!
//! Input: a task count and a function of the task index. Output: every task run
//! exactly once, on some thread of the team, before [`Team::for_each`] returns;
//! a panic in a task is re-raised on the caller after every claimed task ended.
//!
//! Why not `pool.install(|| (0..tasks).into_par_iter()...)`: measured on a 2-vCPU
//! KVM guest, a parallel region entered from outside the pool costs 10–25 µs
//! (waking a sleeping worker, then waking the blocked caller), against ~2.5 µs for
//! the same split when the caller works too — a quarter of the time of a whole
//! evaluation at n = 1e5. Here the caller starts on the tasks at once, so no task
//! waits for a worker to wake up; a worker that wakes late finds the counter
//! exhausted and leaves without touching anything else; the caller waits only for
//! tasks that were claimed (spinning briefly, then yielding: those are running).
//! Tasks are claimed one atomic add each (a task is thousands of elements); which
//! thread runs a task never changes what it computes.
//!
//! Each thread of the team first runs its own contiguous share of the tasks (the
//! caller the first, worker `i` of the rayon pool share `i + 1`), then helps with
//! what is left of the others'. An evaluation repeated in a loop so gives each
//! core the same part of the arrays every time, still in its L2 from the last
//! call, where one shared counter dealt the tasks out in a different order each
//! call; a worker that wakes late finds its share taken by the others.
//!
//! A worker that ran out of tasks watches for the next call for [`LINGER`] before
//! it returns to rayon (which would put it to sleep), as OpenMP runtimes spin: a
//! program evaluated in a loop finds its workers awake, not a futex wake-up
//! (tens of µs on a VM) away. A call counts the watching workers and enlists
//! rayon only for the rest.

use std::any::Any;
use std::collections::HashMap;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::diag::{Error, ErrorKind, Result};

/// How long a worker watches for the next call after running out of tasks.
const LINGER: Duration = Duration::from_micros(200);

/// The threads evaluations run on.
pub(super) struct Team {
    /// `threads - 1` workers; `None` for one thread.
    workers: Option<Arc<Workers>>,
    threads: usize,
}

/// A rayon pool and the board its lingering workers watch.
struct Workers {
    pool: rayon::ThreadPool,
    /// Bumped when a call posts its tasks in `current`.
    posted: AtomicU64,
    current: Mutex<Option<Arc<Shared>>>,
    /// Workers watching the board.
    watching: AtomicUsize,
}

impl Workers {
    /// Work on `shared`, then on calls posted while lingering, then return to rayon.
    fn serve(self: Arc<Self>, mut shared: Arc<Shared>) {
        loop {
            let seen = self.posted.load(Ordering::Acquire);
            // Worker `i` of the pool (the same thread from call to call) takes share `i + 1`.
            shared.work(rayon::current_thread_index().map_or(1, |i| i + 1));
            self.watching.fetch_add(1, Ordering::AcqRel);
            let start = Instant::now();
            let next = loop {
                if self.posted.load(Ordering::Acquire) != seen {
                    break self.current.lock().unwrap_or_else(|e| e.into_inner()).clone();
                }
                if start.elapsed() > LINGER {
                    break None;
                }
                std::hint::spin_loop();
            };
            self.watching.fetch_sub(1, Ordering::AcqRel);
            match next {
                Some(s) => shared = s,
                None => return,
            }
        }
    }
}

/// One thread's share of a call's tasks: `next..end` are left to claim.
#[repr(align(128))]
struct Share {
    next: AtomicUsize,
    end: usize,
}

/// One call's tasks, shared with the workers it enlisted.
struct Shared {
    /// One share per thread of the team, contiguous and in task order.
    shares: Box<[Share]>,
    done: AtomicUsize,
    /// The caller's task function, its lifetime erased (see `for_each`).
    job: *const (dyn Fn(usize) + Sync),
    panic: Mutex<Option<Box<dyn Any + Send>>>,
}

// SAFETY: `job` points to a `Sync` closure, called only while `for_each` keeps it
// alive (see there); the rest is atomics and a mutex.
unsafe impl Send for Shared {}
// SAFETY: as for `Send`: the closure is `Sync`, so workers may call it at once
// through shared references; the rest is atomics and a mutex.
unsafe impl Sync for Shared {}

impl Shared {
    /// Run tasks until none is left to claim: share `own` first, then the others.
    fn work(&self, own: usize) {
        let n = self.shares.len();
        for k in 0..n {
            let share = &self.shares[(own + k) % n];
            self.work_on(share);
        }
    }

    /// Run the tasks of `share` until none is left to claim.
    fn work_on(&self, share: &Share) {
        loop {
            let t = share.next.fetch_add(1, Ordering::Relaxed);
            if t >= share.end {
                return;
            }
            // SAFETY: task `t < tasks` was claimed, so `done` cannot reach `tasks`
            // (and `for_each` cannot return, ending the closure's borrow) before
            // this call returns and `done` counts it.
            let job = unsafe { &*self.job };
            if let Err(p) = panic::catch_unwind(AssertUnwindSafe(|| job(t))) {
                self.panic.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert(p);
            }
            // Release: the task's writes happen before the caller's acquire load.
            self.done.fetch_add(1, Ordering::Release);
        }
    }
}

impl Team {
    /// A team of `threads` (at least 1) threads, the caller included.
    pub(super) fn new(threads: usize) -> Result<Team> {
        let workers = if threads > 1 { Some(worker_pool(threads - 1)?) } else { None };
        Ok(Team { workers, threads })
    }

    pub(super) fn threads(&self) -> usize {
        self.threads
    }

    /// `f(0)`, ..., `f(tasks - 1)`, each once, on the team.
    pub(super) fn for_each(&self, tasks: usize, f: &(dyn Fn(usize) + Sync)) {
        let workers = match &self.workers {
            Some(w) if tasks > 1 => w,
            _ => return (0..tasks).for_each(f),
        };
        // SAFETY: (lifetime erasure) workers call `job` only for a task they
        // claimed, and this function returns only after every claimed task has
        // finished (`done == tasks` below), so `f` outlives every call. A worker
        // that starts after the counter ran out never calls it.
        let job: &'static (dyn Fn(usize) + Sync) =
            unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), &'static (dyn Fn(usize) + Sync)>(f) };
        let threads = self.threads;
        let shares = (0..threads)
            .map(|k| Share {
                next: AtomicUsize::new(share_start(tasks, threads, k)),
                end: share_start(tasks, threads, k + 1),
            })
            .collect();
        let shared = Arc::new(Shared { shares, done: AtomicUsize::new(0), job, panic: Mutex::new(None) });
        // Post the call for lingering workers, then enlist rayon for the others.
        *workers.current.lock().unwrap_or_else(|e| e.into_inner()) = Some(shared.clone());
        workers.posted.fetch_add(1, Ordering::AcqRel);
        let awake = workers.watching.load(Ordering::Acquire);
        for _ in 0..(self.threads - 1).min(tasks - 1).saturating_sub(awake) {
            let (w, shared) = (workers.clone(), shared.clone());
            workers.pool.spawn(move || w.serve(shared));
        }
        shared.work(0);
        let mut spins = 0u32;
        while shared.done.load(Ordering::Acquire) < tasks {
            spins += 1;
            if spins < 1 << 12 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        // The board keeps no call alive (a late worker would only find it done).
        workers.current.lock().unwrap_or_else(|e| e.into_inner()).take();
        let caught = shared.panic.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(p) = caught {
            panic::resume_unwind(p);
        }
    }

    /// `f(0), ..., f(tasks - 1)` on the team, results in task order.
    pub(super) fn map<R: Send>(&self, tasks: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
        let slots: Vec<Mutex<Option<R>>> = (0..tasks).map(|_| Mutex::new(None)).collect();
        self.for_each(tasks, &|t| *slots[t].lock().unwrap_or_else(|e| e.into_inner()) = Some(f(t)));
        slots
            .into_iter()
            .map(|s| s.into_inner().unwrap_or_else(|e| e.into_inner()).expect("for_each runs every task"))
            .collect()
    }
}

/// Where share `k` of `tasks` split among `threads` begins: shares differ by at
/// most one task, the larger first (no overflow for any count).
fn share_start(tasks: usize, threads: usize, k: usize) -> usize {
    k * (tasks / threads) + k.min(tasks % threads)
}

/// The stack of a worker thread. Workers run only tasks: exec's loops (a few
/// KiB of frames) and one kernel at a time, whose frame is bounded whatever
/// the program (block buffers at most `codegen::phases::BUFFER_BYTES`, 64 KiB,
/// and at most `fuse::MAX_KERNEL_NODES` spilled values), then vmath and
/// `semantics` leaf calls. 2 MiB is over ten times that; set here rather than
/// left to `RUST_MIN_STACK`, which could shrink it below what a kernel needs.
const WORKER_STACK: usize = 2 << 20;

/// A rayon pool of `workers` threads, built once per size and reused by every evaluation.
fn worker_pool(workers: usize) -> Result<Arc<Workers>> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<Workers>>>> = OnceLock::new();
    let mut pools = POOLS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = pools.get(&workers) {
        return Ok(p.clone());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .thread_name(|i| format!("jitexpr-{i}"))
        .stack_size(WORKER_STACK)
        .build()
        .map_err(|e| {
            Error::new(ErrorKind::Thread, format!("cannot start {workers} worker threads: {e}"))
                .with_help("ask for fewer with `--threads` (`EvalConfig::threads`)")
        })?;
    let pool =
        Arc::new(Workers { pool, posted: AtomicU64::new(0), current: Mutex::new(None), watching: AtomicUsize::new(0) });
    pools.insert(workers, pool.clone());
    Ok(pool)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn every_task_runs_once_on_any_team() {
        for threads in [1, 2, 3, 8] {
            let team = Team::new(threads).expect("a team");
            for tasks in [0, 1, 2, 7, 1000] {
                let runs: Vec<AtomicU64> = (0..tasks).map(|_| AtomicU64::new(0)).collect();
                team.for_each(tasks, &|t| {
                    runs[t].fetch_add(1, Ordering::Relaxed);
                });
                assert!(runs.iter().all(|r| r.load(Ordering::Relaxed) == 1), "{threads} threads, {tasks} tasks");
                assert_eq!(team.map(tasks, |t| t * 2), (0..tasks).map(|t| t * 2).collect::<Vec<_>>());
            }
        }
    }

    /// The shares cover the tasks in order, differ by at most one, and do not
    /// overflow for the largest counts.
    #[test]
    fn shares_split_the_tasks_evenly() {
        for (tasks, threads) in [(0, 2), (1, 2), (7, 2), (8, 2), (1000, 3), (5, 8), (usize::MAX, 1024)] {
            let starts: Vec<usize> = (0..=threads).map(|k| share_start(tasks, threads, k)).collect();
            assert_eq!((starts[0], starts[threads]), (0, tasks), "{tasks} tasks, {threads} threads");
            let sizes: Vec<usize> = starts.windows(2).map(|w| w[1] - w[0]).collect();
            let (lo, hi) = (sizes.iter().min().copied(), sizes.iter().max().copied());
            assert!(hi.zip(lo).is_some_and(|(h, l)| h - l <= 1), "{tasks} tasks, {threads} threads: {sizes:?}");
        }
    }

    #[test]
    fn a_panicking_task_panics_the_caller_after_the_others() {
        let team = Team::new(4).expect("a team");
        let ran = AtomicU64::new(0);
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            team.for_each(64, &|t| {
                ran.fetch_add(1, Ordering::Relaxed);
                assert!(t != 5, "task 5 fails");
            })
        }));
        assert!(result.is_err());
        assert_eq!(ran.load(Ordering::Relaxed), 64, "the other tasks still ran");
        // The team is usable afterwards.
        assert_eq!(team.map(3, |t| t), vec![0, 1, 2]);
    }
}
