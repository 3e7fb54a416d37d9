package io.polyworker.examples.spring;

import io.polyworker.BpmnError;
import io.polyworker.Job;
import io.polyworker.JobResult;
import io.polyworker.examples.OrderHandlers;
import io.polyworker.examples.OrderHandlers.Order;
import io.polyworker.spring.JobSubscription;
import io.polyworker.spring.Variable;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The demo's three handlers ({@link OrderHandlers} written as methods): the starter subscribes each
 * method to its topic, binds the {@code order} variable to the parameter and turns the returned map
 * into the job's variables. Nothing here knows which engine runs them.
 */
@Component
public class OrderWorkers {

  private final Duration carrierLatency;

  public OrderWorkers(@Value("${example.carrier-latency:1s}") Duration carrierLatency) {
    this.carrierLatency = carrierLatency;
  }

  /** Checks the order and computes its total; an order without quantity fails the job. */
  @JobSubscription(topic = "validate-order")
  public JobResult validateOrder(@Variable("order") @Nullable Order order) {
    if (order == null || order.quantity <= 0) {
      return JobResult.fail("order is missing or has no quantity");
    }
    return JobResult.complete(Map.of("total", order.quantity * order.unitPrice, "validated", true));
  }

  /** Reserves the items, or raises the BPMN error OUT_OF_STOCK that the model's boundary event catches. */
  @JobSubscription(topic = "reserve-stock")
  public Map<String, Object> reserveStock(@Variable(value = "order", required = true) Order order) {
    if (order.quantity > OrderHandlers.STOCK) {
      throw new BpmnError("OUT_OF_STOCK", "only " + OrderHandlers.STOCK + " " + order.item + " left",
          Map.of("rejectionReason", "out of stock"));
    }
    return Map.of("reserved", order.quantity);
  }

  /**
   * Calls a slow carrier. Its lock ({@code polyworker.subscriptions.ship-order.lock-duration} in
   * application.yaml) outlasts the call, since Flowable cannot extend locks; Camunda and Zeebe extend
   * it while the method runs.
   */
  @JobSubscription(topic = "ship-order")
  public Map<String, Object> shipOrder(@Variable(value = "order", required = true) Order order, Job job)
      throws InterruptedException {
    Thread.sleep(carrierLatency.toMillis()); // stands for a slow remote call
    return Map.of("trackingNumber", "TRK-" + order.orderId, "lockLost", job.isLockLost());
  }
}
