package io.polyworker.camunda.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.polyworker.MalformedAnswerException;
import io.polyworker.UnreadableValue;
import io.polyworker.VariableException;
import io.polyworker.internal.DefaultVariables;
import io.polyworker.internal.Json;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CamundaVariablesTest {

  private static Map<String, Object> decode(String json) throws Exception {
    JsonNode node = Json.MAPPER.readTree(json);
    return CamundaVariables.decodeAll("fetchAndLock", node);
  }

  @Test
  void decodesEveryPrimitiveType() throws Exception {
    Map<String, Object> v = decode("{"
        + "\"s\":{\"type\":\"String\",\"value\":\"x\",\"valueInfo\":{}},"
        + "\"b\":{\"type\":\"Boolean\",\"value\":true},"
        + "\"i\":{\"type\":\"Integer\",\"value\":42},"
        + "\"l\":{\"type\":\"Long\",\"value\":12345678901},"
        + "\"sh\":{\"type\":\"Short\",\"value\":7},"
        + "\"d\":{\"type\":\"Double\",\"value\":2.5},"
        + "\"date\":{\"type\":\"Date\",\"value\":\"2026-11-21T18:55:41.656+0000\"},"
        + "\"n\":{\"type\":\"Null\",\"value\":null},"
        + "\"bytes\":{\"type\":\"Bytes\",\"value\":\"AQID\"},"
        + "\"json\":{\"type\":\"Json\",\"value\":\"{\\\"a\\\":[1,2]}\"},"
        + "\"obj\":{\"type\":\"Object\",\"value\":\"{\\\"k\\\":\\\"v\\\"}\",\"valueInfo\":{\"objectTypeName\":\"java.util.HashMap\",\"serializationDataFormat\":\"application/json\"}}"
        + "}");
    assertThat(v.get("s")).isEqualTo("x");
    assertThat(v.get("b")).isEqualTo(true);
    assertThat(v.get("i")).isEqualTo(42);
    assertThat(v.get("l")).isEqualTo(12345678901L);
    assertThat(v.get("sh")).isEqualTo((short) 7);
    assertThat(v.get("d")).isEqualTo(2.5);
    assertThat(v.get("date")).isEqualTo(Instant.parse("2026-11-21T18:55:41.656Z"));
    assertThat(v).containsKey("n");
    assertThat(v.get("n")).isNull();
    assertThat((byte[]) v.get("bytes")).containsExactly(1, 2, 3);
    assertThat(v.get("json")).isEqualTo(Map.of("a", List.of(1, 2)));
    assertThat(v.get("obj")).isEqualTo(Map.of("k", "v"));
    DefaultVariables typed = DefaultVariables.of(v);
    assertThat(typed.get("date", Date.class)).isEqualTo(Date.from(Instant.parse("2026-11-21T18:55:41.656Z")));
    assertThat(typed.get("sh", Integer.class)).isEqualTo(7);
  }

  @Test
  void javaSerializedObjectsAreNeverDeserialized() throws Exception {
    // rO0AB... is the start of any Java serialization stream.
    Map<String, Object> v = decode("{\"evil\":{\"type\":\"Object\",\"value\":\"rO0ABXNyABNqYXZhLnV0aWwuQXJyYXlMaXN0\","
        + "\"valueInfo\":{\"objectTypeName\":\"java.util.ArrayList\",\"serializationDataFormat\":\"application/x-java-serialized-object\"}}}");
    assertThat(v.get("evil")).isInstanceOf(UnreadableValue.class);
    DefaultVariables typed = DefaultVariables.of(v);
    assertThatThrownBy(() -> typed.get("evil"))
        .isInstanceOf(VariableException.class)
        .hasMessageContaining("'evil'")
        .hasMessageContaining("never");
    assertThatThrownBy(() -> typed.as(Map.class)).isInstanceOf(VariableException.class);
  }

  @Test
  void unknownTypesAreUnreadableNotFatal() throws Exception {
    Map<String, Object> v = decode("{\"x\":{\"type\":\"Spaceship\",\"value\":1}}");
    assertThatThrownBy(() -> DefaultVariables.of(v).get("x"))
        .isInstanceOf(VariableException.class).hasMessageContaining("Spaceship");
  }

  @Test
  void oddValuesAreUnreadableAndNameTheVariableWithoutPoisoningTheJob() throws Exception {
    Map<String, Object> v = decode("{\"noType\":{\"value\":1},"
        + "\"notANumber\":{\"type\":\"Integer\",\"value\":\"not a number\"},"
        + "\"badDate\":{\"type\":\"Date\",\"value\":\"yesterday\"},"
        + "\"scalar\":7,"
        + "\"fine\":{\"type\":\"String\",\"value\":\"ok\"}}");
    DefaultVariables typed = DefaultVariables.of(v);
    assertThat(typed.get("fine")).isEqualTo("ok");
    for (String name : List.of("noType", "notANumber", "badDate", "scalar")) {
      assertThatThrownBy(() -> typed.get(name))
          .isInstanceOf(VariableException.class).hasMessageContaining("'" + name + "'");
      assertThat(typed.asMap().get(name)).isInstanceOf(UnreadableValue.class);
    }
    assertThatThrownBy(() -> typed.get("badDate", Instant.class))
        .isInstanceOf(VariableException.class).hasMessageContaining("Date")
        .hasMessageContaining("does not match its type");
    // Only variables that are not an object at all make the answer malformed.
    assertThatThrownBy(() -> decode("[1]")).isInstanceOf(MalformedAnswerException.class);
  }

  @Test
  void aBigDecimalIsRefusedInsteadOfBecomingADouble() {
    assertThatThrownBy(() -> CamundaVariables.encodeAll(Map.of("amount", new java.math.BigDecimal("1.10"))))
        .isInstanceOf(VariableException.class).hasMessageContaining("'amount'")
        .hasMessageContaining("no decimal type");
  }

  @Test
  void doublesJsonHasNoNumberFor() throws Exception {
    Map<String, Object> v = decode("{\"nan\":{\"type\":\"Double\",\"value\":\"NaN\"},"
        + "\"inf\":{\"type\":\"Double\",\"value\":\"Infinity\"},"
        + "\"ninf\":{\"type\":\"Double\",\"value\":\"-Infinity\"}}");
    assertThat((Double) v.get("nan")).isNaN();
    assertThat(v.get("inf")).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(v.get("ninf")).isEqualTo(Double.NEGATIVE_INFINITY);
  }

  @Test
  void encodesEveryType() {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("s", "x");
    in.put("i", 1);
    in.put("l", 2L);
    in.put("sh", (short) 3);
    in.put("d", 1.5);
    in.put("b", false);
    in.put("date", Instant.parse("2026-01-02T03:04:05.006Z"));
    in.put("bytes", new byte[] {1});
    in.put("n", null);
    in.put("map", Map.of("a", 1));
    JsonNode out = CamundaVariables.encodeAll(in);
    assertThat(out.get("s").get("type").asText()).isEqualTo("String");
    assertThat(out.get("i").get("type").asText()).isEqualTo("Integer");
    assertThat(out.get("l").get("type").asText()).isEqualTo("Long");
    assertThat(out.get("sh").get("type").asText()).isEqualTo("Short");
    assertThat(out.get("d").get("type").asText()).isEqualTo("Double");
    assertThat(out.get("b").get("type").asText()).isEqualTo("Boolean");
    assertThat(out.get("date").get("value").asText()).isEqualTo("2026-01-02T03:04:05.006+0000");
    assertThat(out.get("bytes").get("type").asText()).isEqualTo("Bytes");
    assertThat(out.get("n").get("type").asText()).isEqualTo("Null");
    assertThat(out.get("map").get("type").asText()).isEqualTo("Json");
    assertThat(out.get("map").get("value").asText()).isEqualTo("{\"a\":1}");
  }

  @Test
  void unserializableValuesNameTheVariable() {
    Object selfReferencing = new Object() {
      public Object getSelf() {
        return this;
      }
    };
    assertThatThrownBy(() -> CamundaVariables.encodeAll(Map.of("loop", selfReferencing)))
        .isInstanceOf(VariableException.class).hasMessageContaining("'loop'");
  }
}
