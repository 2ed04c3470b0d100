// A small persistent thread pool for the kernels and the encoder's other parallel steps
// (LayerNorm, RoPE: loupe_parallel), so one team of threads runs a whole forward pass. Workers
// spin for a while after each job (a forward issues ~12 jobs per layer back to back, and a futex
// wake-up costs tens of microseconds), then sleep on a condition variable so an idle process
// burns no CPU. Spins are measured in time, not PAUSE instructions (whose latency differs
// several-fold between CPUs).
//
// A wait yields its core when another thread of the pool sits on the same core (issue 16's
// "query slow after large cases"): the scheduler places a woken worker on the waker's core
// whenever the other core looks busy, and then the caller and the worker take turns on one core.
// A worker that only spun would hold that core for its whole spin while the caller (whose next job
// it waits for) could not run: traced on the shared 2-core VM, ~10 such 100 µs stalls per forward
// pass. Every thread notes its core (sched_getcpu) while it waits; one that finds a pool thread on
// its own core yields to it. On separate cores nobody yields (a yield would hand the core to
// another process for up to a scheduler tick).
#define _GNU_SOURCE 1
#include "internal.h"
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 64
#define SPIN_NANOSECONDS 1000000  // a worker's polling for the next job before it sleeps (1 ms)
#define YIELD_AFTER_NS 2000       // a wait spins this long before it looks for a pool thread on its core

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint generation;     // bumped once per job
    atomic_int pending;         // workers still running the current job
    atomic_flag busy;           // a caller owns the pool
    atomic_int started;         // workers created so far (index 1 ... started); waiting workers read it
    int count;                  // participants in the current job (caller included)
    void (*fn)(void *, int, int);
    void *ctx;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, ATOMIC_FLAG_INIT, 0, 0, 0, 0};

static atomic_int configured_threads;  // 0 = not set yet

static void cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

// The core each pool thread last ran on while waiting or starting a part (index 0: the thread that
// published the current job); -1 = unknown.
static atomic_int cpu_of[MAX_THREADS];

static int shares_core(int index, int cpu) {
    int started = atomic_load_explicit(&pool.started, memory_order_relaxed);
    for (int j = 0; j <= started && j < MAX_THREADS; j++)
        if (j != index && atomic_load_explicit(&cpu_of[j], memory_order_relaxed) == cpu) return 1;
    return 0;
}

// One step of a wait by pool thread `index` that started at `start` (ns): PAUSE, and every 64 steps
// (~2 µs on Zen 4) look at the clock; past YIELD_AFTER_NS, yield if another pool thread is on this
// core. Returns 0 once `until` has passed (the caller of the wait decides what then), 1 otherwise.
static int wait_step(int index, int *steps, int64_t start, int64_t until) {
    cpu_relax();
    if ((++*steps & 63) != 0) return 1;
    int64_t t = now_ns();
    if (t >= until) return 0;
    int cpu = sched_getcpu();
    atomic_store_explicit(&cpu_of[index], cpu, memory_order_relaxed);
    if (t - start >= YIELD_AFTER_NS && shares_core(index, cpu)) sched_yield();
    return 1;
}

void loupe_pool_barrier(atomic_int *arrived, int count, int index) {
    atomic_fetch_add_explicit(arrived, 1, memory_order_acq_rel);
    int steps = 0;
    int64_t start = now_ns();
    while (atomic_load_explicit(arrived, memory_order_acquire) < count) wait_step(index, &steps, start, INT64_MAX);
}

// Generation each worker was created at: a worker that starts running only after the job that
// created it was published must still see that job as new.
static unsigned start_generation[MAX_THREADS];

