package io.polyworker.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import io.polyworker.internal.DefaultVariables;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Typed variable access converts only without loss and names the variable when it cannot. */
class DefaultVariablesTest {

  private static Variables of(String name, Object value) {
    Map<String, Object> m = new HashMap<>();
    m.put(name, value);
    return DefaultVariables.of(m);
  }

  @Test
  void numbersConvertWhenNothingIsLost() {
    assertThat(of("n", 42L).get("n", Integer.class)).isEqualTo(42);
    assertThat(of("n", 42).get("n", Long.class)).isEqualTo(42L);
    assertThat(of("n", 42).get("n", int.class)).isEqualTo(42);
    assertThat(of("n", 2.0).get("n", Integer.class)).isEqualTo(2);
    assertThat(of("n", 7).get("n", Short.class)).isEqualTo((short) 7);
    assertThat(of("n", 3).get("n", Double.class)).isEqualTo(3.0);
    assertThat(of("n", 2.5).get("n", BigDecimal.class)).isEqualByComparingTo("2.5");
    assertThat(of("n", 5L).get("n", BigInteger.class)).isEqualTo(BigInteger.valueOf(5));
  }

  @Test
  void lossyNumberConversionsFailNamingTheVariable() {
    assertThatThrownBy(() -> of("amount", 1L << 40).get("amount", Integer.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'amount'");
    assertThatThrownBy(() -> of("ratio", 2.5).get("ratio", Integer.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'ratio'");
    assertThatThrownBy(() -> of("n", 70_000).get("n", Short.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'n'");
  }

  @Test
  void longsThatADoubleCannotHoldDoNotConvertToDouble() {
    long big = (1L << 53) + 1;
    assertThatThrownBy(() -> of("id", big).get("id", Double.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'id'");
    assertThatThrownBy(() -> of("x", 0.1).get("x", Float.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'x'");
  }

  @Test
  void datesConvert() {
    Instant instant = Instant.parse("2026-11-21T10:15:30.123Z");
    assertThat(of("d", "2026-11-21T10:15:30.123Z").get("d", Instant.class)).isEqualTo(instant);
    assertThat(of("d", "2026-11-21T11:15:30.123+01:00").get("d", Instant.class)).isEqualTo(instant);
    assertThat(of("d", instant).get("d", Date.class)).isEqualTo(Date.from(instant));
    assertThat(of("d", Date.from(instant)).get("d", Instant.class)).isEqualTo(instant);
    assertThat(of("d", instant).get("d", OffsetDateTime.class).toInstant()).isEqualTo(instant);
    assertThatThrownBy(() -> of("d", "not a date").get("d", Instant.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'d'");
  }

  /** A POJO bound from a JSON tree. */
  public static final class Order {
    public String id;
    public List<Integer> lines;
  }

  @Test
  void jsonTreesBindToPojos() {
    Variables vars = of("order", Map.of("id", "A-1", "lines", List.of(1, 2), "extra", true));
    Order order = vars.get("order", Order.class);
    assertThat(order.id).isEqualTo("A-1");
    assertThat(order.lines).containsExactly(1, 2);
    Order whole = DefaultVariables.of(Map.of("id", "B", "lines", List.of())).as(Order.class);
    assertThat(whole.id).isEqualTo("B");
    assertThatThrownBy(() -> of("n", "text").get("n", Integer.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'n'");
  }

  @Test
  void unreadableValuesFailNamingTheVariable() {
    Variables vars = DefaultVariables.of(Map.of("blob",
        new UnreadableValue("Object (application/x-java-serialized-object)", "Java serialization is unsafe"),
        "ok", 1));
    assertThat(vars.contains("blob")).isTrue();
    assertThat(vars.asMap().get("blob")).isInstanceOf(UnreadableValue.class);
    assertThat(vars.get("ok", Integer.class)).isEqualTo(1);
    assertThatThrownBy(() -> vars.get("blob"))
        .isInstanceOf(VariableException.class).hasMessageContaining("'blob'")
        .hasMessageContaining("x-java-serialized-object");
    assertThatThrownBy(() -> vars.get("blob", String.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'blob'");
    assertThatThrownBy(() -> vars.as(Map.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("'blob'");
  }

  @Test
  void nullAndAbsentAreNull() {
    Map<String, Object> m = new HashMap<>();
    m.put("nothing", null);
    Variables vars = DefaultVariables.of(m);
    assertThat(vars.contains("nothing")).isTrue();
    assertThat(vars.get("nothing", String.class)).isNull();
    assertThat(vars.get("absent", String.class)).isNull();
    assertThat(vars.contains("absent")).isFalse();
  }
}
