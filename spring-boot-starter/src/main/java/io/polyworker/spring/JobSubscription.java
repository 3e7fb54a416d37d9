package io.polyworker.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Subscribes a bean's method (or a {@link io.polyworker.JobHandler} bean) to a topic: a Camunda 7 or
 * Flowable external-task topic, a Zeebe job type. The starter builds one
 * {@link io.polyworker.worker.JobWorker} from every such method and bean and runs it with the
 * application context.
 *
 * <p>On a method, parameters are bound by type and annotation:
 * <ul>
 *   <li>{@link io.polyworker.Job}: the job; {@link io.polyworker.Variables}: all its variables;</li>
 *   <li>{@link Variable @Variable("name")}: one variable converted to the parameter's type;</li>
 *   <li>{@link AllVariables @AllVariables}: all variables bound to one object (a POJO or a record);</li>
 *   <li>{@link Header @Header("name")}: a Zeebe custom header or Camunda extension property.</li>
 * </ul>
 * The return value says how the job ended: {@code void} or {@code null} completes it without
 * variables; a {@link java.util.Map} or any other object completes it with the map's entries or the
 * object's properties as variables; a {@link io.polyworker.JobResult} is used as is. A thrown
 * {@link io.polyworker.BpmnError} is a BPMN error; any other exception fails the job with the
 * runtime's retry semantics. A method the starter cannot bind, or two handlers for one topic, fail
 * the application's start with a message naming the bean, the method and the parameter.
 *
 * <p>On a type or a {@code @Bean} method, the bean must be a {@link io.polyworker.JobHandler}.
 *
 * <p>Every option left at its default here takes the value of {@code polyworker.worker.*}, and
 * {@code polyworker.subscriptions.<topic>.*} overrides both. String attributes accept property
 * placeholders ({@code ${...}}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface JobSubscription {

  /** The topic (Zeebe job type); placeholders allowed. Required. */
  String topic();

  /** Jobs this subscription runs at once; {@code -1} (default): {@code polyworker.worker.max-concurrent-jobs}. */
  int maxConcurrentJobs() default -1;

  /** Jobs asked for per fetch; {@code -1} (default): {@code polyworker.worker.max-jobs-per-fetch}. */
  int maxJobsPerFetch() default -1;

  /** Lock duration such as {@code 30s} or {@code PT5M}; empty (default): {@code polyworker.worker.lock-duration}. */
  String lockDuration() default "";

  /** Long-poll timeout such as {@code 20s}; empty (default): {@code polyworker.worker.long-poll-timeout}. */
  String longPollTimeout() default "";

  /**
   * The variables fetched with each job; empty (default): all of them. Name every variable the
   * method reads (and, with tracing, the trace-context variables).
   */
  String[] variables() default {};

  /**
   * The engines this subscription runs on, by id ({@code camunda}, {@code zeebe}: ids of
   * {@code polyworker.engines}); empty (default): every engine of the worker. Placeholders allowed;
   * {@code polyworker.subscriptions.<topic>.engines} overrides it.
   */
  String[] engines() default {};

  /** Retries set on a failure whose retries the handler did not choose; {@code -1} (default): the runtime's default. */
  int defaultRetries() default -1;

  /** Backoff before a failed job is retried, such as {@code 10s}; empty (default): the runtime's default. */
  String retryBackoff() default "";
}
