package io.polyworker.support.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.polyworker.ProcessClient;
import io.polyworker.spi.EngineClient;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The Engine every module builds: what it was given, and close exactly as the module said. */
class DefaultEngineTest {
  @Test
  void answersWithWhatTheModuleMadeAndClosesAsItSaid() {
    EngineClient jobs = stub(EngineClient.class);
    ProcessClient processes = stub(ProcessClient.class);
    AtomicInteger closed = new AtomicInteger();
    DefaultEngine engine = new DefaultEngine("test", jobs, processes, closed::incrementAndGet,
        "TestEngine[http://localhost]");

    assertThat(engine.id()).isEqualTo("test");
    assertThat(engine.jobClient()).isSameAs(jobs);
    assertThat(engine.processClient()).isSameAs(processes);
    assertThat(engine).hasToString("TestEngine[http://localhost]");
    engine.close();
    engine.close();
    // Whether a second close does anything is the module's business.
    assertThat(closed).hasValue(2);
  }

  private static <T> T stub(Class<T> type) {
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (proxy, method, args) -> {
          throw new UnsupportedOperationException(method.getName());
        }));
  }
}
