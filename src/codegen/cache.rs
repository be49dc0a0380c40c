//! The kernel cache: compiled kernels by (kernel structure, parameter layouts).
//!
//! Input: a fused [`Kernel`] (which already encodes the operations, the
//! parameter and output dtypes and the constants) and the layout of each
//! parameter. Output: a shared [`CompiledKernel`], compiled on a miss.
//!
//! Invariants:
//! - bounded: at most `capacity` kernels are kept; the least recently used is
//!   evicted, and its JIT memory is freed as soon as no evaluation still holds it
//!   (kernels are `Arc`s, so an eviction during a running evaluation is safe);
//! - compilation happens outside the lock, so threads compiling different kernels
//!   do not wait for each other (two threads missing on the same key may both
//!   compile; the first insertion wins and the other copy is dropped).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use super::{compile, Backend, CodegenOptions, CompiledKernel, Layout};
use crate::diag::Result;
use crate::fuse::Kernel;

/// A bounded LRU cache of compiled kernels, shareable between threads.
///
/// Evaluations use [`KernelCache::shared`] unless their
/// [`EvalConfig`](crate::EvalConfig) names another cache.
pub struct KernelCache {
    inner: Mutex<Inner>,
    options: CodegenOptions,
}

/// Counters since the cache was created (or last cleared).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Lookups that found a compiled kernel.
    pub hits: u64,
    /// Lookups that compiled one.
    pub misses: u64,
    /// Kernels dropped to stay within the capacity.
    pub evictions: u64,
    /// Kernels currently held.
    pub len: usize,
    /// The most kernels kept.
    pub capacity: usize,
}

struct Inner {
    /// Buckets by hash of (kernel, layouts); a bucket holds the (rare) collisions.
    buckets: HashMap<u64, Vec<Entry>>,
    len: usize,
    capacity: usize,
    clock: u64,
    stats: CacheStats,
}

struct Entry {
    kernel: Arc<Kernel>,
    layouts: Box<[Layout]>,
    compiled: Arc<CompiledKernel>,
    last_used: u64,
}

impl KernelCache {
    /// The capacity of [`KernelCache::shared`].
    pub const DEFAULT_CAPACITY: usize = 1024;

    /// An empty cache holding at most `capacity` kernels (0: compile every time).
    pub fn new(capacity: usize) -> KernelCache {
        KernelCache::with_options(capacity, CodegenOptions::default())
    }

    /// An empty cache whose kernels are compiled by `backend` (the default,
    /// [`Backend::from_env`], is [`Backend::Auto`] unless `JITEXPR_BACKEND` names
    /// `cranelift`, `avx2` or `avx512`). Every backend gives the same bits; this is
    /// how tests and benchmarks compare them.
    ///
    /// ```
    /// use jitexpr::{Backend, EvalConfig, Expr, DType, KernelCache};
    /// use std::sync::Arc;
    /// let cache = Arc::new(KernelCache::with_backend(16, Backend::Cranelift));
    /// let config = EvalConfig { cache: Some(cache), ..EvalConfig::default() };
    /// let c = Expr::parse("a * 2").unwrap().compile(&[("a", DType::Float64)]).unwrap();
    /// let a = jitexpr::Array::from_vec(vec![1.0f64, 2.0]);
    /// let out = c.eval_with(&[("a", &a)], &[None], &config).unwrap();
    /// assert_eq!(out[0].data(), &jitexpr::Data::Float64(vec![2.0, 4.0]));
    /// ```
    pub fn with_backend(capacity: usize, backend: Backend) -> KernelCache {
        KernelCache::with_options(capacity, CodegenOptions { backend, ..CodegenOptions::default() })
    }

    pub(crate) fn with_options(capacity: usize, options: CodegenOptions) -> KernelCache {
        let inner = Inner { buckets: HashMap::new(), len: 0, capacity, clock: 0, stats: CacheStats::default() };
        KernelCache { inner: Mutex::new(inner), options }
    }

    /// The process-wide cache used when a configuration names none.
    pub fn shared() -> Arc<KernelCache> {
        static SHARED: OnceLock<Arc<KernelCache>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(KernelCache::new(KernelCache::DEFAULT_CAPACITY))).clone()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the map inconsistent
        // (every mutation is a single insert or remove), so keep going.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The compiled kernel for `kernel` with these parameter layouts.
    pub(crate) fn get_or_compile(&self, kernel: &Arc<Kernel>, layouts: &[Layout]) -> Result<Arc<CompiledKernel>> {
        let hash = key_hash(kernel, layouts);
        if let Some(hit) = self.lock().lookup(hash, kernel, layouts) {
            return Ok(hit);
        }
        let compiled = Arc::new(compile(kernel, layouts, self.options)?);
        let (compiled, evicted) = self.lock().insert(hash, kernel, layouts, compiled);
        // Free evicted code outside the lock (munmap is a system call).
        drop(evicted);
        Ok(compiled)
    }

