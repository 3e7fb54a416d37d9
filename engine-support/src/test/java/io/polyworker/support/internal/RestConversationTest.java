package io.polyworker.support.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.AuthenticationException;
import io.polyworker.engine.EngineConfig;
import io.polyworker.MalformedAnswerException;
import io.polyworker.PolyworkerException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import okhttp3.OkHttpClient;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RestConversationTest {
  private final MockWebServer server = new MockWebServer();

  /** The smallest engine: every error answer is a plain PolyworkerException. */
  private static final class TestConversation extends RestConversation {
    TestConversation(HttpSettings settings) {
      super("test", settings, false);
    }

    @Override
    protected PolyworkerException error(String operation, int status, String text) {
      return new PolyworkerException("test", operation, status, text, "mapped", null);
    }
  }

  @BeforeEach
  void start() throws Exception {
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.shutdown();
  }

  private HttpSettings.Builder settings() {
    return HttpSettings.builder().baseUrl(server.url("/rest").toString());
  }

  @Test
  void foreignErrorPagesAreTheNot404sOfAnEngine() {
    assertThat(RestConversation.isForeignErrorPage(404, "text/html", "<html><body>Not Found</body></html>")).isTrue();
    assertThat(RestConversation.isForeignErrorPage(404, null, "")).isTrue();
    assertThat(RestConversation.isForeignErrorPage(405, "application/json",
        "{\"timestamp\":\"2026-12-01T18:00:00Z\",\"status\":405,\"error\":\"Method Not Allowed\",\"path\":\"/x\"}"))
        .isTrue();
    // The engines' own answers: Camunda's RestException, Flowable's error object.
    assertThat(RestConversation.isForeignErrorPage(404, "application/json",
        "{\"type\":\"RestException\",\"message\":\"External task with id x does not exist\"}")).isFalse();
    assertThat(RestConversation.isForeignErrorPage(404, "application/json",
        "{\"message\":\"Not found\",\"exception\":\"Could not find external worker job with id 'x'.\"}")).isFalse();
    // A proxy's 502 page stays what it was: an engine that cannot be reached, retried.
    assertThat(RestConversation.isForeignErrorPage(502, "text/html", "<html>Bad Gateway</html>")).isFalse();
  }

  @Test
  void sendsJsonWithCredentialsAndReadsTheAnswer() throws Exception {
    server.enqueue(new MockResponse().setBody("{\"ok\":true}"));
    server.enqueue(new MockResponse().setResponseCode(204));
    try (TestConversation http = new TestConversation(settings().basicAuth("kermit", "s3cret").build("x"))) {
      JsonNode answer = http.post("op", server.url("/rest/a"), Map.of("k", "v"));
      assertThat(answer.path("ok").asBoolean()).isTrue();
      assertThat(http.postAsync("op", server.url("/rest/b"), Map.of()).get(5, TimeUnit.SECONDS)).isNull();
      assertThat(http.toString()).contains("basic(kermit)").doesNotContain("s3cret");
    }
    RecordedRequest first = server.takeRequest();
    assertThat(first.getHeader("Authorization")).startsWith("Basic ");
    assertThat(first.getHeader("Accept")).isEqualTo("application/json");
    assertThat(first.getBody().readUtf8()).isEqualTo("{\"k\":\"v\"}");
  }

  @Test
  void errorsAreMappedByTheEngineAndBadAnswersAreMalformed() {
    server.enqueue(new MockResponse().setResponseCode(409).setBody("conflict"));
    server.enqueue(new MockResponse().setBody("<html>login</html>"));
    server.enqueue(new MockResponse().setResponseCode(204));
    try (TestConversation http = new TestConversation(settings().build("x"))) {
      assertThatThrownBy(() -> http.get("op", server.url("/rest/a")))
          .isInstanceOfSatisfying(PolyworkerException.class, e -> assertThat(e.status()).isEqualTo(409))
          .hasMessageContaining("mapped");
      assertThatThrownBy(() -> http.get("op", server.url("/rest/a")))
          .isInstanceOf(MalformedAnswerException.class).hasMessageContaining("not valid JSON");
      assertThatThrownBy(() -> http.get("op", server.url("/rest/a")))
          .isInstanceOfSatisfying(MalformedAnswerException.class, e -> assertThat(e.status()).isEqualTo(204))
          .hasMessageContaining("expected a JSON body");
    }
  }

  @Test
  void aFailingTokenSupplierFailsTheOperationWithoutQuotingIt() {
    try (TestConversation http = new TestConversation(settings()
        .tokenSupplier(() -> { throw new IllegalStateException("cannot parse abc123"); }).build("x"))) {
      assertThatThrownBy(() -> http.post("op", server.url("/rest/a"), Map.of()))
          .isInstanceOf(AuthenticationException.class)
          .hasMessageContaining("token supplier").hasMessageNotContaining("abc123");
      assertThatThrownBy(() -> http.postAsync("op", server.url("/rest/a"), Map.of()).join())
          .hasCauseInstanceOf(AuthenticationException.class);
    }
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void closeLeavesASharedClientAlone() throws Exception {
    OkHttpClient shared = new OkHttpClient();
    new TestConversation(settings().httpClient(shared).build("x")).close();
    assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
    shared.dispatcher().executorService().shutdown();
  }

  @Test
  void settingsFailFastNamingTheOption() {
    assertThatThrownBy(() -> HttpSettings.builder().build("such as http://host/rest"))
        .isInstanceOf(IllegalStateException.class).hasMessage("baseUrl is required (such as http://host/rest)");
    assertThatThrownBy(() -> HttpSettings.builder().baseUrl("not a url")).hasMessageContaining("baseUrl");
    assertThatThrownBy(() -> HttpSettings.builder().connectTimeout(Duration.ZERO)).hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> HttpSettings.builder().requestTimeout(Duration.ofSeconds(-1)))
        .hasMessageContaining("requestTimeout");
    assertThatThrownBy(() -> HttpSettings.builder().basicAuth(" ", "pw")).hasMessageContaining("username");
    assertThatThrownBy(() -> HttpSettings.builder().bearerToken(" ")).hasMessageContaining("bearerToken");
    assertThat(HttpSettings.builder().bearerToken("tok-1").toString()).contains("auth=bearer").doesNotContain("tok-1");
  }

  @Test
  void configAuthCallsTheMatchingSetterOrRefusesNamingTheSetting() {
    AtomicReference<String> seen = new AtomicReference<>("none");
    EngineConfig basic = EngineConfig.fromMap(Map.of("polyworker.username", "u", "polyworker.password", "p"));
    ConfigAuth.apply(basic, "test", (u, p) -> seen.set(u + ":" + p), t -> seen.set(t), "");
    assertThat(seen.get()).isEqualTo("u:p");
    ConfigAuth.apply(EngineConfig.fromMap(Map.of("polyworker.token", "t")), "test", (u, p) -> { }, seen::set, "");
    assertThat(seen.get()).isEqualTo("t");
    EngineConfig oauth = EngineConfig.fromMap(Map.of("polyworker.auth", "oauth2"));
    assertThatThrownBy(() -> ConfigAuth.apply(oauth, "test", (u, p) -> { }, t -> { }, ", or else"))
        .isInstanceOf(PolyworkerException.class)
        .hasMessage("engine test does not support auth 'oauth2' (" + EngineConfig.AUTH
            + "): use none, basic or bearer, or else");
  }
}
