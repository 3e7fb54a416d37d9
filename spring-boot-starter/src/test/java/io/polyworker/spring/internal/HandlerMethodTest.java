package io.polyworker.spring.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.polyworker.BpmnError;
import io.polyworker.Job;
import io.polyworker.JobResult;
import io.polyworker.VariableException;
import io.polyworker.Variables;
import io.polyworker.internal.DefaultVariables;
import io.polyworker.spring.AllVariables;
import io.polyworker.spring.Header;
import io.polyworker.spring.PolyworkerProperties;
import io.polyworker.spring.Variable;
import java.lang.reflect.Method;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a handler method's parameters and return value meet a job, on a job made by hand. */
class HandlerMethodTest {

  public record Item(String sku, int count) {}

  public record Order(String id, List<Item> items) {}

  public record Summary(String id, long total) {}

  static class Handlers {
    Summary typed(@Variable("amount") long amount, @Variable Order order, @Variable("items") List<Item> items) {
      return new Summary(order.id(), amount + items.size());
    }

    void required(@Variable(value = "order", required = true) Order order) {}

    void primitive(@Variable("amount") int amount) {}

    Map<String, Object> all(@AllVariables Order order, @Header("region") String region, Variables variables) {
      Map<String, Object> result = new HashMap<>();
      result.put("items", order.items().size());
      result.put("region", region);
      result.put("names", variables.names().size());
      return result;
    }

    void requiredHeader(@Header(value = "region", required = true) String region) {}

    JobResult result() {
      return JobResult.bpmnError("NOPE", "as chosen");
    }

    JobResult nothing() {
      return null;
    }

    void throwsBpmn() {
      throw new BpmnError("DECLINED", "declined");
    }

    void throwsChecked() throws Exception {
      throw new java.io.IOException("disk full");
    }

    Map<Object, Object> badKeys() {
      return Map.of(1, "one");
    }
  }

  private static final Map<String, Object> ORDER = Map.of("id", "o1",
      "items", List.of(Map.of("sku", "a", "count", 2), Map.of("sku", "b", "count", 1)));

  private static JobResult call(String method, Map<String, Object> variables, Map<String, String> headers)
      throws Exception {
    Method m = java.util.Arrays.stream(Handlers.class.getDeclaredMethods())
        .filter(x -> x.getName().equals(method)).findFirst().orElseThrow();
    return HandlerMethod.of("handlers", new Handlers(), m, m).handle(job(variables, headers));
  }

  @Test
  void variablesAreConvertedToTheParameterTypesAndAPojoResultBecomesVariables() throws Exception {
    Map<String, Object> vars = new HashMap<>(ORDER);
    vars.put("amount", 40);
    vars.put("order", ORDER);
    JobResult r = call("typed", vars, Map.of());
    assertThat(r.kind()).isEqualTo(JobResult.Kind.COMPLETE);
    assertThat(r.variables()).containsEntry("id", "o1").containsEntry("total", 42L);
  }

  @Test
  void allVariablesHeadersAndTheVariablesThemselvesBind() throws Exception {
    JobResult r = call("all", ORDER, Map.of("region", "eu"));
    assertThat(r.variables()).containsEntry("items", 2).containsEntry("region", "eu").containsEntry("names", 2);
    assertThat(call("all", ORDER, Map.of()).variables()).containsEntry("region", null);
  }

  @Test
  void aMissingRequiredValueFailsTheJobNamingItAndTheMethod() {
    assertThatThrownBy(() -> call("required", Map.of(), Map.of())).isInstanceOf(VariableException.class)
        .hasMessageContaining("variable 'order' is required by method Handlers.required(Order) of bean 'handlers'")
        .hasMessageContaining("has none");
    assertThatThrownBy(() -> call("primitive", Map.of(), Map.of())).isInstanceOf(VariableException.class)
        .hasMessageContaining("variable 'amount' is required");
    assertThatThrownBy(() -> call("requiredHeader", Map.of(), Map.of())).isInstanceOf(VariableException.class)
        .hasMessageContaining("header 'region' is required");
  }

  @Test
  void returnedResultsAndThrownExceptionsReachTheRuntimeAsTheyAre() throws Exception {
    assertThat(call("result", Map.of(), Map.of()).errorCode()).isEqualTo("NOPE");
    assertThat(call("nothing", Map.of(), Map.of()).kind()).isEqualTo(JobResult.Kind.COMPLETE);
    assertThatThrownBy(() -> call("throwsBpmn", Map.of(), Map.of())).isInstanceOf(BpmnError.class);
    assertThatThrownBy(() -> call("throwsChecked", Map.of(), Map.of())).isInstanceOf(java.io.IOException.class)
        .hasMessage("disk full");
    assertThatThrownBy(() -> call("badKeys", Map.of(), Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("variable names are Strings");
  }

  @Test
  void everyEnginePropertyReachesTheEngineUnderItsConfigKey() {
    PolyworkerProperties p = new PolyworkerProperties();
    p.setEngine("zeebe");
    p.setUrl("https://zeebe.example:443");
    p.setAuth("oauth2");
    p.getOauth().setTokenUrl("https://login.example/token");
    p.getOauth().setClientId("worker");
    p.getOauth().setClientSecret("s3cret");
    p.getOauth().setAudience("zeebe-api");
    p.getOauth().setScope("jobs");
    p.getZeebe().setPlaintext(false);
    p.getZeebe().setRequestTimeout(java.time.Duration.ofSeconds(20));
    p.getFlowable().setProcessApiPath("/p");
    assertThat(WorkerAssembly.engineSettings(p)).containsEntry("polyworker.engine", "zeebe")
        .containsEntry("polyworker.oauth.client-secret", "s3cret").containsEntry("polyworker.oauth.scope", "jobs")
        .containsEntry("polyworker.zeebe.plaintext", "false").containsEntry("polyworker.zeebe.request-timeout", "PT20S")
        .containsEntry("polyworker.flowable.process-api-path", "/p").hasSize(11);
  }

  private static Job job(Map<String, Object> variables, Map<String, String> headers) {
    Variables vars = DefaultVariables.of(new HashMap<>(variables));
    return new Job() {
      @Override public String id() { return "j1"; }
      @Override public String topic() { return "t"; }
      @Override public String engine() { return "test"; }
      @Override public String processInstanceId() { return "p1"; }
      @Override public String processDefinitionKey() { return null; }
      @Override public String elementId() { return "task"; }
      @Override public String businessKey() { return null; }
      @Override public String tenantId() { return null; }
      @Override public Integer retries() { return 3; }
      @Override public Instant lockExpiresAt() { return Instant.now().plusSeconds(30); }
      @Override public Map<String, String> headers() { return headers; }
      @Override public Variables variables() { return vars; }
      @Override public boolean isLockLost() { return false; }
      @Override public <T> T unwrap(Class<T> type) { throw new IllegalArgumentException("none"); }
    };
  }
}
