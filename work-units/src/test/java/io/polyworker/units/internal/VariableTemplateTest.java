package io.polyworker.units.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import io.polyworker.internal.DefaultVariables;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class VariableTemplateTest {
  private static Variables vars(Map<String, Object> values) {
    return DefaultVariables.of(new HashMap<>(values));
  }

  private static String render(String template, Map<String, Object> values) {
    return VariableTemplate.parse("t", template).render(vars(values), UnaryOperator.identity());
  }

  @Test
  void fillsNamesPathsAndListIndexes() {
    Map<String, Object> v = Map.of("name", "Ann",
        "order", Map.of("id", "A-17", "items", List.of(Map.of("sku", "X1"), Map.of("sku", "Y2"))));

    assertThat(render("{{name}}: {{ order.id }} / {{order.items.1.sku}}", v))
        .isEqualTo("Ann: A-17 / Y2");
  }

  @Test
  void formatsPlainValues() {
    Map<String, Object> v = Map.of("i", 42, "l", 7L, "d", 10.0, "f", 19.9, "b", true,
        "big", new BigDecimal("1.50"), "t", Instant.parse("2026-12-01T10:15:30Z"));

    assertThat(render("{{i}} {{l}} {{d}} {{f}} {{b}} {{big}} {{t}}", v))
        .isEqualTo("42 7 10 19.9 true 1.50 2026-12-01T10:15:30Z");
  }

  @Test
  void aBackslashWritesLiteralBracesAndTextWithoutPlaceholdersStaysAsIs() {
    assertThat(render("\\{{name}} {not} }} {{name}}", Map.of("name", "Ann")))
        .isEqualTo("{{name}} {not} }} Ann");
  }

  @Test
  void malformedPlaceholdersAreRefusedWhenParsed() {
    assertThatThrownBy(() -> VariableTemplate.parse("subject", "Hi {{name"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("subject template").hasMessageContaining("never closed");
    assertThatThrownBy(() -> VariableTemplate.parse("html", "Hi {{}}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("html template");
    assertThatThrownBy(() -> VariableTemplate.parse("html", "{{order..id}}"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> VariableTemplate.parse("html", "{{a b}}"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void objectsListsAndUnreadableValuesAreNotRenderedButNamed() {
    assertThatThrownBy(() -> render("{{order}}", Map.of("order", Map.of("id", 1))))
        .isInstanceOf(VariableException.class)
        .hasMessageContaining("{{order}}").hasMessageContaining("object");
    assertThatThrownBy(() -> render("{{items.5}}", Map.of("items", List.of("a"))))
        .isInstanceOf(VariableException.class).hasMessageContaining("list of 1");
    assertThatThrownBy(() -> render("{{name.first}}", Map.of("name", "Ann")))
        .isInstanceOf(VariableException.class).hasMessageContaining("'name' is a String");
    assertThatThrownBy(() -> render("{{blob}}",
        Map.of("blob", new UnreadableValue("Object (java)", "never decoded"))))
        .isInstanceOf(VariableException.class).hasMessageContaining("blob");
  }

  @Test
  void escapesHtml() {
    assertThat(VariableTemplate.html("<a href=\"x\">Tom & Jerry's</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  }

  @Test
  void namesTheVariablesItReads() {
    assertThat(VariableTemplate.parse("t", "{{a}} {{b.c}} {{a}}").variableNames())
        .containsExactly("a", "b");
  }
}