static void *worker_main(void *arg) {
    int index = (int)(intptr_t)arg;
    unsigned seen = start_generation[index];
    for (;;) {
        unsigned g;
        int steps = 0;
        int64_t start = now_ns();
        while ((g = atomic_load_explicit(&pool.generation, memory_order_acquire)) == seen) {
            if (wait_step(index, &steps, start, start + SPIN_NANOSECONDS)) continue;
            atomic_store(&cpu_of[index], -1);
            pthread_mutex_lock(&pool.mu);
            while ((g = atomic_load(&pool.generation)) == seen) pthread_cond_wait(&pool.cv, &pool.mu);
            pthread_mutex_unlock(&pool.mu);
            break;
        }
        seen = g;
        atomic_store_explicit(&cpu_of[index], sched_getcpu(), memory_order_relaxed);
        if (index < pool.count) pool.fn(pool.ctx, index, pool.count);
        atomic_fetch_sub_explicit(&pool.pending, 1, memory_order_acq_rel);
    }
    return NULL;
}

void loupe_set_threads(int n) {
    if (n < 1) n = 1;
    if (n > MAX_THREADS) n = MAX_THREADS;
    atomic_store(&configured_threads, n);
}

int loupe_get_threads(void) {
    int n = atomic_load(&configured_threads);
    if (n > 0) return n;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    n = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
    return n;
}

void loupe_parallel(int count, void (*fn)(void *, int, int), void *ctx) { loupe_pool_run(count, fn, ctx); }

void loupe_pool_run(int count, void (*fn)(void *, int, int), void *ctx) {
    if (count <= 1 || atomic_flag_test_and_set(&pool.busy)) {
        fn(ctx, 0, 1);  // one part doing all the work (parts may wait for each other: loupe_pool_barrier)
        return;
    }
    if (count > MAX_THREADS) count = MAX_THREADS;
    while (pool.started < count - 1) {
        pthread_t t;
        start_generation[pool.started + 1] = atomic_load(&pool.generation);
        atomic_store(&cpu_of[pool.started + 1], -1);
        if (pthread_create(&t, NULL, worker_main, (void *)(intptr_t)(pool.started + 1)) != 0) break;
        pthread_detach(t);
        pool.started++;
    }
    if (count > pool.started + 1) count = pool.started + 1;
    pool.fn = fn; pool.ctx = ctx; pool.count = count;
    atomic_store_explicit(&cpu_of[0], sched_getcpu(), memory_order_relaxed);
    // Every started worker wakes for every job (those beyond `count` just acknowledge it).
    atomic_store(&pool.pending, pool.started);
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add_explicit(&pool.generation, 1, memory_order_release);
    pthread_cond_broadcast(&pool.cv);
    pthread_mutex_unlock(&pool.mu);
    fn(ctx, 0, count);
    int steps = 0;
    int64_t start = now_ns();
    while (atomic_load_explicit(&pool.pending, memory_order_acquire) > 0) wait_step(0, &steps, start, INT64_MAX);
    atomic_flag_clear(&pool.busy);
}

// Thread-local scratch buffers (slot 0: loupe_scratch, for the bodies; slot 1: loupe_scratch_bytes, for
// what a product keeps while its bodies run), grown on demand and kept for the thread's life; a
// pthread key frees them when the thread exits (GCD threads come and go).
typedef struct { void *p[2]; size_t bytes[2]; } scratch_set;
static _Thread_local scratch_set scratch;
static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *s) {
    scratch_set *set = s;
    free(set->p[0]);
    free(set->p[1]);
    set->p[0] = set->p[1] = NULL;
    set->bytes[0] = set->bytes[1] = 0;
}
static void scratch_key_init(void) { pthread_key_create(&scratch_key, scratch_free); }

static void *scratch_slot(int slot, size_t bytes) {
    if (bytes <= scratch.bytes[slot]) return scratch.p[slot];
    pthread_once(&scratch_once, scratch_key_init);
    free(scratch.p[slot]);
    size_t rounded = (bytes + 63) & ~(size_t)63;
    scratch.p[slot] = aligned_alloc(64, rounded);
    scratch.bytes[slot] = scratch.p[slot] ? rounded : 0;
    pthread_setspecific(scratch_key, &scratch);
    return scratch.p[slot];
}

float *loupe_scratch(size_t floats) { return scratch_slot(0, floats * sizeof(float)); }
void *loupe_scratch_bytes(size_t bytes) { return scratch_slot(1, bytes); }
