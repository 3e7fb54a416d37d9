package io.polyworker.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.engine.Engine;
import io.polyworker.support.internal.HttpSettings;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RestEngineBuilderTest {
  /** Stands for an engine's builder: an inner class named Builder. */
  static final class Demo {
    static final class Builder extends RestEngineBuilder<Builder> {
      final AtomicReference<HttpSettings> built = new AtomicReference<>();

      Builder() {
        super("e.g. http://localhost:8080/demo-rest");
      }

      @Override
      protected Engine create(HttpSettings settings) {
        built.set(settings);
        return null;
      }

      @Override
      protected String ownOptions() {
        return ", apiPath=/api";
      }
    }
  }

  @Test
  void everySetterReachesTheSettingsAndReturnsTheEnginesOwnBuilder() {
    Demo.Builder b = new Demo.Builder();
    Demo.Builder same = b.baseUrl("http://localhost:1/demo-rest").basicAuth("demo", "s3cret")
        .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(7));
    assertThat(same).isSameAs(b);
    b.build();
    HttpSettings s = b.built.get();
    assertThat(s.baseUrl()).hasToString("http://localhost:1/demo-rest");
    assertThat(s.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.requestTimeout()).isEqualTo(Duration.ofSeconds(7));
    assertThat(s.auth().toString()).contains("basic").doesNotContain("s3cret");
  }

  @Test
  void toStringNamesTheEnginesBuilderAndItsOwnOptionsButNoSecret() {
    Demo.Builder b = new Demo.Builder().baseUrl("http://localhost:1/demo-rest").bearerToken("tok-secret");
    assertThat(b.toString()).startsWith("Demo.Builder{").contains("apiPath=/api", "auth=bearer")
        .doesNotContain("tok-secret");
  }

  @Test
  void aMissingBaseUrlIsRefusedWithThisEnginesExample() {
    assertThatThrownBy(() -> new Demo.Builder().build()).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("baseUrl is required").hasMessageContaining("demo-rest");
  }
}
