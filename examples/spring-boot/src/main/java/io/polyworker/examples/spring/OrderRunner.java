package io.polyworker.examples.spring;

import io.polyworker.DeploymentResource;
import io.polyworker.ProcessClient;
import io.polyworker.ProcessResult;
import io.polyworker.StartProcess;
import io.polyworker.engine.Engine;
import io.polyworker.examples.OrderHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * Once the context runs (and with it the worker): deploys the order process of the configured
 * engine, starts {@code example.orders} orders through the starter's {@link ProcessClient}, waits
 * until each has ended and prints how. Every fifth order asks for more than the stock holds and is
 * expected to be rejected; the others to be shipped. The exit code says whether they all were.
 */
@Component
public class OrderRunner implements ApplicationRunner, ExitCodeGenerator {

  /**
   * How one order ended.
   *
   * @param orderId the order's id, also its business key
   * @param quantity the items it asked for
   * @param processInstanceId the engine's id of its instance
   * @param variables the instance's variables when it ended
   */
  public record Outcome(String orderId, int quantity, String processInstanceId,
      Map<String, @Nullable Object> variables) {
    /** Whether the order took the shipping path: ship-order set a tracking number. */
    public boolean shipped() {
      return variables.containsKey("trackingNumber");
    }

    /** Whether it ended as its quantity says it should. */
    public boolean asExpected() {
      return shipped() == (quantity <= OrderHandlers.STOCK);
    }
  }

  private final Engine engine;
  private final ProcessClient processes;
  private final int orders;
  private final Duration timeout;
  private volatile List<Outcome> outcomes = List.of();

  public OrderRunner(Engine engine, ProcessClient processes, @Value("${example.orders:10}") int orders,
      @Value("${example.timeout:2m}") Duration timeout) {
    this.engine = engine;
    this.processes = processes;
    this.orders = orders;
    this.timeout = timeout;
  }

  @Override
  public void run(ApplicationArguments args) throws InterruptedException, ExecutionException {
    processes.deploy(DeploymentResource.ofClasspath("processes/order." + engine.id() + ".bpmn"));
    System.out.printf("Deployed the order process on %s; starting %d orders%n", engine.id(), orders);
    ExecutorService callers = Executors.newFixedThreadPool(Math.max(1, Math.min(orders, 8)));
    try {
      List<Future<Outcome>> pending = new ArrayList<>();
      for (int i = 1; i <= orders; i++) {
        int n = i;
        pending.add(callers.submit(() -> order(n)));
      }
      List<Outcome> ended = new ArrayList<>();
      for (Future<Outcome> f : pending) {
        Outcome o = f.get();
        System.out.printf("  %-5s %s%n", o.orderId(), o.shipped() ? "shipped" : "rejected (out of stock)");
        ended.add(o);
      }
      outcomes = List.copyOf(ended);
    } finally {
      callers.shutdownNow();
    }
    long shipped = outcomes.stream().filter(Outcome::shipped).count();
    System.out.printf("%d orders ended on %s: %d shipped, %d rejected%n", outcomes.size(), engine.id(),
        shipped, outcomes.size() - shipped);
    System.out.println(getExitCode() == 0 ? "RESULT: every order ended as expected"
        : "RESULT: some orders did not end as expected");
  }

  /** Starts order {@code n} and waits until its instance has ended. */
  private Outcome order(int n) {
    String id = "A-" + n;
    int quantity = n % 5 == 0 ? 25 : 1 + n % 4;
    Map<String, Object> order = new LinkedHashMap<>();
    order.put("orderId", id);
    order.put("item", n % 2 == 0 ? "teapot" : "kettle");
    order.put("quantity", quantity);
    order.put("unitPrice", 19.5);
    ProcessResult result = processes.startProcessAndAwait(StartProcess.of("order")
        .withVariables(Map.of("order", order)).withBusinessKey(id), timeout);
    return new Outcome(id, quantity, result.processInstanceId(), result.variables());
  }

  /** The orders of the last run, in the order they were started; empty before. */
  public List<Outcome> outcomes() {
    return outcomes;
  }

  /** 0 when every order ended as expected, 1 otherwise (also before the orders ran). */
  @Override
  public int getExitCode() {
    return outcomes.size() == orders && outcomes.stream().allMatch(Outcome::asExpected) ? 0 : 1;
  }
}
