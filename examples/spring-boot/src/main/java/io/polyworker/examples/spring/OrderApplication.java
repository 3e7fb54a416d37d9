package io.polyworker.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The order demo as a Spring Boot application. The starter makes the engine from {@code polyworker.*}
 * and runs the {@code @JobSubscription} methods of {@link OrderWorkers}; {@link OrderRunner} deploys
 * the order process, starts {@code example.orders} orders and prints how each ended. Without
 * {@code polyworker.url}, {@link LocalEngineLauncher} first starts a local engine.
 *
 * <p>The application exits when the orders have ended: with code 0 when each ended as expected
 * (shipped, or rejected for lack of stock), 1 otherwise. With {@code example.keep-running=true} it
 * stays up as a worker until it is stopped (Ctrl-C, SIGTERM), which drains the worker.
 */
@SpringBootApplication
public class OrderApplication {

  public static void main(String[] args) {
    ConfigurableApplicationContext context = application().run(args);
    if (!context.getEnvironment().getProperty("example.keep-running", Boolean.class, false)) {
      System.exit(SpringApplication.exit(context));
    }
  }

  /** The application as {@link #main} runs it: with the local-engine launcher. */
  static SpringApplication application() {
    SpringApplication application = new SpringApplication(OrderApplication.class);
    application.addListeners(new LocalEngineLauncher());
    return application;
  }
}
