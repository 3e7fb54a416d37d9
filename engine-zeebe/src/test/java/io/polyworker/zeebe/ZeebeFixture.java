package io.polyworker.zeebe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.polyworker.engine.Engine;
import io.polyworker.ProcessClient;
import io.polyworker.internal.Json;
import io.polyworker.spi.EngineClient;
import io.polyworker.testkit.common.Dialect;
import io.polyworker.testkit.EngineFixture;
import io.polyworker.testkit.common.InstanceState;
import io.polyworker.testkit.engines.FaultProxy;
import io.polyworker.testkit.engines.LocalZeebe;
import io.polyworker.testkit.engines.ZeebeRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The conformance kit's view of a real Zeebe engine. Zeebe has no query API of its own (that is
 * Operate's job), so every answer is computed from the engine's record log, read by its
 * {@link ZeebeRecords} view ({@link LocalZeebe#recordLog()}).
 */
final class ZeebeFixture implements EngineFixture {
  private final LocalZeebe zeebe;
  private final Engine engine;

  ZeebeFixture(LocalZeebe zeebe) {
    this.zeebe = zeebe;
    this.engine = ZeebeEngine.builder().grpcAddress(zeebe.grpcUri()).plaintext().build();
  }

  @Override
  public Engine engine() {
    return engine;
  }

  @Override
  public Dialect dialect() {
    return Dialect.ZEEBE;
  }

  @Override
  public InstanceState instanceState(String processInstanceId) {
    InstanceState state = InstanceState.UNKNOWN;
    for (JsonNode r : events(processInstanceId, "PROCESS_INSTANCE")) {
      JsonNode value = r.path("value");
      if (!"PROCESS".equals(value.path("bpmnElementType").asText())
          || !processInstanceId.equals(value.path("processInstanceKey").asText())) {
        continue;
      }
      switch (r.path("intent").asText()) {
        case "ELEMENT_COMPLETED":
          return InstanceState.COMPLETED;
        case "ELEMENT_TERMINATED":
          return InstanceState.TERMINATED;
        default:
          state = InstanceState.ACTIVE;
      }
    }
    return state;
  }

  @Override
  public boolean hasIncident(String processInstanceId) {
    Set<Long> open = new HashSet<>();
    for (JsonNode r : events(processInstanceId, "INCIDENT")) {
      if (!processInstanceId.equals(r.path("value").path("processInstanceKey").asText())) {
        continue;
      }
      if ("CREATED".equals(r.path("intent").asText())) {
        open.add(r.path("key").asLong());
      } else if ("RESOLVED".equals(r.path("intent").asText())) {
        open.remove(r.path("key").asLong());
      }
    }
    return !open.isEmpty();
  }

  /** Variables whose scope is the process instance itself; the last write of each name wins. */
  @Override
  public Map<String, @Nullable Object> processVariables(String processInstanceId) {
    Map<String, @Nullable Object> result = new LinkedHashMap<>();
    for (JsonNode r : events(processInstanceId, "VARIABLE")) {
      JsonNode value = r.path("value");
      if (!processInstanceId.equals(value.path("scopeKey").asText())) {
        continue;
      }
      try {
        result.put(value.path("name").asText(),
            Json.MAPPER.readValue(value.path("value").asText(), Object.class));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException("variable record is not JSON: " + r, e);
      }
    }
    return result;
  }

  /** A key of Zeebe's format (partition 1) far beyond what a test engine hands out. */
  public String unknownInstanceId() {
    return "2251799999999999";
  }

  /** Through a {@link FaultProxy} (it forwards gRPC's HTTP/2 bytes); cut is a black hole: the proxy holds every byte back. */
  @Override
  public Optional<Severable> severableEngine(Duration requestTimeout) {
    FaultProxy proxy = FaultProxy.to(zeebe.port());
    Engine through = ZeebeEngine.builder().grpcAddress(URI.create("http://127.0.0.1:" + proxy.port()))
        .plaintext().requestTimeout(requestTimeout).build();
    return Optional.of(Severable.of(through, () -> proxy.latency(Duration.ofHours(1)), () -> {
      proxy.heal();
      proxy.cutConnections(); // what was held back is never delivered
    }, proxy::close));
  }

  /**
   * OAuth2 client credentials from a token endpoint on 127.0.0.1 that this fixture runs: each token
   * request asks {@code tokens} and answers 500 when it throws, else a token that lives one second
   * (so the engine asks again for a request made more than {@link #tokenLifetime()} after the
   * supplier answered). The engine under test checks no token.
   */
  @Override
  public Optional<Engine> engineWithAuth(Supplier<String> tokens) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the token endpoint", e);
    }
    server.createContext("/token", exchange -> {
      exchange.getRequestBody().readAllBytes();
      int status;
      String body;
      try {
        status = 200;
        body = "{\"access_token\":" + Json.MAPPER.writeValueAsString(tokens.get())
            + ",\"expires_in\":1,\"token_type\":\"Bearer\"}";
      } catch (RuntimeException e) {
        status = 500;
        body = "{\"error\":\"temporarily_unavailable\"}";
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      exchange.getResponseBody().write(bytes);
      exchange.close();
    });
    server.start();
    URI tokenUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
    Engine authed = ZeebeEngine.builder().grpcAddress(zeebe.grpcUri()).plaintext()
        .oauth2(tokenUrl, "polyworker-kit", "kit-secret", "zeebe-api").build();
    return Optional.of(new Engine() {
      @Override
      public String id() {
        return authed.id();
      }

      @Override
      public ProcessClient processClient() {
        return authed.processClient();
      }

      @Override
      public EngineClient jobClient() {
        return authed.jobClient();
      }

      @Override
      public void close() {
        try {
          authed.close();
        } finally {
          server.stop(0);
        }
      }
    });
  }

  /**
   * Tokens from {@link #engineWithAuth} live one second from when the engine read the answer, and
   * are renewed a tenth before; the answer is read a moment after the supplier answered (more than
   * 100 ms in a trial on JDK 25, where a 1 s wait let the token stay fresh): two seconds cover both.
   */
  @Override
  public Duration tokenLifetime() {
    return Duration.ofSeconds(2);
  }

  /**
   * The in-memory engine finds ended retry backoffs (and job timeouts) by a check that runs about
   * once a second: a job failed with a 1 s backoff could be activated again after 1.1 to 2.0 s
   * (eight tries, activating every 10 ms with the plain client).
   */
  @Override
  public Duration lockResetPeriod() {
    return Duration.ofSeconds(1);
  }

  /** The engine's events of one value type for one instance, oldest first. */
  private List<JsonNode> events(String processInstanceId, String valueType) {
    return zeebe.recordLog().events(processInstanceId, valueType);
  }
}
