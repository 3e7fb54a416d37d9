package io.polyworker.worker.internal;

import static io.polyworker.WorkerEvent.Type.STARTED;

import io.polyworker.BpmnError;
import io.polyworker.JobHandler;
import io.polyworker.JobResult;
import io.polyworker.MalformedAnswerException;
import io.polyworker.worker.internal.JobExecution.State;
import java.time.Duration;
import org.slf4j.MDC;

/**
 * Runs a job's handler on the executor's thread: checks first that the worker still accepts work
 * and that the job's lock did not run out while it waited for the thread (then it is never run,
 * another worker may run it already); fails an unreadable job with the reason instead of running
 * it; puts the job id and topic in the MDC; turns what the handler returned or threw into a result
 * for {@link ResultReporter}, which reports it without the job's slot where it may
 * ({@link SubscriptionRunner#detachReport}), on this thread otherwise; and hands the job back,
 * without using up a retry, when close() interrupted it past the drain deadline.
 */
final class HandlerCalls {
  private final SubscriptionRunner runner;
  private final JobHandler handler;
  private final ResultReporter reporter;
  private final Events events;

  HandlerCalls(SubscriptionRunner runner, JobHandler handler, ResultReporter reporter, Events events) {
    this.runner = runner;
    this.handler = handler;
    this.reporter = reporter;
    this.events = events;
  }

  /** Runs one job on the executor's thread. */
  void run(JobExecution e) {
    if (!runner.accepting()) {
      if (e.moveTo(State.QUEUED, State.DONE)) {
        runner.releaseHeld(e);
      }
      return;
    }
    if (e.millisLeft() <= 0 || e.job.isLockLost()) {
      // Its lock ran out while it waited for this thread: another worker may run it already.
      runner.lockLost(e, null);
      if (e.moveTo(State.QUEUED, State.DONE)) {
        e.finish();
      }
      return;
    }
    if (!e.moveTo(State.QUEUED, State.RUNNING)) {
      return; // released by close(), or left to the engine when its lock ran out
    }
    runner.running(e);
    e.runningOn(Thread.currentThread());
    boolean handedBack = false;
    boolean detached = false;
    try {
      MalformedAnswerException unreadable = e.locked.readError();
      if (unreadable != null) {
        // Locked for us but unreadable: fail it with the reason, so it surfaces in the engine
        // (and ends in an incident once its retries are used) instead of running blind.
        e.moveTo(State.RUNNING, State.REPORTING);
        reporter.report(e, ResultReporter.failure(unreadable), Duration.ZERO, unreadable);
        return;
      }
      MDC.put("polyworker.jobId", e.locked.id());
      MDC.put("polyworker.topic", runner.topic());
      events.emitFor(STARTED, runner.topic(), e, Duration.ZERO, 1, null);
      long started = System.nanoTime();
      JobResult result;
      Throwable error = null;
      try {
        result = handler.handle(e.job);
        if (result == null) {
          result = JobResult.fail("handler for topic '" + runner.topic() + "' returned null instead of a JobResult");
        }
      } catch (BpmnError bpmn) {
        result = JobResult.bpmnError(bpmn.errorCode(), bpmn.getMessage(), bpmn.variables());
      } catch (Throwable thrown) {
        if (thrown instanceof VirtualMachineError vme) {
          throw vme;
        }
        error = thrown;
        result = ResultReporter.failure(thrown);
      }
      e.moveTo(State.RUNNING, State.REPORTING);
      runner.handlerDone(System.nanoTime() - started);
      if (runner.isInterrupting() && (Thread.interrupted() || error != null)) {
        // Stopped by close() past the drain deadline: not the job's fault, so no retry is used up.
        handedBack = true;
        runner.releaseHeld(e);
        return;
      }
      Duration handlerTime = Duration.ofNanos(System.nanoTime() - started);
      // The handler is done: the report may go on without the slot, on an engine-call thread.
      Runnable report = reporter.prepare(e, result, handlerTime, error);
      runner.notRunning(e);
      e.runningOn(null);
      detached = runner.detachReport(e, () -> {
        MDC.put("polyworker.jobId", e.locked.id());
        MDC.put("polyworker.topic", runner.topic());
        try {
          report.run();
        } finally {
          MDC.remove("polyworker.jobId");
          MDC.remove("polyworker.topic");
          e.finish();
        }
      });
      if (!detached) {
        runner.running(e); // close() past its deadline may interrupt the report on this thread
        e.runningOn(Thread.currentThread());
        report.run();
      }
    } finally {
      MDC.remove("polyworker.jobId");
      MDC.remove("polyworker.topic");
      if (!detached) {
        runner.notRunning(e);
        e.runningOn(null);
      }
      if (!handedBack && !detached) {
        e.finish();
      }
    }
  }
}
