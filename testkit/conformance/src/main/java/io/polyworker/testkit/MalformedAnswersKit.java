package io.polyworker.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.polyworker.engine.Engine;
import io.polyworker.MalformedAnswerException;
import io.polyworker.PolyworkerException;
import io.polyworker.spi.EngineClient;
import io.polyworker.spi.FetchRequest;
import io.polyworker.spi.LockedJob;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Contracts on answers an HTTP engine cannot read, served by a fake server on loopback
 * ({@link EngineFixture#engineAt}): each must fail as a clear {@link MalformedAnswerException}, not
 * as an NPE. Skipped for engines that do not speak HTTP. Run by the {@link EngineCompatibilityKit}
 * as its group "malformed engine answers".
 */
abstract class MalformedAnswersKit extends KitSupport {

  private void withFakeEngine(String body, java.util.function.Consumer<EngineClient> test) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", exchange -> {
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    try {
      Optional<Engine> fake = fixture().engineAt(URI.create("http://127.0.0.1:"
          + server.getAddress().getPort()));
      assumeTrue(fake.isPresent(), engine().id() + " does not speak HTTP; malformed answers are covered by its module tests");
      try (Engine e = fake.get()) {
        test.accept(e.jobClient());
      }
    } finally {
      server.stop(0);
    }
  }

  private List<LockedJob> fetchFrom(EngineClient c) {
    try {
      return c.fetchAndLock(FetchRequest.of("w", "t", 1, Duration.ofSeconds(10))).get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw (RuntimeException) e.getCause();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("a body that is not JSON gives a clear exception")
  void notJson() throws Exception {
    withFakeEngine("<html>gateway error</html>", c -> assertThatThrownBy(() -> fetchFrom(c))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessageContaining(engine().id())
        .satisfies(e -> assertThat(((PolyworkerException) e).answerExcerpt()).contains("gateway error")));
  }

  @Test
  @DisplayName("truncated JSON gives a clear exception")
  void truncatedJson() throws Exception {
    withFakeEngine("[{\"id\":\"1\",\"topicName\":", c -> assertThatThrownBy(() -> fetchFrom(c))
        .isInstanceOf(MalformedAnswerException.class));
  }

  @Test
  @DisplayName("a job without its required fields gives a clear exception, not an NPE")
  void missingFields() throws Exception {
    withFakeEngine("[{}]", c -> assertThatThrownBy(() -> fetchFrom(c))
        .isInstanceOf(MalformedAnswerException.class)
        .hasMessageContaining("missing"));
  }

  @Test
  @DisplayName("an answer of the wrong shape gives a clear exception")
  void wrongShape() throws Exception {
    withFakeEngine("{\"unexpected\":true}", c -> assertThatThrownBy(() -> fetchFrom(c))
        .isInstanceOf(MalformedAnswerException.class));
  }
}
