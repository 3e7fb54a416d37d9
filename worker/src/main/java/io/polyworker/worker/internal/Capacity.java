package io.polyworker.worker.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Counts the jobs a subscription holds on one engine (fetching, queued, running or reporting)
 * against its limit. The poller reserves free slots before it fetches, so the engine is never asked
 * for more jobs than can run, and waits until at least a threshold of slots is free so that fetches
 * come in useful batches instead of one job at a time.
 *
 * <p>On a worker over several engines the subscription's capacities share one {@link Pool}: the
 * subscription's maxConcurrentJobs bounds the jobs held across all of them, and each capacity's own
 * limit (maxConcurrentJobsPerEngine) bounds its engine's. The pool is shared fairly: while another
 * engine's poller waits for a slot, a capacity may fill only up to its equal share of the pool (the
 * limit divided by the number of engines, rounded up); with nobody waiting it may borrow every free
 * slot. Slots held beyond the share are not taken away: they come back as those jobs end, and go
 * to the waiting engine first. Slots one engine gives back are offered to the pushed jobs another
 * engine holds waiting ({@link #whenFreedElsewhere}), not only to the pollers. With one engine the
 * pool is the capacity's own and nothing of this applies.
 */
final class Capacity {
  /** Reads a count under the pool's lock. */
  private static int read(ReentrantLock lock, IntSupplier count) {
    lock.lock();
    try {
      return count.getAsInt();
    } finally {
      lock.unlock();
    }
  }

  /** The slots of one subscription across its engines; every count is guarded by {@link #lock}. */
  static final class Pool {
    private final int max;
    /** The limit now: max, or an adaptive limit's current value ({@link AdaptiveLimit}). */
    private int target;
    /** Whether a poller had to wait for a slot since the last {@link #takeSaturated()}. */
    private boolean saturated;
    private final int members;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int held;
    /** Members whose poller waits for slots. */
    private int waiting;
    private final List<Capacity> capacities = new CopyOnWriteArrayList<>();

    /** A pool of {@code max} slots for {@code members} engines. */
    Pool(int max, int members) {
      this(max, max, members);
    }

    /** A pool of at most {@code max} slots whose limit starts at {@code initial}. */
    Pool(int max, int initial, int members) {
      this.max = max;
      this.target = Math.min(initial, max);
      this.members = members;
    }

    /** The equal share of one engine. */
    int share() {
      return (target + members - 1) / members;
    }

    /** The limit now. */
    int target() {
      return read(lock, () -> target);
    }

    /** Sets the limit now (at most max); jobs held above it are not taken away. */
    void target(int v) {
      lock.lock();
      try {
        target = Math.max(1, Math.min(max, v));
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Whether a poller waited for a slot since the last call; resets. */
    boolean takeSaturated() {
      lock.lock();
      try {
        boolean was = saturated;
        saturated = false;
        return was;
      } finally {
        lock.unlock();
      }
    }

    /** Slots held across the pool. */
    int held() {
      return read(lock, () -> held);
    }

    boolean shared() {
      return members > 1;
    }
  }

  private final Pool pool;
  private final int max;
  private final ReentrantLock lock;
  private final Condition changed;
  private int held;
  private boolean open = true;
  private boolean waiting;
  private volatile Runnable freedElsewhere = () -> { };

  /** A capacity of its own: one engine. */
  Capacity(int max) {
    this(new Pool(max, 1), max);
  }

  /** One engine's capacity in a shared pool, with at most {@code max} of its slots. */
  Capacity(Pool pool, int max) {
    this.pool = pool;
    this.max = Math.min(max, pool.max);
    this.lock = pool.lock;
    this.changed = pool.changed;
    pool.capacities.add(this);
  }

  /**
   * Runs {@code listener} whenever another engine's capacity in the same pool gives slots back, on
   * that engine's thread, outside the pool's lock: jobs of this engine that wait for a slot outside
   * the poller (pushed jobs) may take them. Never called with one engine.
   */
  void whenFreedElsewhere(Runnable listener) {
    this.freedElsewhere = listener;
  }

  /**
   * Waits until at least {@code threshold} slots are free (or none is held), then reserves up to
   * {@code limit} of them. Returns 0 once {@link #shutdown()} was called. In a shared pool while
   * another engine waits, the threshold shrinks with the share this engine may fill.
   */
  int reserve(int threshold, int limit) throws InterruptedException {
    lock.lock();
    try {
      try {
        while (open) {
          int cap = cap();
          int need = held == 0 ? 1 : Math.max(1, (int) ((long) threshold * cap + max - 1) / max);
          if (free(cap) >= need) {
            break;
          }
          pool.saturated = true;
          if (!waiting && pool.shared()) {
            waiting = true;
            pool.waiting++;
          }
          changed.await();
        }
      } finally {
        if (waiting) {
          waiting = false;
          pool.waiting--;
          changed.signalAll(); // the others' share grows back
        }
      }
      if (!open) {
        return 0;
      }
      int n = Math.min(limit, free(cap()));
      take(n);
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Reserves up to {@code limit} free slots without waiting; 0 when none is free or after shutdown. */
  int tryReserve(int limit) {
    lock.lock();
    try {
      if (!open) {
        return 0;
      }
      int n = Math.max(0, Math.min(limit, free(cap())));
      take(n);
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Takes one slot if one is free. */
  boolean tryAcquire() {
    lock.lock();
    try {
      if (free(cap()) < 1) {
        pool.saturated = true;
        return false;
      }
      take(1);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** The most this capacity may hold now: its limit, or its share while another engine waits. */
  private int cap() {
    if (pool.shared() && pool.waiting > (waiting ? 1 : 0)) {
      return Math.min(max, pool.share());
    }
    return Math.min(max, pool.target);
  }

  private int free(int cap) {
    return Math.min(cap - held, pool.target - pool.held);
  }

  private void take(int n) {
    held += n;
    pool.held += n;
  }

  void release(int n) {
    if (n == 0) {
      return;
    }
    lock.lock();
    try {
      held -= n;
      pool.held -= n;
      if (held < 0) {
        throw new IllegalStateException("capacity released more than reserved");
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (pool.shared()) {
      for (Capacity other : pool.capacities) {
        if (other != this) {
          other.freedElsewhere.run();
        }
      }
    }
  }

  /** Wakes the poller and makes further reservations return 0. */
  void shutdown() {
    lock.lock();
    try {
      open = false;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits until no slot is held; returns whether that happened before the deadline. */
  boolean awaitEmpty(long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (held > 0) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** This engine's limit: the subscription's maxConcurrentJobs, or maxConcurrentJobsPerEngine. */
  int limit() {
    return max;
  }

  /**
   * The most jobs this engine could hold now: its limit, less what the other engines of a shared
   * pool hold. With one engine, {@link #limit()}.
   */
  int limitNow() {
    return read(lock, () -> Math.min(Math.min(max, pool.target), pool.target - (pool.held - held)));
  }

  /** This engine's limit now: {@link #limit()}, or less while an adaptive limit is lower. */
  int currentLimit() {
    return read(lock, () -> Math.min(max, pool.target));
  }

  Pool pool() {
    return pool;
  }

  /** Whether the pool is shared with other engines. */
  boolean shared() {
    return pool.shared();
  }

  /** The equal share of one engine in the pool (the limit with one engine). */
  int share() {
    return Math.min(max, pool.share());
  }

  int held() {
    return read(lock, () -> held);
  }
}