    /// Change the capacity, evicting least recently used kernels if needed.
    pub fn set_capacity(&self, capacity: usize) {
        let evicted = {
            let mut inner = self.lock();
            inner.capacity = capacity;
            inner.stats.capacity = capacity;
            inner.evict_to(capacity)
        };
        drop(evicted);
    }

    /// The most kernels kept.
    pub fn capacity(&self) -> usize {
        self.lock().capacity
    }

    /// The kernels kept now.
    pub fn len(&self) -> usize {
        self.lock().len
    }

    /// Whether no kernel is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drop every kernel (their memory is freed once no evaluation uses them)
    /// and reset the counters.
    pub fn clear(&self) {
        let old = {
            let mut inner = self.lock();
            inner.len = 0;
            inner.stats = CacheStats { capacity: inner.capacity, ..CacheStats::default() };
            std::mem::take(&mut inner.buckets)
        };
        drop(old);
    }

    /// Counters since creation (or the last [`KernelCache::clear`]) and the current size.
    pub fn stats(&self) -> CacheStats {
        let inner = self.lock();
        CacheStats { len: inner.len, capacity: inner.capacity, ..inner.stats }
    }
}

impl std::fmt::Debug for KernelCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KernelCache").field("stats", &self.stats()).finish()
    }
}

fn key_hash(kernel: &Kernel, layouts: &[Layout]) -> u64 {
    let mut h = DefaultHasher::new();
    kernel.hash(&mut h);
    layouts.hash(&mut h);
    h.finish()
}

impl Inner {
    fn lookup(&mut self, hash: u64, kernel: &Arc<Kernel>, layouts: &[Layout]) -> Option<Arc<CompiledKernel>> {
        self.clock += 1;
        let clock = self.clock;
        let found = self.buckets.get_mut(&hash).and_then(|bucket| {
            bucket
                .iter_mut()
                .find(|e| (Arc::ptr_eq(&e.kernel, kernel) || e.kernel == *kernel) && *e.layouts == *layouts)
        });
        match found {
            Some(e) => {
                e.last_used = clock;
                self.stats.hits += 1;
                Some(e.compiled.clone())
            }
            None => {
                self.stats.misses += 1;
                None
            }
        }
    }

    /// Insert a freshly compiled kernel (or return the one another thread
    /// inserted meanwhile); returns it and hands evicted kernels to the caller to
    /// drop outside the lock.
    fn insert(
        &mut self,
        hash: u64,
        kernel: &Arc<Kernel>,
        layouts: &[Layout],
        compiled: Arc<CompiledKernel>,
    ) -> (Arc<CompiledKernel>, Vec<Entry>) {
        if self.capacity == 0 {
            return (compiled, Vec::new());
        }
        self.clock += 1;
        let bucket = self.buckets.entry(hash).or_default();
        if let Some(e) = bucket.iter().find(|e| *e.kernel == **kernel && *e.layouts == *layouts) {
            return (e.compiled.clone(), Vec::new());
        }
        bucket.push(Entry {
            kernel: kernel.clone(),
            layouts: layouts.into(),
            compiled: compiled.clone(),
            last_used: self.clock,
        });
        self.len += 1;
        let capacity = self.capacity;
        (compiled, self.evict_to(capacity))
    }

    /// Remove least recently used entries until at most `capacity` remain.
    fn evict_to(&mut self, capacity: usize) -> Vec<Entry> {
        let mut evicted = Vec::new();
        while self.len > capacity {
            let oldest = self
                .buckets
                .iter()
                .flat_map(|(h, b)| b.iter().enumerate().map(move |(i, e)| (e.last_used, *h, i)))
                .min()
                .expect("a non-empty cache has an oldest entry");
            let bucket = self.buckets.get_mut(&oldest.1).expect("the oldest entry's bucket exists");
            evicted.push(bucket.swap_remove(oldest.2));
            if bucket.is_empty() {
                self.buckets.remove(&oldest.1);
            }
            self.len -= 1;
            self.stats.evictions += 1;
        }
        evicted
    }
}
