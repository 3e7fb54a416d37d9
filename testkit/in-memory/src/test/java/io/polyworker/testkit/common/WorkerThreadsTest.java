package io.polyworker.testkit.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/** The leak check sees platform and (on Java 21+) virtual threads named polyworker-*, and only new ones. */
class WorkerThreadsTest {

  @Test
  void seesANewPlatformThreadUntilItEnds() throws Exception {
    WorkerThreads before = WorkerThreads.snapshot();
    CountDownLatch end = new CountDownLatch(1);
    Thread t = new Thread(() -> await(end), "polyworker-lock-extender-test-1");
    t.start();
    waitingIn(t);
    try {
      assertThat(named(before.newThreads(), "polyworker-lock-extender-test-1")).singleElement().satisfies(seen -> {
        assertThat(seen.virtual()).isFalse();
        assertThat(seen.stack()).anyMatch(frame -> frame.contains("CountDownLatch.await"));
      });
      assertThatThrownBy(() -> before.awaitNoNewThreads(Duration.ofMillis(200)))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("polyworker-lock-extender-test-1 (platform")
          .hasMessageContaining("CountDownLatch.await");
    } finally {
      end.countDown();
    }
    Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> named(before.newThreads(), "polyworker-lock-extender-test-1").isEmpty());
    assertThat(WorkerThreads.live()).noneMatch(l -> l.name().equals("polyworker-lock-extender-test-1"));
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_21, disabledReason = "virtual threads exist from Java 21 on")
  void seesVirtualThreadsOnJava21AndNewer() throws Exception {
    assertThat(WorkerThreads.virtualThreadsVisible()).isTrue();
    WorkerThreads before = WorkerThreads.snapshot();
    CountDownLatch end = new CountDownLatch(1);
    // As the runtime makes its handler threads: Thread.ofVirtual().name(prefix, 1).factory(), found
    // reflectively since this module compiles for Java 17.
    Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
    Class<?> builderType = Class.forName("java.lang.Thread$Builder");
    builder = builderType.getMethod("name", String.class, long.class).invoke(builder, "polyworker-vt-topic-", 1L);
    ThreadFactory factory = (ThreadFactory) builderType.getMethod("factory").invoke(builder);
    Thread t = factory.newThread(() -> await(end));
    t.start();
    waitingIn(t);
    try {
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(p -> p.getName().startsWith("polyworker-vt-"));
      assertThat(named(before.newThreads(), "polyworker-vt-topic-1")).singleElement().satisfies(seen -> {
        assertThat(seen.virtual()).isTrue();
        assertThat(seen.id()).isEqualTo(t.getId());
      });
      assertThatThrownBy(() -> before.awaitNoNewThreads(Duration.ofMillis(200)))
          .hasMessageContaining("polyworker-vt-topic-1 (virtual");
    } finally {
      end.countDown();
    }
    t.join(5_000);
    assertThat(named(before.newThreads(), "polyworker-vt-topic-1")).isEmpty();
  }

  @Test
  void threadsAliveAtTheSnapshotAndOthersDoNotCount() throws Exception {
    CountDownLatch end = new CountDownLatch(1);
    Thread old = new Thread(() -> await(end), "polyworker-poller-old");
    old.start();
    try {
      WorkerThreads before = WorkerThreads.snapshot();
      assertThat(before.threads()).anyMatch(t -> t.name().equals("polyworker-poller-old"));
      Thread other = new Thread(() -> await(end), "not-polyworker-1");
      other.start();
      assertThat(before.newThreads()).noneMatch(t -> t.name().equals("not-polyworker-1"))
          .noneMatch(t -> t.name().equals("polyworker-poller-old"));
    } finally {
      end.countDown();
    }
  }

  /** Other tests' threads may still come and go in this JVM: look at this test's only. */
  private static List<WorkerThreads.LiveThread> named(List<WorkerThreads.LiveThread> threads, String name) {
    return threads.stream().filter(t -> t.name().equals(name)).toList();
  }

  /** Until {@code t} waits on its latch, so that its stack shows it. */
  private static void waitingIn(Thread t) {
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> t.getState() == Thread.State.WAITING);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
