package io.polyworker.reliability;

import io.polyworker.Job;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The handler of the load test, the same in this JVM and in the child JVMs: 0-20 ms of work, and an
 * exception for every job whose variable {@code n} is 7 modulo 20 (5 %), so that the expected outcome
 * of each instance is known from its own variables. Counts its runs per process instance to find
 * duplicates.
 */
final class LoadHandler implements JobHandler {
  static final int FAILING_EVERY = 20;
  static final int FAILING_REMAINDER = 7;

  final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();

  static boolean fails(int n) {
    return n % FAILING_EVERY == FAILING_REMAINDER;
  }

  @Override
  public JobResult handle(Job job) throws Exception {
    runs.computeIfAbsent(job.processInstanceId(), k -> new AtomicInteger()).incrementAndGet();
    Integer n = job.variables().get("n", Integer.class);
    int millis = ThreadLocalRandom.current().nextInt(21);
    if (millis > 0) {
      TimeUnit.MILLISECONDS.sleep(millis); // the work
    }
    if (n == null) {
      throw new IllegalStateException("variable n is missing");
    }
    if (fails(n)) {
      throw new IllegalStateException("load test failure for n=" + n);
    }
    return JobResult.complete(Map.of("doubled", n * 2));
  }
}
