package io.polyworker.examples;

import io.polyworker.BpmnError;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import java.util.Map;

/**
 * The demo's own handlers (its third step, ship-order, is the HTTP work unit). Nothing here knows
 * which engine runs them: the same code completes Camunda external tasks, Flowable external worker
 * jobs and Zeebe jobs.
 */
public final class OrderHandlers {
  /** Orders for more than this many items cannot be served from stock. */
  public static final int STOCK = 10;

  private OrderHandlers() {}

  /** An order as the process carries it. */
  public static final class Order {
    public String orderId;
    public String item;
    public int quantity;
    public double unitPrice;
  }

  /** {@code validate-order}: checks the order and computes its total. */
  public static JobHandler validateOrder() {
    return job -> {
      Order order = job.variables().get("order", Order.class);
      if (order == null || order.quantity <= 0) {
        return JobResult.fail("order is missing or has no quantity");
      }
      return JobResult.complete(Map.of("total", order.quantity * order.unitPrice, "validated", true));
    };
  }

  /** {@code reserve-stock}: raises the BPMN error OUT_OF_STOCK when the stock is too small. */
  public static JobHandler reserveStock() {
    return job -> {
      Order order = job.variables().get("order", Order.class);
      if (order.quantity > STOCK) {
        throw new BpmnError("OUT_OF_STOCK", "only " + STOCK + " " + order.item + " left",
            Map.of("rejectionReason", "out of stock"));
      }
      return JobResult.complete(Map.of("reserved", order.quantity));
    };
  }
}
