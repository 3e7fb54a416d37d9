package io.polyworker.support.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The one place every REST base URL passes, from a builder or from configuration. */
class HttpSettingsTest {
  @Test
  void userInfoInTheBaseUrlIsRefusedWithoutEchoingIt() {
    // OkHttp never sends user info as credentials, and the URL shows in messages and toString().
    for (String url : new String[] {"https://demo:s3cr3t@camunda.example/engine-rest",
        "http://demo:s3cr3t@127.0.0.1:8080", "https://s3cr3t@flowable.example"}) {
      assertThatThrownBy(() -> HttpSettings.builder().baseUrl(url))
          .as(url)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("baseUrl must not contain user info")
          .hasMessageContaining("basicAuth(username, password)")
          .hasMessageContaining("POLYWORKER_USERNAME / POLYWORKER_PASSWORD")
          .hasMessageNotContaining("s3cr3t");
    }
    assertThatThrownBy(() -> HttpSettings.builder().baseUrl("htp://demo:s3cr3t@camunda.example"))
        .hasMessageContaining("not an http(s) URL").hasMessageNotContaining("s3cr3t");
  }

  @Test
  void withoutUserInfoMasksWhatStandsBeforeTheAtSignOfTheAuthority() {
    assertThat(HttpSettings.withoutUserInfo("https://u:p@host:1/a@b?c=d@e"))
        .isEqualTo("https://****@host:1/a@b?c=d@e");
    assertThat(HttpSettings.withoutUserInfo("https://u:p@ss@host/x")).isEqualTo("https://****@host/x");
    assertThat(HttpSettings.withoutUserInfo("u:p@host/x")).isEqualTo("****@host/x");
    assertThat(HttpSettings.withoutUserInfo("https://host/a@b")).isEqualTo("https://host/a@b");
  }
}
